"""Devices at customers' sites, and the serials a Poly+ contract lists."""

from __future__ import annotations

import calendar
import datetime

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from contracts.models import Contract, Product
from polyplus.tenancy.audit import audited
from polyplus.tenancy.dates import validate_portal_date
from polyplus.tenancy.models import Customer, Partner, ServiceCategory, Site, User


class DeviceSource(models.TextChoices):
    REGISTRATION = "registration", "Product registration"
    INVENTORY_UPLOAD = "inventory_upload", "Poly Lens inventory upload"


@audited()
class Device(models.Model):
    """One unit: a serial number, unique per product."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="devices")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="devices")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="devices")
    serial = models.CharField(max_length=60)
    source = models.CharField(max_length=30, choices=DeviceSource.choices, default=DeviceSource.REGISTRATION)
    in_production = models.BooleanField(default=True)
    registered_at = models.DateTimeField(default=timezone.now)
    # In production at the end of day D: entered_production <= D and (left_production is None or
    # left_production > D); the day it left it is gone. Past months are reconciled from these.
    entered_production = models.DateField(default=timezone.localdate, validators=[validate_portal_date])
    left_production = models.DateField(null=True, blank=True, validators=[validate_portal_date])

    class Meta:
        ordering = ["serial"]
        constraints = [
            models.UniqueConstraint(fields=["product", "serial"], name="device_serial_unique_per_product"),
            models.CheckConstraint(
                condition=Q(left_production__isnull=True) | Q(left_production__gte=F("entered_production")),
                name="device_leaves_after_entering",
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "customer"]),
            models.Index(fields=["site", "product"]),
            models.Index(fields=["serial"]),
            models.Index(fields=["customer", "product", "entered_production"]),
        ]

    def __str__(self) -> str:
        return f"{self.serial} ({self.product.sku})"


@audited()
class ContractDevice(models.Model):
    """A serial a Poly+ contract covers (Enterprise covers by Master Account ID instead)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="covered_devices")
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="contract_entries")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contract", "device"], name="contract_device_once")]
        indexes = [models.Index(fields=["device", "contract"])]

    def __str__(self) -> str:
        return f"{self.contract_id} · {self.device_id}"


