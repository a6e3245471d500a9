"""Every read of tenancy data, scoped to the person reading.

A foreign object and a missing one raise the same Http404, in pages and API alike.
Row-level security backs these filters up; it does not replace them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import capfirst

from polyplus.tenancy.models import (
    ApiToken,
    Certification,
    CsmAssignment,
    Customer,
    Partner,
    Role,
    ServiceCategory,
    Site,
    TrainingRecord,
    User,
)
from polyplus.tenancy.scoping import ALL_PARTNERS_ROLES, get_or_404, scope_by_customer


def partners_visible_to(user: User) -> QuerySet[Partner]:
    partners = Partner.objects.select_related("brand")
    if user.role in ALL_PARTNERS_ROLES:
        return partners
    if user.role == Role.CSM:
        return partners.filter(customers__csm_assignment__csm=user).distinct()
    return partners.filter(pk=user.partner_id)


def partner_get_for_user(*, user: User, pk) -> Partner:
    return get_or_404(partners_visible_to(user), pk=pk)


def customers_visible_to(user: User) -> QuerySet[Customer]:
    customers = Customer.objects.select_related("partner", "csm_assignment__csm")
    return scope_by_customer(customers, user, customer_path=None)


def customer_get_for_user(*, user: User, pk) -> Customer:
    return get_or_404(customers_visible_to(user), pk=pk)


def customers_with_site_counts(user: User) -> QuerySet[Customer]:
    return customers_visible_to(user).annotate(site_count=Count("sites")).order_by("name")


def sites_visible_to(user: User) -> QuerySet[Site]:
    return scope_by_customer(Site.objects.select_related("customer", "partner"), user)


def site_get_for_user(*, user: User, site_id: str) -> Site:
    return get_or_404(sites_visible_to(user), site_id=str(site_id).upper())


def sites_search(*, user: User, text: str) -> QuerySet[Site]:
    """Sites whose Site ID, name or customer matches what a person typed."""
    text = text.strip()
    sites = sites_visible_to(user)
    if not text:
        return sites
    return sites.filter(
        Q(site_id__icontains=text) | Q(name__icontains=text) | Q(customer__name__icontains=text)
    )


def users_visible_to(user: User) -> QuerySet[User]:
    """Poly admins see every user, partner admins their partner's; anyone else only themselves."""
    users = User.objects.select_related("partner", "customer")
    if user.role == Role.POLY_ADMIN:
        return users
    if user.role == Role.PARTNER_ADMIN:
        return users.filter(partner_id=user.partner_id)
    return users.filter(pk=user.pk)


def user_get_for_user(*, user: User, pk) -> User:
    return get_or_404(users_visible_to(user), pk=pk)


def poly_staff_users(role: str | None = None) -> QuerySet[User]:
    staff = User.objects.filter(partner__isnull=True, is_active=True)
    return staff.filter(role=role) if role else staff


def certifications_visible_to(user: User) -> QuerySet[Certification]:
    """A partner's certifications are Poly's and the partner's business, not its customers'."""
    certifications = Certification.objects.select_related("partner")
    if user.role == Role.CUSTOMER_VIEWER:
        return certifications.none()
    return certifications.filter(partner__in=partners_visible_to(user))


def certification_get_for_user(*, user: User, pk) -> Certification:
    return get_or_404(certifications_visible_to(user), pk=pk)


def training_records_visible_to(user: User) -> QuerySet[TrainingRecord]:
    records = TrainingRecord.objects.select_related("engineer", "partner")
    if user.role in ALL_PARTNERS_ROLES:
        return records
    if user.role == Role.PARTNER_ADMIN:
        return records.filter(partner_id=user.partner_id)
    if user.role == Role.PARTNER_ENGINEER:
        return records.filter(partner_id=user.partner_id, engineer=user)
    return records.none()


def training_record_get_for_user(*, user: User, pk) -> TrainingRecord:
    return get_or_404(training_records_visible_to(user), pk=pk)


def csm_assignments_visible_to(user: User) -> QuerySet[CsmAssignment]:
    assignments = CsmAssignment.objects.select_related("customer", "csm", "partner")
    if user.role in ALL_PARTNERS_ROLES:
        return assignments
    if user.role == Role.CSM:
        return assignments.filter(csm=user)
    if user.role in {Role.PARTNER_ADMIN, Role.PARTNER_ENGINEER}:
        return assignments.filter(partner_id=user.partner_id)
    return assignments.none()


def csm_assignment_get_for_user(*, user: User, pk) -> CsmAssignment:
    return get_or_404(csm_assignments_visible_to(user), pk=pk)


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def api_token_get_for_user(*, user: User, pk) -> ApiToken:
    return get_or_404(api_tokens_of(user), pk=pk)


