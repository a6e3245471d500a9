"""Read-only links to a customer's status page that a partner admin shares, and every use of them."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone

from contracts.models import Contract
from polyplus.tenancy.audit import audited
from polyplus.tenancy.dates import validate_portal_date
from polyplus.tenancy.models import Customer, Partner, ServiceCategory, User


@audited(exclude=["key_hash"])
class StatusShareLink(models.Model):
    """A link that shows one customer's status page, read-only, to whoever holds it, until it
    expires (the end of `expires_on`) or is revoked. Only a hash of its key is kept."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="status_share_links")
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    expires_on = models.DateField(validators=[validate_portal_date])
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    # Opened by someone not signed in: found by its key's hash before any partner is known.
    rls_sign_in_visible = True

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["partner", "customer", "created_at"])]

    def __str__(self) -> str:
        return f"{self.prefix}… · {self.customer}"

    def is_usable(self, today: datetime.date) -> bool:
        return self.revoked_at is None and today <= self.expires_on


class StatusShareLinkUse(models.Model):
    """One opening of a share link: when, and from which address."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    link = models.ForeignKey(StatusShareLink, on_delete=models.CASCADE, related_name="uses")
    at = models.DateTimeField(default=timezone.now)
    address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["link", "at"])]

    def __str__(self) -> str:
        return f"{self.link} · {self.at:%Y-%m-%d %H:%M}"


# ---- monthly CSM reports, quotes and the record of background job runs -------------------------
# A report or quote is made once: its unique key (contract, month for a report; contract, kind
# and category for a quote) makes a second request, a second firing of the schedule or a
# redelivered task find the row that is already there. The PDF is stored through Django's
# storage; the row says where.

class DocumentStatus(models.TextChoices):
    """Where the making of a report's or quote's PDF stands."""

    QUEUED = "queued", "Queued"
    RUNNING = "running", "Being made"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


ReportStatus = DocumentStatus


class Report(models.Model):
    """The monthly CSM report of one Enterprise contract for one calendar month."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="reports")
    month = models.DateField(help_text="The first day of the month reported on.")
    status = models.CharField(max_length=20, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    pdf = models.FileField(upload_to="reports/", blank=True)
    pages = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    mailed_to = models.TextField(blank=True, help_text="The addresses the PDF was mailed to, one a line.")

    class Meta:
        ordering = ["-month", "contract_id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "month"], name="report_once_per_contract_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="report_month_is_first_day"),
        ]
        indexes = [models.Index(fields=["partner", "-month", "contract"])]

    def __str__(self) -> str:
        return f"{self.contract.number} · {self.month:%Y-%m}"

    @property
    def filename(self) -> str:
        return f"{self.contract.number}-report-{self.month:%Y-%m}.pdf"


class QuoteKind(models.TextChoices):
    TRUE_UP = "true_up", "Mid-term true-up"
    RENEWAL = "renewal", "Renewal"


QuoteStatus = DocumentStatus


class Quote(models.Model):
    """A numbered quote PDF under the partner's brand: a true-up (one per category) or the renewal.

    `amount` and `currency` are copied, exactly, from the install-base service's true-up or renewal
    proposal (`source_id`), never computed here.
    """

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="quotes")
    kind = models.CharField(max_length=20, choices=QuoteKind.choices)
    category = models.CharField(max_length=20, choices=ServiceCategory.choices, blank=True,
                                help_text="The true-up's category; blank for a renewal.")
    source_id = models.PositiveBigIntegerField(help_text="The true-up's or renewal proposal's id.")
    number = models.CharField(max_length=30)
    month = models.DateField(null=True, blank=True, help_text="A true-up's adjustment month.")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    lines = models.JSONField(default=list, blank=True,
                             help_text="The quote's lines as the service computed them (decimal strings).")
    status = models.CharField(max_length=20, choices=QuoteStatus.choices, default=QuoteStatus.QUEUED)
    pdf = models.FileField(upload_to="quotes/", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    mailed_to = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "kind", "category"], name="quote_once_per_contract_kind"),
            models.UniqueConstraint(fields=["partner", "number"], name="quote_number_unique_per_partner"),
        ]
        indexes = [models.Index(fields=["partner", "-created_at"])]

    def __str__(self) -> str:
        return self.number

    @property
    def filename(self) -> str:
        return f"{self.number}.pdf"


class JobOutcome(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    RETRYING = "retrying", "Failed, retry scheduled"
    FAILED = "failed", "Failed"
    LOST = "lost", "Worker lost, redelivered"


class JobRun(models.Model):
    """One run of a background job (a periodic job, or the making of one report or quote).

    Written by Celery's signals (jobruns.py) in transactions of their own, so a run that fails
    is recorded although its work rolls back. `partner` is set for a report's or quote's run,
    so row-level security keeps each partner's runs to itself and Poly.
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    task_name = models.CharField(max_length=200)
    task_id = models.CharField(max_length=64)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    subject = models.CharField(max_length=200, blank=True, help_text="What the run was about, in words.")
    attempt = models.PositiveSmallIntegerField(default=0, help_text="Celery's retry count (0 on the first try).")
    outcome = models.CharField(max_length=20, choices=JobOutcome.choices, default=JobOutcome.RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    rerun_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reruns")
    rerun_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(fields=["-started_at", "-id"]),
            models.Index(fields=["task_name", "-started_at"]),
            models.Index(fields=["task_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.task_name} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"

    @property
    def duration(self):
        return (self.finished_at - self.started_at) if self.finished_at else None