# ---- Poly Lens inventories, monthly reconciliation, true-ups and renewal proposals ---------------


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(month: datetime.date) -> datetime.date:
    """The last day of the calendar month `month` lies in."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


class LensAccess(models.Model):
    """Whether Poly (the CSM) reads this customer's devices in Poly Lens.

    Without a row the CSM has access and the portal's device records are the month's count.
    Marked `has_access=False`, the partner uploads the customer's Poly Lens export every month
    and that upload is the month's count (DOMAIN.md); a month without one is flagged.
    """

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="lens_access")
    has_access = models.BooleanField(default=True)
    changed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.customer_id}: {'Lens access' if self.has_access else 'uploads'}"


class UploadStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    PROCESSING = "processing", "Processing"
    SUCCEEDED = "succeeded", "Imported"
    FAILED = "failed", "Refused"


@audited(exclude=["rows_read"])
class InventoryUpload(models.Model):
    """One Poly Lens inventory export (CSV) of one customer for one month.

    All or nothing: the file is read and every row checked first (`rows_read` of `rows_total`
    moves while it runs, for the progress bar); any bad row and the upload is FAILED with every
    error in `errors` ({"line", "column", "reason"}) and nothing else written. A SUCCEEDED upload
    has created or updated the customer's devices and holds the month's count per category in
    `counts` ({"headset": 212, ...}), the count a reconciliation takes when the customer has no
    Lens access. The latest SUCCEEDED upload of a month is that month's inventory.
    """

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="inventory_uploads")
    month = models.DateField(help_text="The first day of the month the inventory is of.",
                             validators=[validate_portal_date])
    file = models.FileField(upload_to="inventory-uploads/%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=UploadStatus.choices, default=UploadStatus.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_read = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    devices_created = models.PositiveIntegerField(default=0)
    devices_updated = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(month__day=1), name="inventory_upload_month_first_day")]
        indexes = [
            models.Index(fields=["customer", "month", "status"]),
            models.Index(fields=["partner", "-uploaded_at", "-id"]),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} · {self.month:%Y-%m} · {self.status}"

    @property
    def progress_percent(self) -> int:
        if self.status in {UploadStatus.SUCCEEDED, UploadStatus.FAILED}:
            return 100
        return int(self.rows_read * 100 / self.rows_total) if self.rows_total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in {UploadStatus.SUCCEEDED, UploadStatus.FAILED}


class CountSource(models.TextChoices):
    DEVICES = "devices", "Device records (Poly Lens)"
    UPLOAD = "upload", "Poly Lens inventory upload"


@audited()
class Reconciliation(models.Model):
    """One category of one Enterprise contract in one calendar month: the count against the baseline.

    Unique per (contract, month, category); `services.reconcile(contract_id=, month=)` writes
    every category of a month at once and a rerun on the same data changes nothing.

    - `count` C: covered devices in production at the end of the month (or on the term's last
      day, if earlier); end-of-service and quote-only products are not counted. From the
      device records, or from the month's upload when the customer has no Lens access.
    - `committed` Q and `baseline` B = Q × 1.05 (exact) as the contract line stood.
    - `percent_over`: (C − Q) / Q × 100, two places (None when Q is 0).
    - `over_threshold`: the trigger C ≥ Q × 1.05 (and C > Q), a warning in monthly reports.
    - `is_adjustment_month`: the month holds the term's midpoint; triggered there, a TrueUp
      is proposed (`true_up`, reverse of TrueUp.reconciliation).
    - `missing_upload`: the customer has no Lens access and no upload of the month exists
      (the count then comes from the device records, and no true-up is proposed).
    """

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="reconciliations")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="reconciliations")
    month = models.DateField(validators=[validate_portal_date])
    category = models.CharField(max_length=20, choices=ServiceCategory.choices)
    count = models.PositiveIntegerField()
    committed = models.PositiveIntegerField()
    baseline = models.DecimalField(max_digits=14, decimal_places=2)
    percent_over = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    over_threshold = models.BooleanField(default=False)
    is_adjustment_month = models.BooleanField(default=False)
    source = models.CharField(max_length=20, choices=CountSource.choices, default=CountSource.DEVICES)
    upload = models.ForeignKey(InventoryUpload, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    missing_upload = models.BooleanField(default=False)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["contract_id", "-month", "category"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "month", "category"], name="reconciliation_once_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="reconciliation_month_first_day"),
        ]
        indexes = [
            models.Index(fields=["partner", "-month", "contract", "category"]),
            models.Index(fields=["customer", "-month"]),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} · {self.month:%Y-%m} · {self.category}"

    @property
    def month_end(self) -> datetime.date:
        return month_end(self.month)


@audited()
class MonthReview(models.Model):
    """The CSM marked a contract's month reviewed (the flag on the month's reconciliation)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="month_reviews")
    month = models.DateField(validators=[validate_portal_date])
    reviewed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contract", "month"], name="month_review_once")]

    def __str__(self) -> str:
        return f"{self.contract_id} · {self.month:%Y-%m} reviewed"


class TrueUpStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted (PO received)"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn (the count no longer triggers)"


