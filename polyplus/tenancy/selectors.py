"""Every read of tenancy data, scoped to the person reading.

A foreign object and a missing one raise the same Http404, in pages and API alike.
Row-level security backs these filters up; it does not replace them.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from polyplus.tenancy.models import (
    ApiToken,
    Certification,
    CsmAssignment,
    Customer,
    Partner,
    Role,
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
    certifications = Certification.objects.select_related("partner")
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
