"""Partners (tenants), their brand and certifications, customers, sites and users.

Every tenant-owned table carries `partner` and is guarded by a row-level security
policy (see rls.py); business keys are unique per partner, except the Site ID, which
is unique across the portal (DOMAIN.md).
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from polyplus.tenancy.audit import audited
from polyplus.tenancy.dates import validate_portal_date


class ServiceCategory(models.TextChoices):
    """The product categories a partner is certified for and a contract covers."""

    HEADSET = "headset", _("Headsets and personal devices")
    VIDEO = "video", _("Video")
    VOICE = "voice", _("Voice")


class Role(models.TextChoices):
    POLY_ADMIN = "poly_admin", _("Poly admin")
    POLY_SUPPORT = "poly_support", _("Poly support engineer")
    ESCALATION_MANAGER = "escalation_manager", _("Escalation manager")
    CSM = "csm", _("Customer Success Manager")
    PARTNER_ADMIN = "partner_admin", _("Partner admin")
    PARTNER_ENGINEER = "partner_engineer", _("Partner engineer")
    CUSTOMER_VIEWER = "customer_viewer", _("Customer viewer")


POLY_ROLES = frozenset({Role.POLY_ADMIN, Role.POLY_SUPPORT, Role.ESCALATION_MANAGER, Role.CSM})
PARTNER_ROLES = frozenset({Role.PARTNER_ADMIN, Role.PARTNER_ENGINEER, Role.CUSTOMER_VIEWER})

DEFAULT_USER_TIME_ZONE = "UTC"


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a time zone, such as Europe/Stockholm.")


hex_color = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour as #RRGGBB.")
slug_validator = RegexValidator(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", "Use lower-case letters, digits and hyphens.")
PARTNER_CODE_PATTERN = r"^[A-Z0-9]{2,8}$"
partner_code_validator = RegexValidator(r"^[A-Z0-9]{2,8}\Z", "Use 2 to 8 capital letters or digits, e.g. NORD.")


@audited()
class Partner(models.Model):
    """A certified Poly service partner: the tenant."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True, validators=[slug_validator])
    # Unique across the portal and fixed once set: every case and contract number starts with
    # it (numbering.py), so two partners never issue the same number.
    code = models.CharField(
        max_length=8, unique=True, validators=[partner_code_validator],
        help_text="2 to 8 capital letters or digits; the start of the partner's case and contract numbers.",
    )
    country = models.CharField(
        max_length=2, blank=True,
        help_text="ISO 3166-1 alpha-2 code of the country the partner trades from; its contracts' currency follows it.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    # Row-level security keys this table on its own id (rls.py).
    rls_partner_column = "id"

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=PARTNER_CODE_PATTERN), name="partner_code_format"),
        ]

    def __str__(self) -> str:
        return self.name


@audited()
class PartnerBrand(models.Model):
    """What a customer sees on the partner's white-labelled pages."""

    partner = models.OneToOneField(Partner, on_delete=models.CASCADE, related_name="brand")
    display_name = models.CharField(max_length=200)
    logo = models.FileField(upload_to="brand-logos/", blank=True)
    primary_color = models.CharField(max_length=7, default="#0b3d91", validators=[hex_color])
    accent_color = models.CharField(max_length=7, default="#f28c28", validators=[hex_color])
    support_email = models.EmailField(blank=True)
    support_phone = models.CharField(max_length=40, blank=True)
    default_language = models.CharField(
        max_length=8, choices=settings.LANGUAGES, default="en",
        help_text="The language customers' pages and mails speak unless the reader chooses another.")

    # A partner's host shows the brand on its sign-in page, before anyone is known (hosts.py).
    rls_sign_in_visible = True

    def __str__(self) -> str:
        return self.display_name


@audited()
class PartnerDomain(models.Model):
    """A host name that serves the partner's brand, e.g. support.partner.example."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="domains")
    host = models.CharField(
        max_length=253,
        unique=True,
        validators=[RegexValidator(r"^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$", "Enter a host name.")],
    )

    # Looked up by the request's host before anyone is signed in (hosts.py).
    rls_sign_in_visible = True

    class Meta:
        ordering = ["host"]

    def __str__(self) -> str:
        return self.host


@audited()
class Certification(models.Model):
    """A partner's Poly service certification for one category, valid up to and including expires_on."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="certifications")
    category = models.CharField(max_length=20, choices=ServiceCategory.choices)
    certified_on = models.DateField(validators=[validate_portal_date])
    expires_on = models.DateField(validators=[validate_portal_date])

    class Meta:
        ordering = ["partner_id", "category"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "category"], name="certification_one_per_category"),
            models.CheckConstraint(
                condition=Q(expires_on__gte=models.F("certified_on")), name="certification_expires_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} · {self.get_category_display()}"

    def is_current(self, on_date) -> bool:
        return self.certified_on <= on_date <= self.expires_on


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields):
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user


