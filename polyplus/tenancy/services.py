"""Every write to tenancy data. Pages, the API, commands and tasks all call these.

Each function checks who may act (PermissionDenied) and what is valid
(ValidationError keyed by field), and writes nothing when either fails.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import zoneinfo
from functools import cache

import pycountry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from polyplus.files import delete_on_commit, save_file
from polyplus.tenancy.contrast import check_primary
from polyplus.tenancy.models import (
    PARTNER_ROLES,
    ApiToken,
    Certification,
    CsmAssignment,
    Customer,
    Partner,
    PartnerBrand,
    PartnerDomain,
    PolicySetting,
    Role,
    ServiceCategory,
    Site,
    TrainingRecord,
    User,
)
from polyplus.tenancy.numbering import propose_partner_code
from polyplus.tenancy.policy import Policy, registered_policies

TOKEN_PREFIX = "pp_"


# ---- who may act -------------------------------------------------------------------------

def require_poly_admin(actor: User) -> None:
    if not actor.is_poly_admin:
        raise PermissionDenied("Only a Poly admin may do this.")


def require_partner_admin_of(actor: User, partner: Partner) -> None:
    """Poly admins manage every partner; a partner admin manages only its own."""
    if actor.is_poly_admin:
        return
    if actor.is_partner_admin and actor.partner_id == partner.pk:
        return
    raise PermissionDenied("Only the partner's admin or a Poly admin may do this.")


def roles_grantable_by(actor: User) -> list[str]:
    if actor.is_poly_admin:
        return list(Role.values)
    if actor.is_partner_admin:
        return sorted(PARTNER_ROLES)
    return []


# ---- validation helpers ----------------------------------------------------------------------

@cache
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_country(code: str) -> str:
    code = (code or "").strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValidationError({"country": [f"“{code}” is not an ISO 3166-1 alpha-2 country code."]})
    return code


def _partner_country(code: str) -> str:
    """A partner's country is optional; given, it is an ISO 3166-1 alpha-2 code."""
    return validate_country(code) if (code or "").strip() else ""


def validate_subdivision(country: str, code: str) -> str:
    code = (code or "").strip().upper()
    if not code:
        return ""
    subdivision = pycountry.subdivisions.get(code=code)
    if subdivision is None or subdivision.country_code != country:
        raise ValidationError({"subdivision": [f"“{code}” is not an ISO 3166-2 subdivision of {country}."]})
    return code


def validate_timezone(name: str) -> str:
    name = (name or "").strip()
    if name not in _timezones():
        raise ValidationError({"timezone": [f"“{name}” is not a known time zone (e.g. Europe/Stockholm)."]})
    return name


def _full_clean(instance, exclude: list[str] | None = None) -> None:
    instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


def _save_unique(instance, unique_messages: dict[str, tuple[str, str]]) -> None:
    """Save, turning a unique-constraint violation into a field error.

    Uniqueness is checked by the database, not by a query first: a key taken by another
    partner is invisible here (row-level security), and the message must not say whose it is.
    `unique_messages` maps a fragment of the constraint name to (field, message).
    """
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", "") or ""
        for fragment, (field, message) in unique_messages.items():
            if fragment in constraint:
                raise ValidationError({field: [message]}) from None
        raise


# ---- partners --------------------------------------------------------------------------------

PARTNER_UNIQUE_MESSAGES = {
    "name": ("name", "A partner with this name exists."),
    "slug": ("slug", "A partner with this slug exists."),
    "code": ("code", "A partner with this code exists."),
}


