"""A customer's status page: what the customer may know of its service, under its partner's brand.

Public facts only (DOMAIN.md, white-labelled status pages): coverage by category and term, open
cases with their state, SLA state and last public update, recent health notifications, and (as
those apps land) RMAs with shipment tracking and ECPS incidents with the provider's number.
Never an internal note, an escalation's reason, an entitlement flag or a price.

Each section is a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Left
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models import ContractLine, ContractStatus
from contracts.selectors import contracts_visible_to
from ecps.models import ACTIVE_STATUSES as ECPS_ACTIVE_STATUSES
from ecps.selectors import escalations_visible_to
from polyplus.tenancy.models import Customer, PartnerBrand, ServiceCategory, Site, User
from polyplus.tenancy.scoping import get_or_404
from polyplus.tenancy.selectors import customers_visible_to, sites_visible_to
from rma.selectors import open_rmas_for_status_page
from tickets.models import OPEN_STATUSES, Case, CaseComment, CaseSource
from tickets.selectors import cases_visible_to

OPEN_CASES_SHOWN = 50
HEALTH_DAYS = 30
HEALTH_SHOWN = 20
INCIDENTS_SHOWN = 20
LAST_UPDATE_CHARS = 200


class SlaState:
    BREACHED = "breached", _("Target missed"), "bad"
    PAUSED = "paused", _("Paused, waiting on you"), "warn"
    ON_TRACK = "on_track", _("On track"), "ok"


@dataclass
class CoverageRow:
    category: str
    offering: str
    start_date: datetime.date
    end_date: datetime.date
    contract_number: str


@dataclass
class CustomerStatus:
    customer: Customer
    brand: PartnerBrand | None
    sites: list[Site]
    coverage: list[CoverageRow]
    open_cases: list[Case]
    open_case_count: int
    health: list[Case]
    # Filled by the RMA and ECPS apps' selectors once they exist; None means "not offered yet".
    rmas: list | None = None
    incidents: list | None = None
    extra: dict = field(default_factory=dict)


def status_customer_for(user: User, customer_id) -> Customer:
    """The customer whose status page `user` may read: a customer viewer only its own, a partner's
    people their partner's customers, Poly staff any (404 for everything else, foreign or missing)."""
    return get_or_404(customers_visible_to(user).select_related("partner__brand"), pk=customer_id)


def _coverage(user: User, customer: Customer, today: datetime.date) -> list[CoverageRow]:
    lines = (ContractLine.objects
             .filter(contract__in=contracts_visible_to(user).filter(
                 customer=customer, status=ContractStatus.ACTIVE, end_date__gte=today).values("pk"))
             .select_related("contract").order_by("category", "contract__start_date", "contract__number"))
    # The category's label stays lazy: it is read in the language the page speaks, decided later.
    return [CoverageRow(category=ServiceCategory(line.category).label, offering=line.contract.get_offering_display(),
                        start_date=line.contract.start_date, end_date=line.contract.end_date,
                        contract_number=line.contract.number) for line in lines]


def _last_public_update() -> dict:
    public = CaseComment.objects.filter(case=OuterRef("pk"), internal=False).order_by("-created_at", "-pk")
    return {"last_public_update_at": Subquery(public.values("created_at")[:1]),
            "last_public_update": Subquery(public.annotate(start=Left("body", LAST_UPDATE_CHARS)).values("start")[:1])}


def open_cases_of(user: User, customer: Customer) -> QuerySet[Case]:
    return (cases_visible_to(user).filter(customer=customer, status__in=OPEN_STATUSES)
            .annotate(**_last_public_update()).order_by("severity", "opened_at", "pk"))


def sla_state(case: Case, now: datetime.datetime) -> tuple[str, str, str]:
    if case.breached(now):
        return SlaState.BREACHED
    if case.paused_since is not None:
        return SlaState.PAUSED
    return SlaState.ON_TRACK


def open_incidents_of(user: User, customer: Customer) -> list:
    """The customer's active ECPS escalations: provider, state, the provider's incident number and
    the case (never the problem text, Poly's findings or internal updates)."""
    active = [str(status) for status in ECPS_ACTIVE_STATUSES]
    return list(escalations_visible_to(user).filter(customer=customer, status__in=active)
                .order_by("-requested_at", "-pk")[:INCIDENTS_SHOWN])


def customer_status(*, user: User, customer_id) -> CustomerStatus:
    """Everything on one customer's status page, in a fixed number of queries whatever the row counts."""
    customer = status_customer_for(user, customer_id)
    now = timezone.now()
    cases = open_cases_of(user, customer)
    shown = list(cases[:OPEN_CASES_SHOWN])
    for case in shown:
        case.sla = sla_state(case, now)
    count = cases.count()
    health = list(cases_visible_to(user).filter(
        customer=customer, source=CaseSource.HEALTH_EVENT, opened_at__gte=now - datetime.timedelta(days=HEALTH_DAYS),
    ).order_by("-opened_at", "-pk")[:HEALTH_SHOWN])
    return CustomerStatus(
        customer=customer,
        brand=getattr(customer.partner, "brand", None),
        sites=list(sites_visible_to(user).filter(customer=customer).order_by("site_id")),
        coverage=_coverage(user, customer, timezone.localdate()),
        open_cases=shown,
        open_case_count=count,
        health=health,
        rmas=open_rmas_for_status_page(user, customer),
        incidents=open_incidents_of(user, customer),
    )


# ---- share links ---------------------------------------------------------------------------

def share_links_of(user: User, customer: Customer) -> list:
    """The customer's share links with how often each was opened, for its partner's admin or a Poly admin."""
    from django.db.models import Count

    from polyplus.portal.models import StatusShareLink

    if not (user.is_poly_admin or (user.is_partner_admin and user.partner_id == customer.partner_id)):
        return []
    return list(StatusShareLink.objects.filter(customer=customer).select_related("created_by")
                .annotate(use_count=Count("uses")))


def share_link_get_for_user(*, user: User, pk) -> object:
    from polyplus.portal.models import StatusShareLink

    links = StatusShareLink.objects.select_related("customer__partner")
    if not user.is_poly_admin:
        links = links.filter(partner_id=user.partner_id) if user.is_partner_admin else links.none()
    return get_or_404(links, pk=pk)


def share_link_for_key(key: str):
    """The link a key opens, whatever its state, or None. Run in the sign-in context."""
    from polyplus.portal.models import StatusShareLink
    from polyplus.portal.services import share_key_hash

    return StatusShareLink.objects.filter(key_hash=share_key_hash(key)).first()


def share_viewer(link) -> User:
    """Who a share link reads as: the customer's viewer, never saved (its scope is the customer's)."""
    from polyplus.tenancy.models import Role

    return User(role=Role.CUSTOMER_VIEWER, partner_id=link.partner_id, customer_id=link.customer_id)
