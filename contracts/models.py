"""Poly's product catalogue, and partners' Poly+ / Poly+ Enterprise contracts with their lines.

The catalogue is Poly's and shared by every partner (no tenant). Contracts, their lines
and custom quotes belong to a partner and carry `partner` for row-level security.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from polyplus.tenancy.audit import audited
from polyplus.tenancy.dates import validate_portal_date
from polyplus.tenancy.models import Customer, Partner, ServiceCategory, User

BASELINE_FACTOR = Decimal("1.05")


class ProductCategory(models.TextChoices):
    """The three service categories, and the kinds that are covered only under a custom quote."""

    HEADSET = ServiceCategory.HEADSET.value, ServiceCategory.HEADSET.label
    VIDEO = ServiceCategory.VIDEO.value, ServiceCategory.VIDEO.label
    VOICE = ServiceCategory.VOICE.value, ServiceCategory.VOICE.label
    ITP = "itp", "Immersive Telepresence (ITP)"
    MEDIALIGN = "medialign", "Poly Medialign"
    VERTICAL_SOLUTION = "vertical_solution", "Vertical solution"
    INFRASTRUCTURE = "infrastructure", "Infrastructure"


QUOTE_ONLY_CATEGORIES = frozenset(
    {ProductCategory.ITP, ProductCategory.MEDIALIGN, ProductCategory.VERTICAL_SOLUTION, ProductCategory.INFRASTRUCTURE}
)

currency_code = RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO 4217 currency code.")


@audited()
class Product(models.Model):
    """A Poly product in the catalogue."""

    sku = models.CharField(
        "SKU", max_length=40, unique=True,
        validators=[RegexValidator(r"^[A-Z0-9][A-Z0-9.\-]{1,39}$", "Use capital letters, digits, dots and hyphens.")],
    )
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=20, choices=ProductCategory.choices)
    list_price = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    currency = models.CharField(max_length=3, default="USD", validators=[currency_code])
    end_of_sale = models.DateField(null=True, blank=True, validators=[validate_portal_date])
    end_of_service = models.DateField(null=True, blank=True, validators=[validate_portal_date])

    class Meta:
        ordering = ["sku"]
        constraints = [
            models.CheckConstraint(condition=Q(list_price__gte=0), name="product_price_not_negative"),
            models.CheckConstraint(
                condition=Q(end_of_sale__isnull=True) | Q(end_of_service__isnull=True)
                | Q(end_of_service__gte=F("end_of_sale")),
                name="product_service_ends_after_sale",
            ),
        ]
        indexes = [models.Index(fields=["category", "sku"])]

    def __str__(self) -> str:
        return f"{self.sku} · {self.name}"

    @property
    def quote_required(self) -> bool:
        return self.category in QUOTE_ONLY_CATEGORIES

    def is_end_of_service(self, on_date: datetime.date) -> bool:
        """From its end-of-service date onwards, that day included, a product is never covered."""
        return self.end_of_service is not None and on_date >= self.end_of_service


class Offering(models.TextChoices):
    POLY_PLUS = "poly_plus", "Poly+"
    POLY_PLUS_ENTERPRISE = "poly_plus_enterprise", "Poly+ Enterprise"


class ContractStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    EXPIRED = "expired", "Expired"
    CANCELLED = "cancelled", "Cancelled"


@audited()
class Contract(models.Model):
    """A partner-branded support contract for one customer, over one term."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="contracts")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="contracts")
    number = models.CharField(max_length=30)
    offering = models.CharField(max_length=30, choices=Offering.choices)
    start_date = models.DateField(validators=[validate_portal_date])
    end_date = models.DateField(validators=[validate_portal_date])
    status = models.CharField(max_length=20, choices=ContractStatus.choices, default=ContractStatus.DRAFT)
    currency = models.CharField(max_length=3, default="USD", validators=[currency_code])
    onsite_extension = models.BooleanField(default=False)
    csm_hour_blocks = models.PositiveSmallIntegerField(
        default=0, help_text="Poly+ Enterprise: blocks of 8 CSM hours per month."
    )
    technical_account_management = models.BooleanField(default=False)
    professional_services_discount = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Percent off Poly professional services.",
    )
    renewal_of = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="renewal"
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)
    status_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-start_date", "number"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "number"], name="contract_number_unique_per_partner"),
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="contract_ends_after_start"),
            models.CheckConstraint(
                condition=Q(offering=Offering.POLY_PLUS_ENTERPRISE)
                | (Q(csm_hour_blocks=0) & Q(technical_account_management=False)),
                name="contract_enterprise_options_only_on_enterprise",
            ),
            models.CheckConstraint(
                condition=Q(professional_services_discount__gte=0) & Q(professional_services_discount__lte=100),
                name="contract_discount_is_a_percentage",
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "status", "end_date"]),
            models.Index(fields=["customer", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.customer}"

    @property
    def is_enterprise(self) -> bool:
        return self.offering == Offering.POLY_PLUS_ENTERPRISE

    def covers_day(self, on_date: datetime.date) -> bool:
        """A contract covers every day from its start date to its end date, both included."""
        return self.start_date <= on_date <= self.end_date

    def is_in_force(self, on_date: datetime.date) -> bool:
        return self.status == ContractStatus.ACTIVE and self.covers_day(on_date)

    @property
    def csm_hours_per_month(self) -> int:
        return self.csm_hour_blocks * 8


@audited()
class ContractLine(models.Model):
    """One covered category: install base N, growth G, committed Q and baseline B = Q × 1.05."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="lines")
    category = models.CharField(max_length=20, choices=ServiceCategory.choices)
    installed = models.PositiveIntegerField(help_text="N: devices in the category at the start of service.")
    growth = models.PositiveIntegerField(default=0, help_text="G: expected additions during the year.")
    committed = models.PositiveIntegerField(help_text="Q: N + G at signing; reset to the count after a true-up.")
    baseline = models.GeneratedField(
        expression=F("committed") * BASELINE_FACTOR,
        output_field=models.DecimalField(max_digits=14, decimal_places=2),
        db_persist=True,
    )
    annual_unit_price = models.DecimalField(max_digits=12, decimal_places=2,
                                            validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        ordering = ["contract_id", "category"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "category"], name="contract_line_one_per_category"),
            models.CheckConstraint(condition=Q(annual_unit_price__gte=0), name="contract_line_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} · {self.get_category_display()}"


class QuoteStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


@audited()
class CustomQuote(models.Model):
    """Poly's approval to cover quote-only products (ITP, Medialign, vertical solutions, infrastructure)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="custom_quotes")
    reference = models.CharField(max_length=60)
    products = models.ManyToManyField(Product, through="CustomQuoteProduct", related_name="custom_quotes")
    status = models.CharField(max_length=20, choices=QuoteStatus.choices, default=QuoteStatus.REQUESTED)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "reference"], name="custom_quote_reference_unique_per_partner"),
        ]

    def __str__(self) -> str:
        return self.reference


class CustomQuoteProduct(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    quote = models.ForeignKey(CustomQuote, on_delete=models.CASCADE)
    product = models.ForeignKey(Product, on_delete=models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["quote", "product"], name="custom_quote_product_once")]

    def __str__(self) -> str:
        return f"{self.quote_id} · {self.product_id}"