@transaction.atomic
def partner_create(*, by: User, name: str, slug: str, code: str = "", display_name: str = "",
                   primary_color: str = "#0b3d91", accent_color: str = "#f28c28",
                   support_email: str = "", support_phone: str = "", country: str = "",
                   default_language: str = "en") -> Partner:
    """Register a certified service partner, with its brand.

    The code starts every number the partner issues; left blank, one is made from the slug.
    """
    require_poly_admin(by)
    partner = Partner(name=name.strip(), slug=slug.strip(), code=code.strip().upper(),
                      country=_partner_country(country))
    if not partner.code:
        taken = set(Partner.objects.values_list("code", flat=True))
        partner.code = propose_partner_code(partner.slug, taken)
    _full_clean(partner)
    _save_unique(partner, PARTNER_UNIQUE_MESSAGES)
    brand = PartnerBrand(partner=partner, display_name=display_name.strip() or partner.name,
                         primary_color=primary_color, accent_color=accent_color,
                         support_email=support_email, support_phone=support_phone,
                         default_language=default_language)
    _full_clean(brand, exclude=["partner"])
    validate_brand_primary(brand.primary_color)
    brand.save()
    return partner


@transaction.atomic
def partner_update(*, by: User, partner: Partner, name: str, slug: str, is_active: bool,
                   country: str | None = None, code: str | None = None) -> Partner:
    """Rename or (de)activate a partner. Its code stays: the numbers it issued carry it."""
    require_poly_admin(by)
    if code is not None and code.strip().upper() != partner.code:
        raise ValidationError({"code": ["A partner's code cannot change: its case and contract numbers carry it."]})
    partner.name, partner.slug, partner.is_active = name.strip(), slug.strip(), is_active
    if country is not None:
        partner.country = _partner_country(country)
    _full_clean(partner)
    _save_unique(partner, PARTNER_UNIQUE_MESSAGES)
    return partner


@transaction.atomic
def partner_brand_update(*, by: User, partner: Partner, display_name: str, primary_color: str,
                         accent_color: str, support_email: str = "", support_phone: str = "",
                         logo=None, default_language: str | None = None) -> PartnerBrand:
    """Change what the partner's customers see: name, colours, contacts, logo, and the language
    their pages and mails speak (unchanged when None)."""
    require_partner_admin_of(by, partner)
    brand, _ = PartnerBrand.objects.get_or_create(partner=partner, defaults={"display_name": partner.name})
    brand.display_name = display_name.strip()
    brand.primary_color, brand.accent_color = primary_color, accent_color
    brand.support_email, brand.support_phone = support_email, support_phone
    if default_language is not None:
        brand.default_language = default_language
    extension = validate_brand_logo(logo) if logo is not None else None
    _full_clean(brand, exclude=["partner"])
    validate_brand_primary(brand.primary_color)
    if extension is not None:
        # Judged by content, stored under a name of ours so the extension tells the true type.
        replaced = brand.logo.name
        if save_file(brand.logo, f"{partner.slug}{extension}", logo) != replaced:
            delete_on_commit(brand.logo.storage, replaced)
    brand.save()
    return brand


@transaction.atomic
def partner_and_brand_update(*, by: User, partner: Partner, name: str, slug: str, is_active: bool,
                             display_name: str, primary_color: str, accent_color: str,
                             country: str | None = None) -> Partner:
    """Change a partner and its brand's name and colours as one change: all saved, or nothing.

    The brand's support contacts stay as the partner keeps them.
    """
    partner_update(by=by, partner=partner, name=name, slug=slug, is_active=is_active, country=country)
    brand = getattr(partner, "brand", None)
    partner_brand_update(by=by, partner=partner, display_name=display_name or name, primary_color=primary_color,
                         accent_color=accent_color, support_email=brand.support_email if brand else "",
                         support_phone=brand.support_phone if brand else "")
    return partner


@transaction.atomic
def partner_domain_add(*, by: User, partner: Partner, host: str) -> PartnerDomain:
    require_poly_admin(by)
    domain = PartnerDomain(partner=partner, host=host.strip().lower())
    _full_clean(domain, exclude=["partner"])
    _save_unique(domain, {"host": ("host", "This host name is already in use.")})
    return domain