def audit_events_visible_to(user: User) -> QuerySet:
    """Audit events, newest first: Poly support and admins see all, a partner admin its partner's.

    Each event keeps a snapshot of the changed row (`pgh_data`, with its `partner_id`) and
    who did it (`pgh_context`); row-level security on every event table backs this filter.
    """
    from pghistory.models import Events

    events = Events.objects.order_by("-pgh_created_at", "-pgh_id")
    if user.role in ALL_PARTNERS_ROLES:
        return events
    if user.role == Role.PARTNER_ADMIN:
        own = Q(pgh_data__partner_id=user.partner_id) | Q(pgh_obj_model="tenancy.Partner",
                                                          pgh_obj_id=str(user.partner_id))
        # A row marked internal (a Poly-only case note or its attachment) is Poly's alone, in history too.
        return events.filter(own).exclude(pgh_data__contains={"internal": True})
    return events.none()


def partner_domains_visible_to(user: User) -> QuerySet:
    """Host names of the partners the user may see."""
    from polyplus.tenancy.models import PartnerDomain

    return PartnerDomain.objects.select_related("partner").filter(partner__in=partners_visible_to(user))


def partner_domain_get_for_user(*, user: User, pk):
    return get_or_404(partner_domains_visible_to(user), pk=pk)


def policy_settings_visible_to(user: User) -> QuerySet:
    """The stored overrides of business defaults: Poly admins keep them, so only they list them."""
    from polyplus.tenancy.models import PolicySetting

    settings = PolicySetting.objects.select_related("updated_by")
    return settings if user.role == Role.POLY_ADMIN else settings.none()


# ---- counts ------------------------------------------------------------------------------------

def count_of(queryset: QuerySet, *, link: str = "partner"):
    """A per-row count as one correlated subquery, so a list costs the same whatever its length."""
    counted = queryset.filter(**{link: OuterRef("pk")}).order_by().values(link).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted[:1]), 0)


def partners_with_counts(user: User) -> QuerySet[Partner]:
    """Partners the user may see, with customer, site and user counts and their certifications.

    Whoever may see a partner may know how many active people it has, though only admins may
    list them: the count is not narrowed to the users the reader could open.
    """
    return partners_visible_to(user).annotate(
        customer_count=count_of(customers_visible_to(user)),
        site_count=count_of(sites_visible_to(user)),
        user_count=count_of(User.objects.filter(is_active=True)),
    ).prefetch_related(Prefetch("certifications", queryset=certifications_visible_to(user)))


# ---- certification standing -------------------------------------------------------------------

EXPIRY_WARNING_DAYS = 60
SHORT_CATEGORY = {ServiceCategory.HEADSET: "Headsets", ServiceCategory.VIDEO: "Video", ServiceCategory.VOICE: "Voice"}
STATE_WORD = {"ok": "current", "warn": "expiring", "bad": "lapsed", "": "none"}


@dataclass(frozen=True)
class Standing:
    """A certification's standing on a day: a badge state (ok, warn, bad; "" for none) and its words."""

    state: str
    label: str


def certification_standing(certification: Certification, today: datetime.date) -> Standing:
    if certification.expires_on < today:
        return Standing("bad", f"Lapsed {certification.expires_on:%-d %b %Y}")
    if certification.certified_on > today:
        return Standing("warn", f"Starts {certification.certified_on:%-d %b %Y}")
    days = (certification.expires_on - today).days
    if days <= EXPIRY_WARNING_DAYS:
        return Standing("warn", "Expires today" if days == 0 else f"Expires in {days} day{'s' if days != 1 else ''}")
    return Standing("ok", f"Current to {certification.expires_on:%-d %b %Y}")


def with_standing(certifications: Iterable[Certification], today: datetime.date | None = None) -> list:
    """The certifications, each with `state` and `state_label` for its badge."""
    today = today or timezone.localdate()
    marked = []
    for certification in certifications:
        standing = certification_standing(certification, today)
        certification.state, certification.state_label = standing.state, standing.label
        marked.append(certification)
    return marked


@dataclass(frozen=True)
class CategoryFlag:
    category: str
    state: str
    label: str

    @property
    def text(self) -> str:
        return f"{SHORT_CATEGORY.get(self.category, self.category)}: {STATE_WORD[self.state]}"


def category_flags(partner: Partner, today: datetime.date) -> list[CategoryFlag]:
    """One flag per service category: current, expiring, lapsed or not certified."""
    held = {c.category: c for c in partner.certifications.all()}
    flags = []
    for category in ServiceCategory.values:
        certification = held.get(category)
        if certification is None:
            flags.append(CategoryFlag(category, "", "Not certified"))
        else:
            standing = certification_standing(certification, today)
            flags.append(CategoryFlag(category, standing.state, standing.label))
    return flags