@audited(exclude=["password", "last_login"])
class User(AbstractBaseUser):
    """A person who signs in. Poly staff have no partner; everyone else belongs to one."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    role = models.CharField(max_length=30, choices=Role.choices)
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    customer = models.ForeignKey(
        "Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="viewers"
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    time_zone = models.CharField(
        max_length=64, default=DEFAULT_USER_TIME_ZONE, validators=[validate_time_zone],
        help_text="The person's own time zone; Poly staff see case times in it beside the site's.",
    )
    language = models.CharField(
        max_length=8, choices=settings.LANGUAGES, blank=True,
        help_text="The language the person chose for the pages and mails that are translated; blank: the "
                  "partner's default.")

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    objects = UserManager()

    # Sign-in must find a user before any tenant is known: rls.py gives this table
    # the identity policy (own partner, oneself, or the sign-in lookup).
    rls_identity_column = "id"

    class Meta:
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role__in=sorted(POLY_ROLES)) & Q(partner__isnull=True) & Q(customer__isnull=True))
                | (Q(role__in=[Role.PARTNER_ADMIN, Role.PARTNER_ENGINEER]) & Q(partner__isnull=False)
                   & Q(customer__isnull=True))
                | (Q(role=Role.CUSTOMER_VIEWER) & Q(partner__isnull=False) & Q(customer__isnull=False)),
                name="user_role_matches_tenant",
            )
        ]
        indexes = [models.Index(fields=["partner", "role"])]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_poly_staff(self) -> bool:
        return self.role in POLY_ROLES

    @property
    def is_poly_admin(self) -> bool:
        return self.role == Role.POLY_ADMIN

    @property
    def is_partner_admin(self) -> bool:
        return self.role == Role.PARTNER_ADMIN

    @property
    def is_partner_member(self) -> bool:
        return self.role in {Role.PARTNER_ADMIN, Role.PARTNER_ENGINEER}

    @property
    def is_customer_viewer(self) -> bool:
        return self.role == Role.CUSTOMER_VIEWER

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


@audited()
class TrainingRecord(models.Model):
    """An engineer's completed Poly training for a certification category."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="training_records")
    engineer = models.ForeignKey(User, on_delete=models.CASCADE, related_name="training_records")
    category = models.CharField(max_length=20, choices=ServiceCategory.choices)
    course = models.CharField(max_length=200)
    completed_on = models.DateField(validators=[validate_portal_date])
    expires_on = models.DateField(validators=[validate_portal_date])

    class Meta:
        ordering = ["-expires_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gte=models.F("completed_on")), name="training_expires_after_completion"
            ),
        ]
        indexes = [models.Index(fields=["partner", "category", "expires_on"])]

    def __str__(self) -> str:
        return f"{self.engineer} · {self.course}"


@audited()
class Customer(models.Model):
    """An end customer of one partner."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="customers")
    name = models.CharField(max_length=200)
    master_account_id = models.CharField(
        max_length=40,
        blank=True,
        validators=[RegexValidator(r"^[A-Z0-9-]+$", "Use capital letters, digits and hyphens.")],
        help_text="Poly+ Enterprise: the one identifier all the customer's devices are tracked under.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "name"], name="customer_name_unique_per_partner"),
            models.UniqueConstraint(
                fields=["partner", "master_account_id"],
                condition=~Q(master_account_id=""),
                name="customer_master_account_unique_per_partner",
            ),
        ]
        indexes = [models.Index(fields=["partner", "name"])]

    def __str__(self) -> str:
        return self.name


@audited()
class Site(models.Model):
    """A customer location. Cases are keyed by its Site ID, unique across the portal."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="sites")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="sites")
    site_id = models.CharField(
        "Site ID",
        max_length=40,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9][A-Z0-9-]{2,39}$", "Use 3–40 capital letters, digits and hyphens.")],
    )
    name = models.CharField(max_length=200)
    address = models.TextField()
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    subdivision = models.CharField(max_length=6, blank=True, help_text="ISO 3166-2, e.g. SE-AB")
    timezone = models.CharField(max_length=64)

    class Meta:
        ordering = ["site_id"]
        indexes = [models.Index(fields=["partner", "customer"])]

    def __str__(self) -> str:
        return f"{self.site_id} · {self.name}"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


@audited()
class CsmAssignment(models.Model):
    """The Customer Success Manager for an Enterprise customer."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="csm_assignments")
    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="csm_assignment")
    csm = models.ForeignKey(User, on_delete=models.PROTECT, related_name="csm_assignments")
    since = models.DateField(default=timezone.localdate, validators=[validate_portal_date])

    class Meta:
        indexes = [models.Index(fields=["csm"])]

    def __str__(self) -> str:
        return f"{self.csm} → {self.customer}"


@audited(exclude=["key_hash", "last_used_at"])
class ApiToken(models.Model):
    """A personal API token. Only a hash of the key is kept; the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, null=True, blank=True)
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    rls_identity_column = "user_id"

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


@audited()
class PolicySetting(models.Model):
    """A Poly admin's override of a registered business default (policy.py)."""

    key = models.CharField(max_length=60, unique=True)
    value = models.CharField(max_length=200)
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"


class CertificationReminder(models.Model):
    """A reminder mailed to a partner's admins that a certification expires on `expires_on`.

    One per certification and expiry date: the unique constraint is what makes a rerun of
    the daily job send nothing twice, and a renewal (a new expiry date) gets its own reminder.
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="certification_reminders")
    certification = models.ForeignKey(Certification, on_delete=models.CASCADE, related_name="reminders")
    category = models.CharField(max_length=20, choices=ServiceCategory.choices)
    expires_on = models.DateField()
    recipients = models.TextField(help_text="The addresses it was sent to, one a line.")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["certification", "expires_on"], name="certification_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.certification} · expires {self.expires_on}"


class NumberKind(models.TextChoices):
    """The kinds of business numbers a partner issues, each from its own counter."""

    CASE = "case", "Service case"
    CONTRACT = "contract", "Contract"
    QUOTE = "quote", "Quote"


class PartnerNumberCounter(models.Model):
    """The last number a partner issued of one kind. It only ever goes up (numbering.py)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="number_counters")
    kind = models.CharField(max_length=20, choices=NumberKind.choices)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "kind"], name="number_counter_one_per_partner_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.partner} · {self.kind} · {self.last_value}"