@transaction.atomic
def partner_domain_remove(*, by: User, domain: PartnerDomain) -> None:
    require_poly_admin(by)
    domain.delete()


# ---- certifications and training ----------------------------------------------------------

def _check_dates(start: datetime.date, end: datetime.date, start_field: str, end_field: str) -> None:
    if end < start:
        raise ValidationError({end_field: [f"Must be on or after the {start_field.replace('_', ' ')}."]})


@transaction.atomic
def certification_set(*, by: User, partner: Partner, category: str, certified_on: datetime.date,
                      expires_on: datetime.date) -> Certification:
    """Record (or renew) the partner's service certification for a category."""
    require_poly_admin(by)
    if category not in ServiceCategory.values:
        raise ValidationError({"category": [f"“{category}” is not a certification category."]})
    _check_dates(certified_on, expires_on, "certified_on", "expires_on")
    certification, _ = Certification.objects.update_or_create(
        partner=partner, category=category,
        defaults={"certified_on": certified_on, "expires_on": expires_on},
    )
    return certification


@transaction.atomic
def certification_delete(*, by: User, certification: Certification) -> None:
    require_poly_admin(by)
    certification.delete()


@transaction.atomic
def training_record_create(*, by: User, engineer: User, category: str, course: str,
                           completed_on: datetime.date, expires_on: datetime.date) -> TrainingRecord:
    """Record an engineer's completed Poly training."""
    require_poly_admin(by)
    if engineer.partner_id is None or not engineer.is_partner_member:
        raise ValidationError({"engineer": ["Training is recorded for a partner's engineers only."]})
    if category not in ServiceCategory.values:
        raise ValidationError({"category": [f"“{category}” is not a certification category."]})
    _check_dates(completed_on, expires_on, "completed_on", "expires_on")
    record = TrainingRecord(partner_id=engineer.partner_id, engineer=engineer, category=category,
                            course=course.strip(), completed_on=completed_on, expires_on=expires_on)
    _full_clean(record, exclude=["partner", "engineer"])
    record.save()
    return record


@transaction.atomic
def training_record_delete(*, by: User, record: TrainingRecord) -> None:
    require_poly_admin(by)
    record.delete()


# ---- customers and sites ---------------------------------------------------------------------

CUSTOMER_UNIQUE = {
    "customer_name_unique": ("name", "This partner already has a customer with this name."),
    "customer_master_account": ("master_account_id", "This Master Account ID is already in use."),
}


@transaction.atomic
def customer_create(*, by: User, partner: Partner, name: str, master_account_id: str = "") -> Customer:
    """Add an end customer to a partner."""
    require_partner_admin_of(by, partner)
    customer = Customer(partner=partner, name=name.strip(), master_account_id=master_account_id.strip().upper())
    _full_clean(customer, exclude=["partner"])
    _save_unique(customer, CUSTOMER_UNIQUE)
    return customer


@transaction.atomic
def customer_update(*, by: User, customer: Customer, name: str, master_account_id: str = "") -> Customer:
    require_partner_admin_of(by, customer.partner)
    customer.name, customer.master_account_id = name.strip(), master_account_id.strip().upper()
    _full_clean(customer, exclude=["partner"])
    _save_unique(customer, CUSTOMER_UNIQUE)
    return customer


SITE_ID_TAKEN = "This Site ID is already in use."
SITE_UNIQUE = {"site_id": ("site_id", SITE_ID_TAKEN)}


class _ProbeDone(Exception):
    """Raised to roll a probe's savepoint back once the database has answered."""