def with_flags(partners: Iterable[Partner], today: datetime.date | None = None) -> list[Partner]:
    """The partners (from partners_with_counts), each with its certification `flags`."""
    today = today or timezone.localdate()
    flagged = []
    for partner in partners:
        partner.flags = category_flags(partner, today)
        flagged.append(partner)
    return flagged


def certifications_needing_attention(user: User, today: datetime.date, *, lapsed: bool | None = None,
                                     limit: int = 20) -> list[Certification]:
    """Certifications that lapsed (lapsed=True), expire soon (False), or both (None); soonest first."""
    horizon = today + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
    certifications = certifications_visible_to(user).filter(expires_on__lte=horizon)
    if lapsed is True:
        certifications = certifications.filter(expires_on__lt=today)
    elif lapsed is False:
        certifications = certifications.filter(expires_on__gte=today)
    return with_standing(certifications.order_by("expires_on")[:limit], today)


def training_records_with_standing(user: User, partner: Partner, today: datetime.date | None = None) -> list:
    """A partner's training records, each marked `is_current` on `today`."""
    today = today or timezone.localdate()
    records = list(training_records_visible_to(user).filter(partner=partner).order_by(
        "engineer__email", "category", "-expires_on"))
    for record in records:
        record.is_current = record.completed_on <= today <= record.expires_on
    return records


# ---- audit log --------------------------------------------------------------------------------

ACTIONS = {"insert": "Created", "update": "Changed", "delete": "Deleted"}
# What names a row, tried in this order: a case or contract number, a serial, a Site ID, a name...
NAME_KEYS = ("number", "serial", "site_id", "sku", "display_name", "name", "email", "host", "course",
             "original_name", "key", "prefix")
# A row with no name of its own (a comment, a contract line) is named by the row it belongs to.
PARENT_KEYS = ("case", "contract", "device", "site", "customer", "engineer", "user", "partner")
QUIET_KEYS = {"id", "created_at", "date_joined", "partner_id"}


@dataclass
class AuditChange:
    field: str
    before: str | None
    after: str


@dataclass
class AuditEntry:
    when: datetime.datetime
    action: str
    model: str
    label: str
    who: str
    reason: str = ""
    changes: list[AuditChange] = field(default_factory=list)


def audit_kinds() -> list[tuple[str, str]]:
    """(model label, readable name) of every kind of row the audit log records, for its filter."""
    from pghistory.models import Event

    tracked = {model.pgh_tracked_model for model in apps.get_models()
               if issubclass(model, Event) and getattr(model, "pgh_tracked_model", None)}
    return sorted(((model._meta.label, capfirst(model._meta.verbose_name)) for model in tracked),
                  key=lambda kind: kind[1])


def audit_log(user: User, *, who: str = "", kind: str = "", since: datetime.date | None = None,
              until: datetime.date | None = None) -> QuerySet:
    """The audit events `user` may read, newest first, narrowed by who, kind of row and day (UTC).

    A partner admin finds Poly's work under "Poly staff", never by a staff member's address.
    """
    events = audit_events_newest_first(user)
    who = who.strip()
    if who:
        by_staff = Q(pgh_context__staff_context=True)
        if who.lower() == "poly staff":
            events = events.filter(by_staff)
        elif user.is_poly_staff:
            events = events.filter(pgh_context__user_email__icontains=who)
        else:
            events = events.filter(pgh_context__user_email__icontains=who).exclude(by_staff)
    if kind:
        events = events.filter(pgh_obj_model=kind)
    if since:
        events = events.filter(pgh_created_at__date__gte=since)
    if until:
        events = events.filter(pgh_created_at__date__lte=until)
    return events


def _tracked_model(event):
    try:
        return apps.get_model(event.pgh_obj_model)
    except (LookupError, ValueError):
        return None


def _model_field(model, key: str):
    if model is not None:
        for name in (key, key.removesuffix("_id")):
            try:
                return model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
    return None


def _own_name(values) -> str:
    """A row's own name from a snapshot (a dict) or an object."""
    get = values.get if isinstance(values, dict) else (lambda key: getattr(values, key, None))
    return next((str(get(key)) for key in NAME_KEYS if get(key)), "")