@audited()
class TrueUp(models.Model):
    """A mid-term true-up of one category: the reconciliation of the midpoint's month triggered.

    `additional_devices` A = C − Q; `months` = the adjustment month and every later calendar
    month of the term (the last counts whole); `amount` = A × `annual_unit_price` × months / 12,
    a Decimal in `currency`, rounded half-up to cents once. PROPOSED → ACCEPTED with the
    partner's `po_number` (the line's baseline resets: Q' = C, B' = C × 1.05, and the month is
    closed) or REJECTED. A rerun of the month updates a PROPOSED one, or WITHDRAWS it when the
    count no longer triggers. `committed_before` / `committed_after` keep the baseline's history.
    """

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="true_ups")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="true_ups")
    reconciliation = models.OneToOneField(Reconciliation, on_delete=models.PROTECT, related_name="true_up")
    category = models.CharField(max_length=20, choices=ServiceCategory.choices)
    month = models.DateField(validators=[validate_portal_date])
    count = models.PositiveIntegerField()
    committed_before = models.PositiveIntegerField()
    committed_after = models.PositiveIntegerField(null=True, blank=True)
    additional_devices = models.PositiveIntegerField()
    months = models.PositiveSmallIntegerField()
    annual_unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=TrueUpStatus.choices, default=TrueUpStatus.PROPOSED)
    po_number = models.CharField(max_length=60, blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month", "contract_id", "category"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "month", "category"], name="true_up_once_per_month"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="true_up_amount_not_negative"),
            models.CheckConstraint(condition=~Q(status="accepted") | ~Q(po_number=""),
                                   name="true_up_accepted_has_po"),
        ]
        indexes = [models.Index(fields=["partner", "-month", "contract", "category"])]

    def __str__(self) -> str:
        return f"{self.contract_id} · {self.month:%Y-%m} · {self.category} · {self.amount} {self.currency}"


class RenewalStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted (PO received)"
    REJECTED = "rejected", "Rejected"


@audited()
class RenewalProposal(models.Model):
    """The renewal the CSM prepares before a term ends: per category (RenewalProposalLine) the
    latest count plus a new growth estimate, with the options. Accepted with the partner's PO, it
    drafts the next term's contract through contracts.services.contract_renew (`renewal`).
    `total` is the sum of the lines' annual amounts, in `currency`."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="renewal_proposals")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="renewal_proposals")
    status = models.CharField(max_length=20, choices=RenewalStatus.choices, default=RenewalStatus.PROPOSED)
    counted_month = models.DateField(help_text="The month whose reconciliation gave the latest counts.")
    csm_hour_blocks = models.PositiveSmallIntegerField(default=0)
    technical_account_management = models.BooleanField(default=False)
    onsite_extension = models.BooleanField(default=False)
    currency = models.CharField(max_length=3)
    total = models.DecimalField(max_digits=16, decimal_places=2)
    note = models.CharField(max_length=500, blank=True)
    po_number = models.CharField(max_length=60, blank=True)
    renewal = models.OneToOneField(Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    prepared_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["contract"], condition=Q(status="proposed"),
                                    name="renewal_proposal_one_open_per_contract"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} renewal · {self.status}"


class RenewalProposalLine(models.Model):
    """One category of a renewal proposal: committed = latest count + growth, priced for a year."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    proposal = models.ForeignKey(RenewalProposal, on_delete=models.CASCADE, related_name="lines")
    category = models.CharField(max_length=20, choices=ServiceCategory.choices)
    latest_count = models.PositiveIntegerField()
    growth = models.PositiveIntegerField(default=0)
    committed = models.PositiveIntegerField()
    annual_unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    amount = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["category"]
        constraints = [models.UniqueConstraint(fields=["proposal", "category"], name="renewal_line_once")]

    def __str__(self) -> str:
        return f"{self.proposal_id} · {self.category}"


HOURS_PER_BLOCK = 8


@audited()
class CsmHourEntry(models.Model):
    """Paid CSM time used on an Enterprise contract (DOMAIN.md: blocks of 8 hours a month)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="csm_hour_entries")
    day = models.DateField(validators=[validate_portal_date])
    hours = models.DecimalField(max_digits=4, decimal_places=2)
    note = models.CharField(max_length=200, blank=True)
    logged_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    # Poly staff rows are not readable in a partner's context: the name is kept with the entry.
    logged_by_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["day", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=24), name="csm_hours_within_a_day"),
        ]
        indexes = [models.Index(fields=["contract", "day"])]

    def __str__(self) -> str:
        return f"{self.contract_id} · {self.day} · {self.hours} h"
