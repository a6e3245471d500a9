"""ECPS: escalations of cases to cloud partners (Teams, Zoom, ...), tracked to the provider's incident number.

A cloud provider is Poly's list; a customer's agreements with a provider and its signed
authorisations for Poly are the preconditions (DOMAIN.md, ECPS); an escalation belongs to a case
and moves requested → awaiting authorisation → opened with provider → resolved, or referred to
provider, or cancelled (ecps/services.py holds the one state machine).
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from polyplus.tenancy.audit import audited
from polyplus.tenancy.dates import validate_portal_date
from polyplus.tenancy.models import Customer, Partner, User
from tickets.models import Case


@audited()
class CloudProvider(models.Model):
    """A cloud partner Poly escalates to. Poly admins keep the list."""

    name = models.CharField(max_length=100, unique=True)
    requires_authorisation = models.BooleanField(
        default=True, help_text="Poly needs the customer's signed authorisation to act on its behalf.")
    direct_engagement = models.BooleanField(
        default=True, help_text="The provider lets Poly work with it directly towards a fix.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@audited()
class CloudAgreement(models.Model):
    """A customer's support or subscription agreement with a cloud provider."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="cloud_agreements")
    provider = models.ForeignKey(CloudProvider, on_delete=models.PROTECT, related_name="agreements")
    reference = models.CharField(max_length=100)
    valid_until = models.DateField(validators=[validate_portal_date])
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["provider__name", "-valid_until"]
        indexes = [models.Index(fields=["customer", "provider", "valid_until"], name="ecps_agreement_current")]

    def __str__(self) -> str:
        return f"{self.provider} · {self.reference}"

    def is_current(self, on: datetime.date) -> bool:
        return self.valid_until >= on


def authorisation_path(instance: CloudAuthorisation, filename: str) -> str:
    return f"ecps-authorisations/{instance.partner_id}/{instance.customer_id}/{filename}"


@audited()
class CloudAuthorisation(models.Model):
    """The customer's signed written authorisation for Poly to act with a provider on its behalf (a PDF)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="cloud_authorisations")
    provider = models.ForeignKey(CloudProvider, on_delete=models.PROTECT, related_name="authorisations")
    file = models.FileField(upload_to=authorisation_path, max_length=300)
    original_name = models.CharField(max_length=200)
    signed_on = models.DateField(validators=[validate_portal_date])
    valid_until = models.DateField(validators=[validate_portal_date])
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["provider__name", "-valid_until"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=models.F("signed_on")),
                                   name="ecps_authorisation_valid_after_signing"),
        ]
        indexes = [models.Index(fields=["customer", "provider", "valid_until"], name="ecps_authorisation_current")]

    def __str__(self) -> str:
        return f"{self.provider} · signed {self.signed_on:%Y-%m-%d}"

    def is_current(self, on: datetime.date) -> bool:
        return self.signed_on <= on <= self.valid_until


class EscalationStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    AWAITING_AUTHORISATION = "awaiting_authorisation", _("Awaiting authorisation")
    OPENED_WITH_PROVIDER = "opened_with_provider", _("Opened with provider")
    RESOLVED = "resolved", _("Resolved")
    REFERRED_TO_PROVIDER = "referred_to_provider", _("Referred to provider")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_STATUSES = (EscalationStatus.REQUESTED, EscalationStatus.AWAITING_AUTHORISATION,
                   EscalationStatus.OPENED_WITH_PROVIDER)
CLOSED_STATUSES = (EscalationStatus.RESOLVED, EscalationStatus.REFERRED_TO_PROVIDER, EscalationStatus.CANCELLED)


@audited()
class Escalation(models.Model):
    """A case escalated to a cloud provider. The provider's incident number and Poly's findings are
    shown to the partner and the customer; internal updates (EscalationUpdate) are Poly's alone."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="ecps_escalations")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="ecps_escalations")
    provider = models.ForeignKey(CloudProvider, on_delete=models.PROTECT, related_name="escalations")
    status = models.CharField(max_length=30, choices=EscalationStatus.choices, default=EscalationStatus.REQUESTED)
    problem = models.TextField(help_text="What goes wrong in the provider's system, as documented for it.")
    raised_by_poly = models.BooleanField(
        default=False, help_text="Raised by a Poly engineer (the cause lies in the provider's system), "
                                 "rather than requested by the partner.")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)

    provider_incident_number = models.CharField(max_length=100, blank=True)
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    opened_at = models.DateTimeField(null=True, blank=True)
    findings = models.TextField(blank=True, help_text="Poly's checks, given to the partner on a referral.")
    resolution = models.TextField(blank=True)
    cancel_reason = models.CharField(max_length=500, blank=True)
    closed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "provider"],
                                    condition=Q(status__in=[str(s) for s in ACTIVE_STATUSES]),
                                    name="ecps_one_active_per_case_and_provider"),
            models.CheckConstraint(
                condition=~Q(status__in=["opened_with_provider", "resolved"]) | ~Q(provider_incident_number=""),
                name="ecps_opened_has_incident_number"),
            models.CheckConstraint(condition=~Q(status="referred_to_provider") | ~Q(findings=""),
                                   name="ecps_referral_has_findings"),
        ]
        indexes = [
            # The Poly list of open escalations by provider and age.
            models.Index(fields=["provider", "requested_at", "id"],
                         condition=Q(status__in=[str(s) for s in ACTIVE_STATUSES]), name="ecps_open_by_provider"),
            models.Index(fields=["partner", "requested_at", "id"], name="ecps_partner_requested"),
            models.Index(fields=["customer", "requested_at"], name="ecps_customer_requested"),
        ]

    def __str__(self) -> str:
        return f"ECPS-{self.pk} · {self.provider_id}"

    @property
    def reference(self) -> str:
        return f"ECPS-{self.pk:06d}" if self.pk else "ECPS"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


@audited()
class EscalationUpdate(models.Model):
    """One exchange with the provider, or a note on the escalation. Internal ones are Poly's alone
    (the audit log hides rows whose snapshot says `internal`)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="updates")
    body = models.TextField()
    internal = models.BooleanField(default=False)
    author = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["escalation", "internal", "created_at"], name="ecps_update_order")]

    def __str__(self) -> str:
        return f"{self.escalation_id} · {'internal' if self.internal else 'public'}"


class JointCallStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"


@audited()
class JointCall(models.Model):
    """A call of Poly, the cloud partner and the Poly partner, asked for and then scheduled by Poly."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="joint_calls")
    status = models.CharField(max_length=20, choices=JointCallStatus.choices, default=JointCallStatus.REQUESTED)
    note = models.CharField(max_length=500, blank=True, help_text="What the call is for, preferred times.")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    scheduled_for = models.DateTimeField(null=True, blank=True, validators=[validate_portal_date])
    scheduled_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(status="scheduled") | Q(scheduled_for__isnull=False),
                                   name="ecps_scheduled_call_has_time"),
        ]

    def __str__(self) -> str:
        return f"{self.escalation_id} · {self.status}"
