"""Every read of ECPS escalations, agreements and authorisations, scoped to the reader.

Internal updates reach Poly staff only; a partner or customer sees the provider's incident number,
the findings and the public updates (DOMAIN.md, ECPS and "who sees what").
"""

from __future__ import annotations

import datetime

from django.db.models import Prefetch, Q, QuerySet

from ecps.models import (
    ACTIVE_STATUSES,
    CloudAgreement,
    CloudAuthorisation,
    CloudProvider,
    Escalation,
    EscalationUpdate,
    JointCall,
)
from polyplus.tenancy.models import User
from polyplus.tenancy.scoping import get_or_404, scope_by_customer


def providers_for_choice() -> QuerySet[CloudProvider]:
    return CloudProvider.objects.filter(active=True).order_by("name")


def providers_all() -> QuerySet[CloudProvider]:
    return CloudProvider.objects.order_by("name")


def provider_get(*, pk) -> CloudProvider:
    return get_or_404(providers_all(), pk=pk)


def updates_visible_to(user: User) -> QuerySet[EscalationUpdate]:
    updates = EscalationUpdate.objects.select_related("author")
    return updates if user.is_poly_staff else updates.filter(internal=False)


def escalations_visible_to(user: User) -> QuerySet[Escalation]:
    escalations = Escalation.objects.select_related("provider", "case", "customer", "partner", "case__site")
    return scope_by_customer(escalations, user)


def escalation_get_for_user(*, user: User, pk) -> Escalation:
    return get_or_404(escalations_visible_to(user), pk=pk)


def escalation_detail_for_user(*, user: User, pk) -> Escalation:
    """One escalation with the updates and joint calls the reader may see, in three queries."""
    escalations = escalations_visible_to(user).prefetch_related(
        Prefetch("updates", queryset=updates_visible_to(user), to_attr="visible_updates"),
        Prefetch("joint_calls", queryset=JointCall.objects.order_by("requested_at", "pk"), to_attr="call_list"),
    )
    return get_or_404(escalations, pk=pk)


def escalation_list(user: User, *, status: str = "", provider=None, active: bool | None = None,
                    search: str = "") -> QuerySet[Escalation]:
    """Escalations newest first, filtered as a person asks on the list page."""
    escalations = escalations_visible_to(user)
    if status:
        escalations = escalations.filter(status=status)
    if active is not None:
        in_active = Q(status__in=[str(s) for s in ACTIVE_STATUSES])
        escalations = escalations.filter(in_active) if active else escalations.exclude(in_active)
    if provider:
        escalations = escalations.filter(provider_id=provider)
    text = search.strip()
    if text:
        escalations = escalations.filter(Q(provider_incident_number__iexact=text) | Q(case__number__iexact=text)
                                         | Q(customer__name__icontains=text))
    return escalations.order_by("-requested_at", "-pk")


def open_escalations_by_provider(user: User) -> QuerySet[Escalation]:
    """Poly's working list: the active escalations grouped by provider, oldest first within each."""
    return escalations_visible_to(user).filter(status__in=[str(s) for s in ACTIVE_STATUSES]).order_by(
        "provider__name", "requested_at", "pk")


def escalations_of_case(user: User, case) -> QuerySet[Escalation]:
    return escalations_visible_to(user).filter(case=case).order_by("-requested_at", "-pk")


def agreements_visible_to(user: User) -> QuerySet[CloudAgreement]:
    if user.is_authenticated and user.is_customer_viewer:
        return CloudAgreement.objects.none()
    return scope_by_customer(CloudAgreement.objects.select_related("provider", "customer"), user)


def authorisations_visible_to(user: User) -> QuerySet[CloudAuthorisation]:
    if user.is_authenticated and user.is_customer_viewer:
        return CloudAuthorisation.objects.none()
    return scope_by_customer(CloudAuthorisation.objects.select_related("provider", "customer"), user)


def authorisation_get_for_user(*, user: User, pk) -> CloudAuthorisation:
    return get_or_404(authorisations_visible_to(user), pk=pk)


def current_agreement(*, customer_id: int, provider_id: int, on: datetime.date) -> CloudAgreement | None:
    return CloudAgreement.objects.filter(customer_id=customer_id, provider_id=provider_id,
                                         valid_until__gte=on).order_by("-valid_until").first()


def current_authorisation(*, customer_id: int, provider_id: int, on: datetime.date) -> CloudAuthorisation | None:
    return CloudAuthorisation.objects.filter(customer_id=customer_id, provider_id=provider_id, signed_on__lte=on,
                                             valid_until__gte=on).order_by("-valid_until").first()


def incidents_for_customer_in_period(customer_id: int, start: datetime.date | datetime.datetime,
                                     end: datetime.date | datetime.datetime) -> QuerySet[Escalation]:
    """A customer's ECPS escalations alive in [start, end): requested before `end` and not closed
    before `start`, oldest first, with provider and case. For the monthly CSM report (run in a
    staff or partner context); each row carries `provider.name`, `provider_incident_number`
    (blank until opened with the provider), `status`, `requested_at`, `opened_at`, `closed_at`,
    and `case.number`. `start`/`end` are dates (midnight UTC) or aware datetimes."""
    start_at, end_at = _as_moment(start), _as_moment(end)
    return (Escalation.objects.filter(customer_id=customer_id, requested_at__lt=end_at)
            .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start_at))
            .select_related("provider", "case").order_by("requested_at", "pk"))


def _as_moment(value: datetime.date | datetime.datetime) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value
    return datetime.datetime.combine(value, datetime.time.min, tzinfo=datetime.UTC)
