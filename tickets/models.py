"""24/7 service cases keyed by Site ID, their SLA clocks, comments, escalations and onsite visits."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract, Offering, Product
from installbase.models import Device
from polyplus.tenancy.audit import audited
from polyplus.tenancy.dates import validate_portal_date
from polyplus.tenancy.models import Customer, Partner, Site, User


class Severity(models.IntegerChoices):
    DOWN = 1, _("1 · Down")
    MAJOR = 2, _("2 · Major impact")
    MINOR = 3, _("3 · Minor impact")
    QUESTION = 4, _("4 · Question")


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_ON_PARTNER = "waiting_on_partner", _("Waiting on partner")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.IN_PROGRESS, CaseStatus.WAITING_ON_PARTNER)


class EscalationLevel(models.IntegerChoices):
    TIER_1 = 1, _("Tier 1")
    TIER_2 = 2, _("Tier 2")
    SPECIALIST = 3, _("Specialist")
    ENGINEERING = 4, _("Engineering")


class CaseSource(models.TextChoices):
    PORTAL = "portal", "Portal"
    API = "api", "API"
    HEALTH_EVENT = "health_event", "Health notification"


@audited()
class SlaTarget(models.Model):
    """First-response and resolution targets for a severity under an offering (Poly-editable)."""

    severity = models.PositiveSmallIntegerField(choices=Severity.choices)
    offering = models.CharField(max_length=30, choices=Offering.choices)
    first_response = models.DurationField()
    resolution = models.DurationField()

    class Meta:
        ordering = ["severity", "offering"]
        constraints = [
            models.UniqueConstraint(fields=["severity", "offering"], name="sla_target_once"),
            models.CheckConstraint(condition=Q(first_response__gt=datetime.timedelta(0))
                                   & Q(resolution__gte=models.F("first_response")),
                                   name="sla_target_positive_and_ordered"),
        ]

    def __str__(self) -> str:
        return f"S{self.severity} {self.get_offering_display()}"


@audited(exclude=["next_due_at", "sla_warned_for"])
class Case(models.Model):
    """A service case. Keyed by Site ID; a serial only when hardware replacement is asked for."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="cases")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="cases")
    number = models.CharField(max_length=30)
    category = models.CharField(max_length=20)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    severity = models.PositiveSmallIntegerField(choices=Severity.choices)
    subject = models.CharField(max_length=200)
    description = models.TextField()
    status = models.CharField(max_length=30, choices=CaseStatus.choices, default=CaseStatus.NEW)
    source = models.CharField(max_length=20, choices=CaseSource.choices, default=CaseSource.PORTAL)
    hardware_replacement = models.BooleanField(default=False)
    device = models.ForeignKey(Device, on_delete=models.PROTECT, null=True, blank=True, related_name="cases")
    health_alert_kind = models.CharField(max_length=60, blank=True)

    # The coverage check's answer when the case was opened; a not-entitled case is kept all the same.
    entitled = models.BooleanField()
    entitlement_reason = models.CharField(max_length=40)
    entitlement_explanation = models.CharField(max_length=300)
    entitlement_flags = models.JSONField(default=list, blank=True)
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="cases")
    offering = models.CharField(max_length=30, choices=Offering.choices,
                                help_text="The offering whose SLA applies (Poly+ when not entitled).")

    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    escalation_level = models.PositiveSmallIntegerField(choices=EscalationLevel.choices,
                                                        default=EscalationLevel.TIER_1)

    # The SLA clocks run on a 24/7 calendar; while waiting on the partner they stand still, and the
    # due times move on by the time spent waiting when the partner answers.
    first_response_due = models.DateTimeField()
    resolution_due = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    paused_since = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    next_due_at = models.DateTimeField(null=True, blank=True,
                                       help_text="The SLA time that comes next; empty while paused or done.")
    priority = models.PositiveSmallIntegerField(default=1, help_text="0 for Enterprise: first at equal due time.")
    # One owner per side: Poly's engineer working the case, and the partner's engineer answering for it.
    owner = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              help_text="The Poly engineer working the case; empty while it is in the pool.")
    partner_owner = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                      help_text="The partner's engineer responsible for its side.")
    sla_warned_for = models.DateTimeField(null=True, blank=True,
                                          help_text="The SLA time a warning was last sent for (the monitor's mark).")

    class Meta:
        ordering = ["next_due_at", "priority", "opened_at"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "number"], name="case_number_unique_per_partner"),
            models.UniqueConstraint(
                fields=["device", "health_alert_kind"],
                condition=Q(status__in=["new", "in_progress", "waiting_on_partner"]) & ~Q(health_alert_kind=""),
                name="case_one_open_per_device_and_alert",
            ),
            models.CheckConstraint(condition=Q(hardware_replacement=False) | Q(device__isnull=False),
                                   name="case_hardware_replacement_names_a_device"),
        ]
        indexes = [
            models.Index(fields=["next_due_at", "priority", "opened_at"], name="case_queue_order"),
            # The open queue, for Poly and for one partner: a page's keys come from the index alone.
            models.Index(fields=["next_due_at", "priority", "opened_at", "id"], condition=Q(status__in=OPEN_STATUSES),
                         name="case_open_queue"),
            models.Index(fields=["partner", "next_due_at", "priority", "opened_at", "id"],
                         condition=Q(status__in=OPEN_STATUSES), name="case_open_queue_by_partner"),
            # Poly's per-person views of the open queue: mine (by owner) and unassigned.
            models.Index(fields=["owner", "next_due_at", "priority", "opened_at", "id"],
                         condition=Q(status__in=OPEN_STATUSES), name="case_open_queue_by_owner"),
            models.Index(fields=["next_due_at", "priority", "opened_at", "id"],
                         condition=Q(status__in=OPEN_STATUSES, owner__isnull=True), name="case_open_queue_unowned"),
            models.Index(fields=["partner_owner"], condition=Q(partner_owner__isnull=False),
                         name="case_partner_owner"),
            models.Index(fields=["partner", "status", "next_due_at"], name="case_partner_status"),
            models.Index(fields=["partner", "opened_at"], name="case_partner_opened"),
            models.Index(fields=["status", "severity"], name="case_status_severity"),
            models.Index(fields=["category", "status"], name="case_category_status"),
            models.Index(fields=["site", "status"], name="case_site_status"),
            models.Index(fields=["customer", "status"], name="case_customer_status"),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def first_response_breached(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.first_response_at is not None:
            return self.first_response_at > self.first_response_due
        return self.paused_since is None and self.is_open and now > self.first_response_due

    def resolution_breached(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.resolved_at is not None:
            return self.resolved_at > self.resolution_due
        return self.paused_since is None and self.is_open and now > self.resolution_due

    def breached(self, now: datetime.datetime | None = None) -> bool:
        return self.first_response_breached(now) or self.resolution_breached(now)

    def time_left(self, now: datetime.datetime | None = None) -> datetime.timedelta | None:
        """Until the next SLA time; None while paused or when nothing is due."""
        if self.next_due_at is None:
            return None
        return self.next_due_at - (now or timezone.now())


@audited()
class CaseComment(models.Model):
    """A reply on a case. Internal comments are Poly's alone: never shown to a partner or customer."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    body = models.TextField()
    internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["case", "internal", "created_at"])]

    def __str__(self) -> str:
        return f"{self.case_id} · {'internal' if self.internal else 'public'}"


def attachment_path(instance: CaseAttachment, filename: str) -> str:
    return f"case-attachments/{instance.partner_id}/{instance.case_id}/{filename}"


@audited()
class CaseAttachment(models.Model):
    """A log or photo on a case, checked by content; internal when its comment is internal."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    comment = models.ForeignKey(CaseComment, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    internal = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


@audited()
class CaseStatusChange(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=30, choices=CaseStatus.choices)
    to_status = models.CharField(max_length=30, choices=CaseStatus.choices)
    by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status} → {self.to_status}"


class BreachKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", "First response"
    RESOLUTION = "resolution", "Resolution"


@audited()
class CaseEscalation(models.Model):
    """A step up the escalation ladder, by a Poly engineer with a reason or automatically on a breach."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    from_level = models.PositiveSmallIntegerField(choices=EscalationLevel.choices)
    to_level = models.PositiveSmallIntegerField(choices=EscalationLevel.choices)
    reason = models.CharField(max_length=500)
    by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    breach = models.CharField(max_length=20, choices=BreachKind.choices, blank=True,
                              help_text="Set when a breached target escalated the case automatically.")
    breach_due_at = models.DateTimeField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            # A breach escalates once: a second run of the monitor finds the row and does nothing.
            models.UniqueConstraint(fields=["case", "breach", "breach_due_at"], condition=~Q(breach=""),
                                    name="case_escalation_once_per_breach"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_level} → {self.to_level}"


class VisitPurpose(models.TextChoices):
    HARDWARE_REPAIR = "hardware_repair", "Hardware repair or part swap"
    ON_SITE_DIAGNOSIS = "on_site_diagnosis", "Diagnosis on site"
    RESTORE_WITH_UPDATE = "restore_with_update", "Update Poly needs to bring the product back to work"
    SOFTWARE_UPDATE = "software_update", "Install software updates or patches"
    CONFIGURATION = "configuration", "Configuration"


class DispatchStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


@audited()
class OnsiteDispatch(models.Model):
    """A technician visit, only after remote diagnostics with the partner's engineer."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="dispatches")
    purpose = models.CharField(max_length=30, choices=VisitPurpose.choices)
    details = models.CharField(max_length=500, blank=True)
    remote_diagnostics_summary = models.TextField(
        help_text="What Poly and the partner's engineer tried remotely before a visit.")
    partner_engineer_name = models.CharField(max_length=200)
    scheduled_for = models.DateTimeField(validators=[validate_portal_date])
    technician = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=DispatchStatus.choices, default=DispatchStatus.SCHEDULED)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["scheduled_for"]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.scheduled_for:%Y-%m-%d}"


class OwnerSide(models.TextChoices):
    POLY = "owner", "Poly owner"
    PARTNER = "partner_owner", "Partner owner"


@audited()
class CaseOwnerChange(models.Model):
    """A case taken, handed over or put back in the pool, on either side; on the timeline."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="owner_changes")
    side = models.CharField(max_length=20, choices=OwnerSide.choices)
    from_user = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_user = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.CharField(max_length=500, blank=True)
    by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                           help_text="Empty when the escalation of a breach moved it.")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.side}: {self.from_user_id} → {self.to_user_id}"


@audited()
class CaseFollower(models.Model):
    """Someone who hears of a case's public events (Poly staff: of its internal notes too)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_follower_once")]
        indexes = [models.Index(fields=["user", "case"], name="case_follower_by_user")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.case_id}"


@audited()
class SeverityOneFollower(models.Model):
    """A partner admin who follows every Severity 1 case of the partner."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partner", "user"], name="severity_one_follower_once")]

    def __str__(self) -> str:
        return f"{self.user_id} follows severity 1 of {self.partner_id}"