def site_id_in_use(site_id: str, *, customer: Customer, current_site_id: str = "") -> bool:
    """Whether another site already holds `site_id`, anywhere in the portal.

    Row-level security hides other partners' sites from a query, but not from the unique
    index, so the database is asked by a trial insert that is always rolled back. A form can
    then report a taken Site ID on the first submit, together with its other errors.
    """
    site_id = (site_id or "").strip().upper()
    if not site_id or site_id == current_site_id:
        return False
    probe = Site(partner_id=customer.partner_id, customer=customer, site_id=site_id, name="-", address="-",
                 country="SE", timezone="UTC")
    try:
        with transaction.atomic():
            probe.save()
            raise _ProbeDone
    except _ProbeDone:
        return False
    except IntegrityError as exc:
        constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", "") or ""
        if "site_id" in constraint:
            return True
        raise


def _fill_site(site: Site, *, site_id: str, name: str, address: str, country: str,
               subdivision: str, timezone_name: str) -> None:
    errors: dict[str, list[str]] = {}
    saved_site_id = site.site_id if site.pk else ""
    site.site_id, site.name, site.address = site_id.strip().upper(), name.strip(), address.strip()
    for field, check in (
        ("country", lambda: validate_country(country)),
        ("timezone", lambda: validate_timezone(timezone_name)),
    ):
        try:
            setattr(site, field, check())
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "country" not in errors:
        try:
            site.subdivision = validate_subdivision(site.country, subdivision)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        _full_clean(site, exclude=["partner", "customer", "country", "subdivision", "timezone"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors and "site_id" not in errors and site_id_in_use(site.site_id, customer=site.customer,
                                                             current_site_id=saved_site_id):
        errors["site_id"] = [SITE_ID_TAKEN]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def site_create(*, by: User, customer: Customer, site_id: str, name: str, address: str,
                country: str, subdivision: str = "", timezone_name: str) -> Site:
    """Add a site (a Site ID unique across the portal) to a customer."""
    require_partner_admin_of(by, customer.partner)
    site = Site(partner_id=customer.partner_id, customer=customer)
    _fill_site(site, site_id=site_id, name=name, address=address, country=country,
               subdivision=subdivision, timezone_name=timezone_name)
    _save_unique(site, SITE_UNIQUE)
    return site


@transaction.atomic
def site_update(*, by: User, site: Site, site_id: str, name: str, address: str,
                country: str, subdivision: str = "", timezone_name: str) -> Site:
    require_partner_admin_of(by, site.partner)
    _fill_site(site, site_id=site_id, name=name, address=address, country=country,
               subdivision=subdivision, timezone_name=timezone_name)
    _save_unique(site, SITE_UNIQUE)
    return site


# ---- users -----------------------------------------------------------------------------------

USER_UNIQUE = {"email": ("email", "A user with this email address exists.")}


def require_user_manager(actor: User) -> None:
    if not (actor.is_poly_admin or actor.is_partner_admin):
        raise PermissionDenied("Only a partner admin or a Poly admin may manage users.")


def _check_role_and_tenant(*, by: User, role: str, partner: Partner | None, customer: Customer | None) -> None:
    if role not in Role.values:
        raise ValidationError({"role": [f"“{role}” is not a role."]})
    if role not in roles_grantable_by(by):
        raise ValidationError({"role": [f"You may not grant the role “{Role(role).label}”."]})
    if role in PARTNER_ROLES:
        if partner is None:
            raise ValidationError({"partner": ["A partner user needs a partner."]})
        require_partner_admin_of(by, partner)
    elif partner is not None:
        raise ValidationError({"partner": ["Poly staff belong to no partner."]})
    if role == Role.CUSTOMER_VIEWER:
        if customer is None:
            raise ValidationError({"customer": ["A customer viewer needs a customer."]})
        if customer.partner_id != partner.pk:
            raise ValidationError({"customer": ["The customer must belong to the user's partner."]})
    elif customer is not None:
        raise ValidationError({"customer": ["Only a customer viewer is tied to a customer."]})


@transaction.atomic
def user_create(*, by: User, email: str, full_name: str, role: str, partner: Partner | None = None,
                customer: Customer | None = None, password: str | None = None, invite_from: str = "") -> User:
    """Create a person's account. Without a password, they are mailed an invitation to set one
    (after commit), with links rooted at the partner's own host or at `invite_from`, the
    portal address the account was made at."""
    require_user_manager(by)
    _check_role_and_tenant(by=by, role=role, partner=partner, customer=customer)
    user = User(email=User.objects.normalize_email(email.strip()).lower(), full_name=full_name.strip(),
                role=role, partner=partner, customer=customer)
    if password:
        from django.contrib.auth.password_validation import validate_password

        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    _full_clean(user, exclude=["password", "partner", "customer"])
    _save_unique(user, USER_UNIQUE)
    if not password:
        from polyplus.tenancy.tasks import send_invitation

        send_invitation.delay_on_commit(user.pk, user.partner_id, invite_from)
    return user


@transaction.atomic
def user_update(*, by: User, user: User, full_name: str, role: str, is_active: bool,
                customer: Customer | None = None) -> User:
    """Change a person's name, role, customer or whether they may sign in.

    Deactivating someone also revokes their API tokens.
    """
    require_user_manager(by)
    if user.partner_id is None:
        require_poly_admin(by)
    else:
        require_partner_admin_of(by, user.partner)
    _check_role_and_tenant(by=by, role=role, partner=user.partner, customer=customer)
    if user.pk == by.pk and (role != user.role or not is_active):
        raise ValidationError({"role": ["You cannot change your own role or deactivate yourself."]})
    user.full_name, user.role, user.is_active, user.customer = full_name.strip(), role, is_active, customer
    _full_clean(user, exclude=["password", "partner", "customer", "email"])
    user.save()
    if not is_active:
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return user


@transaction.atomic
def user_time_zone_set(*, by: User, time_zone: str) -> User:
    """A person chooses their own time zone (Poly staff see case times in it beside the site's)."""
    name = (time_zone or "").strip()
    if name not in _timezones():
        raise ValidationError({"time_zone": [f"“{name}” is not a known time zone (e.g. Europe/Stockholm)."]})
    by.time_zone = name
    by.save(update_fields=["time_zone"])
    return by


def user_language_set(*, user: User, language: str) -> User:
    """The language a person chose for the translated pages and their mails (languages.py)."""
    from polyplus.tenancy.languages import supported

    code = supported(language)
    if code is None:
        raise ValidationError({"language": ["Choose English, Polski or Svenska."]})
    user.language = code
    user.save(update_fields=["language"])
    return user


# ---- CSM assignments ------------------------------------------------------------------------

@transaction.atomic
def csm_assign(*, by: User, customer: Customer, csm: User) -> CsmAssignment:
    """Make `csm` the Customer Success Manager of an Enterprise customer (replacing any other)."""
    require_poly_admin(by)
    if csm.role != Role.CSM or not csm.is_active:
        raise ValidationError({"csm": ["Choose an active Customer Success Manager."]})
    assignment, _ = CsmAssignment.objects.update_or_create(
        customer=customer, defaults={"partner_id": customer.partner_id, "csm": csm, "since": timezone.localdate()}
    )
    return assignment


@transaction.atomic
def csm_unassign(*, by: User, assignment: CsmAssignment) -> None:
    require_poly_admin(by)
    assignment.delete()


# ---- API tokens -----------------------------------------------------------------------------

def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token; the key is returned once and only its hash is kept."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["Give the token a name, e.g. the tool that will use it."]})
    if not user.is_active:
        raise PermissionDenied("This account is inactive.")
    key = TOKEN_PREFIX + secrets.token_urlsafe(30)
    token = ApiToken.objects.create(user=user, partner_id=user.partner_id, name=name[:100],
                                    prefix=key[len(TOKEN_PREFIX):][:8], key_hash=_hash_key(key))
    return token, key


@transaction.atomic
def api_token_revoke(*, by: User, token: ApiToken) -> ApiToken:
    if token.user_id != by.pk:
        raise PermissionDenied("You may revoke only your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(key: str) -> tuple[User, ApiToken] | None:
    """The active user behind an active token key, or None. Run under the sign-in context."""
    if not key.startswith(TOKEN_PREFIX):
        return None
    token = (ApiToken.objects.select_related("user")
             .filter(key_hash=_hash_key(key), revoked_at__isnull=True, user__is_active=True).first())
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user, token


# ---- brand logos ---------------------------------------------------------------------------

LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_SIDE = 4000
# What a stored logo is served as; SVG only for logos stored before uploads were limited to
# pictures (it is still served sandboxed), never accepted anew.
LOGO_CONTENT_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".webp": "image/webp", ".svg": "image/svg+xml"}
_LOGO_FORMATS = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp"}
_LOGO_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def brand_logo_extension(data: bytes) -> str | None:
    """The extension of a logo's real type (PNG, JPEG or WebP), judged by its content (never its
    name) and decoded in full, or None. SVG is refused: a drawing can carry script."""
    from io import BytesIO

    from PIL import Image

    is_webp = data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    if not (data.startswith(_LOGO_SIGNATURES) or is_webp):
        return None
    try:
        with Image.open(BytesIO(data)) as image:
            kind = image.format
            if max(image.size) > LOGO_MAX_SIDE:
                return None
            image.load()
    except Exception:  # a decoder fails on crafted input in many ways; each means "not an image"
        return None
    return _LOGO_FORMATS.get(kind)


def validate_brand_logo(upload) -> str:
    """Check an uploaded logo is a real PNG, JPEG or WebP picture of at most 1 MB; return its extension."""
    if upload.size > LOGO_MAX_BYTES:
        raise ValidationError({"logo": ["The logo must be 1 MB or smaller."]})
    upload.seek(0)
    data = upload.read(LOGO_MAX_BYTES + 1)
    upload.seek(0)
    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError({"logo": ["The logo must be 1 MB or smaller."]})
    extension = brand_logo_extension(data)
    if extension is None:
        raise ValidationError({"logo": [
            f"Upload a PNG, JPEG or WebP picture (no SVG), at most {LOGO_MAX_SIDE} pixels a side."]})
    return extension


def validate_brand_primary(primary_color: str) -> None:
    """Refuse a primary colour the portal's text would be unreadable on (WCAG 2.1 AA, 4.5:1),
    with the ratio it reaches and the nearest darker shade that passes."""
    check = check_primary(primary_color)
    if not check.passes:
        raise ValidationError({"primary_color": [check.message]})


# ---- business defaults Poly can change (policy.py) -------------------------------------------

def _registered_policy(key: str) -> Policy:
    policy = next((policy for policy in registered_policies() if policy.key == key), None)
    if policy is None:
        raise ValidationError({"key": [f"“{key}” is not a setting."]})
    return policy


@transaction.atomic
def policy_setting_set(*, by: User, key: str, value: str) -> PolicySetting:
    """Override a registered default with a value its own parser accepts. Poly admins only; audited."""
    require_poly_admin(by)
    policy = _registered_policy(key)
    text = str(value if value is not None else "").strip()
    if not text:
        raise ValidationError({"value": ["Enter a value, or reset the setting to its default."]})
    if len(text) > PolicySetting._meta.get_field("value").max_length:
        raise ValidationError({"value": ["The value is too long."]})
    try:
        policy.parse(text)
    except ValidationError as exc:
        raise ValidationError({"value": exc.messages}) from None
    setting, _ = PolicySetting.objects.update_or_create(
        key=key, defaults={"value": text, "updated_by": by, "updated_at": timezone.now()}
    )
    return setting


@transaction.atomic
def policy_setting_reset(*, by: User, key: str) -> None:
    """Drop an override, so the registered default applies again."""
    require_poly_admin(by)
    _registered_policy(key)
    PolicySetting.objects.filter(key=key).delete()