class _Names:
    """Names of the rows that audit events point at, fetched in one query per kind of row."""

    def __init__(self):
        self.wanted: dict[type, set] = {}
        self.found: dict[tuple[type, str], str] = {}

    def want(self, model_field, value) -> None:
        if model_field is not None and model_field.is_relation and value not in (None, ""):
            self.wanted.setdefault(model_field.related_model, set()).add(value)

    def fetch(self) -> None:
        for model, ids in self.wanted.items():
            # Read as the viewer (row-level security): a row they may not see keeps its bare id.
            for row in model._default_manager.filter(pk__in=ids):
                self.found[(model, str(row.pk))] = _own_name(row) or f"#{row.pk}"

    def of(self, model_field, value) -> str:
        return self.found.get((model_field.related_model, str(value)), f"#{value}")


def _shown(value, model_field=None, names: _Names | None = None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if model_field is not None and model_field.is_relation and names is not None:
        return names.of(model_field, value)
    if model_field is not None and model_field.choices:
        value = dict(model_field.flatchoices).get(value, value)
    if isinstance(model_field, models.FileField):
        value = PurePosixPath(str(value)).name  # the file's name, never where it is stored
    if isinstance(model_field, models.DateTimeField):
        value = _readable_time(value)
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"


def _readable_time(value) -> str:
    try:
        moment = datetime.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return f"{moment.astimezone(datetime.UTC):%-d %b %Y, %H:%M} UTC"


def _field_label(model_field, key: str) -> str:
    return str(model_field.verbose_name) if model_field is not None else key.replace("_", " ")


def _who(event, viewer: User) -> tuple[str, str]:
    """Who did it and why. A partner user sees "Poly staff" for work done in Poly's staff context,
    never the staff member's address or the reason they gave."""
    context = event.pgh_context or {}
    if context.get("staff_context"):
        if viewer.is_poly_staff:
            return context.get("user_email") or "Poly staff (automatic)", context.get("reason") or ""
        return "Poly staff", ""
    return context.get("user_email") or "System", context.get("reason") or ""


def _parent_field(model, data: dict):
    return next((_model_field(model, key) for key in PARENT_KEYS
                 if data.get(f"{key}_id") not in (None, "") and _model_field(model, key) is not None), None)


def _label(model, data: dict, names: _Names) -> str:
    own = _own_name(data)
    if own:
        return own
    parent = _parent_field(model, data)
    if parent is None:
        return str(data.get("category") or f"#{data.get('id', '')}")
    parent_name = f"{parent.related_model._meta.verbose_name} {names.of(parent, data[parent.attname])}"
    category = data.get("category") if _model_field(model, "category") is not None else None
    if category:
        category = dict(model._meta.get_field("category").flatchoices).get(category, category)
        return f"{category} on {parent_name}"
    return f"on {parent_name}"


def _changes(event, model, names: _Names) -> list[AuditChange]:
    changes = []
    if event.pgh_label == "update":
        for key, (before, after) in sorted((event.pgh_diff or {}).items()):
            if key not in QUIET_KEYS:
                model_field = _model_field(model, key)
                changes.append(AuditChange(_field_label(model_field, key), _shown(before, model_field, names),
                                           _shown(after, model_field, names)))
    elif event.pgh_label == "insert":
        # A new row's links to other rows are named in its label already.
        for key, value in (event.pgh_data or {}).items():
            if key not in QUIET_KEYS and not key.endswith("_id") and value not in (None, ""):
                model_field = _model_field(model, key)
                changes.append(AuditChange(_field_label(model_field, key), None, _shown(value, model_field)))
    return changes


def describe_audit_events(events: Iterable, viewer: User) -> list[AuditEntry]:
    """What `viewer` may read about each event: the row named by its own number or name (or its
    parent's), who did it, and what changed, with linked rows by name; one query per kind of row."""
    events = list(events)
    names = _Names()
    for event in events:
        model, data = _tracked_model(event), event.pgh_data or {}
        parent = _parent_field(model, data) if not _own_name(data) else None
        if parent is not None:
            names.want(parent, data[parent.attname])
        if event.pgh_label == "update":
            for key, (before, after) in (event.pgh_diff or {}).items():
                model_field = _model_field(model, key)
                names.want(model_field, before)
                names.want(model_field, after)
    names.fetch()
    entries = []
    for event in events:
        model = _tracked_model(event)
        who, reason = _who(event, viewer)
        entries.append(AuditEntry(
            when=event.pgh_created_at, action=ACTIONS.get(event.pgh_label, event.pgh_label),
            model=capfirst(model._meta.verbose_name) if model is not None else event.pgh_obj_model,
            label=_label(model, event.pgh_data or {}, names) if model is not None else f"#{event.pgh_obj_id}",
            who=who, reason=reason, changes=_changes(event, model, names),
        ))
    return entries


def audit_events_newest_first(user: User) -> QuerySet:
    """Events of one transaction share its timestamp, so the event's own id breaks the tie."""
    return audit_events_visible_to(user).order_by("-pgh_created_at", "-pgh_id")
