"""Advance parts replacements (RMAs): a replacement shipped before the failed unit comes back.

Every RMA hangs off a case and names the failed unit. Its dates are decided once, at
approval (rma.calendar), and so is its billing against the Enterprise headset allowance
(rma.services): a later change of the contract never rewrites either.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract, ContractLine, Product
from installbase.models import Device
from polyplus.tenancy.audit import audited
from polyplus.tenancy.models import Customer, Partner, Site, User
from tickets.models import Case


class RmaStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SHIPPED = "shipped", _("Replacement shipped")
    DELIVERED = "delivered", _("Delivered")
    RECEIVED = "received", _("Failed unit received")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


# Approved and not cancelled: what counts against the headset allowance.
APPROVED_STATUSES = (RmaStatus.APPROVED, RmaStatus.SHIPPED, RmaStatus.DELIVERED, RmaStatus.RECEIVED,
                     RmaStatus.CLOSED)
OPEN_STATUSES = (RmaStatus.REQUESTED, RmaStatus.APPROVED, RmaStatus.SHIPPED, RmaStatus.DELIVERED,
                 RmaStatus.RECEIVED)


def overdue_condition(today: datetime.date) -> Q:
    """Return due date passed and the failed unit not received, whether or not marked as sent."""
    return Q(status=RmaStatus.DELIVERED, return_due__lt=today)


@audited()
class Rma(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="rmas")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="rmas")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="rmas")
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="rmas")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(max_length=40)
    status = models.CharField(max_length=20, choices=RmaStatus.choices, default=RmaStatus.REQUESTED)
    fault = models.TextField(help_text="What is wrong with the failed unit.")
    internal_note = models.TextField(blank=True, help_text="Poly only: never shown to a partner or customer.")

    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="rmas")
    coverage_flags = models.JSONField(default=list, blank=True,
                                      help_text="The coverage check's flags for Poly support (e.g. the partner's "
                                                "certification lapsed), at the request and again at approval.")

    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(max_length=500, blank=True)
    ship_date = models.DateField(null=True, blank=True)
    promised_delivery = models.DateField(null=True, blank=True)
    skipped_holidays = models.JSONField(default=list, blank=True,
                                        help_text="Public holidays passed over when the dates were set.")

    carrier = models.CharField(max_length=100, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_on = models.DateField(null=True, blank=True)
    return_due = models.DateField(null=True, blank=True)

    # The partner's mark that the failed unit is on its way back: not a state, it stops reminders.
    return_sent_on = models.DateField(null=True, blank=True)
    return_carrier = models.CharField(max_length=100, blank=True)
    return_tracking_number = models.CharField(max_length=100, blank=True)
    return_received_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=500, blank=True)

    # Decided at approval and never changed: the Enterprise headset allowance.
    counts_against_allowance = models.BooleanField(default=False)
    allowance_year = models.PositiveSmallIntegerField(null=True, blank=True)
    allowance_line = models.ForeignKey(ContractLine, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+")
    allowance_committed = models.PositiveIntegerField(null=True, blank=True,
                                                      help_text="Q of the headset line on the approval day.")
    allowance_position = models.PositiveIntegerField(null=True, blank=True,
                                                     help_text="This RMA's place among the year's approved ones.")
    billable = models.BooleanField(default=False)
    billed_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    billed_currency = models.CharField(max_length=3, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "number"], name="rma_number_unique_per_partner"),
            models.CheckConstraint(condition=Q(billable=False) | Q(billed_price__isnull=False),
                                   name="rma_billable_has_price"),
            models.CheckConstraint(
                condition=Q(ship_date__isnull=True) | Q(promised_delivery__gt=models.F("ship_date")),
                name="rma_delivery_after_ship"),
        ]
        indexes = [
            models.Index(fields=["partner", "-requested_at"], name="rma_partner_requested"),
            models.Index(fields=["-requested_at", "-id"], name="rma_requested"),
            models.Index(fields=["status", "return_due"], name="rma_status_return_due"),
            models.Index(fields=["customer", "allowance_year"], condition=Q(counts_against_allowance=True),
                         name="rma_allowance_year"),
        ]

    def __str__(self) -> str:
        return self.number

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status == RmaStatus.DELIVERED and self.return_due is not None and self.return_due < today


class RmaStepKind(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    SHIPPED = "shipped", "Replacement shipped"
    DELIVERED = "delivered", "Replacement delivered"
    RETURN_SENT = "return_sent", "Failed unit sent back"
    RECEIVED = "received", "Failed unit received"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


@audited()
class RmaStep(models.Model):
    """One line of an RMA's timeline."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    rma = models.ForeignKey(Rma, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(max_length=20, choices=RmaStepKind.choices)
    from_status = models.CharField(max_length=20, choices=RmaStatus.choices)
    to_status = models.CharField(max_length=20, choices=RmaStatus.choices)
    detail = models.CharField(max_length=500, blank=True)
    by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["rma", "at"])]

    def __str__(self) -> str:
        return f"{self.rma_id} · {self.kind}"
