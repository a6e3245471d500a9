"""Every read of RMAs, scoped to the reader; internal notes reach Poly staff only."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from polyplus.tenancy.models import User
from polyplus.tenancy.scoping import get_or_404, scope_by_customer
from rma.models import APPROVED_STATUSES, OPEN_STATUSES, Rma, RmaStatus, RmaStep, overdue_condition


def rmas_visible_to(user: User) -> QuerySet[Rma]:
    rmas = Rma.objects.select_related("site", "customer", "partner", "product", "device", "case")
    return scope_by_customer(rmas, user)


# What a customer's status page may show of an RMA: never billing, allowance, coverage flags,
# the fault text, internal notes or who decided (DOMAIN.md, white-labelled status pages).
STATUS_PAGE_FIELDS = ("number", "status", "carrier", "tracking_number", "ship_date", "promised_delivery",
                      "delivered_on", "return_due", "return_received_on", "requested_at",
                      "product__name", "device__serial", "case__number", "site__site_id", "site__timezone")
STATUS_PAGE_SHOWN = 20


def open_rmas_for_status_page(user: User, customer, *, limit: int = STATUS_PAGE_SHOWN) -> list[Rma]:
    """A customer's open RMAs for its status page, newest request first, public fields only, each
    with `return_overdue` judged on the site's own day. One query whatever the row count."""
    rmas = (rmas_visible_to(user).filter(customer=customer, status__in=[str(s) for s in OPEN_STATUSES])
            .select_related(None).select_related("product", "device", "case", "site")
            .only(*STATUS_PAGE_FIELDS).order_by("-requested_at", "-pk")[:limit])
    now = timezone.now()
    shown = list(rmas)
    for rma in shown:
        rma.return_overdue = rma.is_overdue(timezone.localdate(now, rma.site.zone))
    return shown


def rma_get_for_user(*, user: User, pk) -> Rma:
    return get_or_404(rmas_visible_to(user), pk=pk)


def rma_list(user: User, *, status: str = "", overdue: bool | None = None, billable: bool | None = None,
             partner=None, case=None, search: str = "", today: datetime.date | None = None) -> QuerySet[Rma]:
    """RMAs the reader may see, newest request first, with the list filters of pages and API."""
    rmas = rmas_visible_to(user)
    if status:
        rmas = rmas.filter(status=status)
    if overdue is not None:
        condition = overdue_condition(today or timezone.localdate())
        rmas = rmas.filter(condition) if overdue else rmas.exclude(condition)
    if billable is not None:
        rmas = rmas.filter(billable=billable)
    if partner:
        rmas = rmas.filter(partner_id=partner)
    if case:
        rmas = rmas.filter(case_id=case)
    text = search.strip()
    if text:
        rmas = rmas.filter(Q(number__iexact=text) | Q(device__serial__iexact=text) | Q(tracking_number__iexact=text)
                           | Q(case__number__iexact=text))
    return rmas.order_by("-requested_at", "-pk")


def overdue_returns(*, today: datetime.date | None = None, partner_id: int | None = None,
                    needing_reminder: bool = False) -> QuerySet[Rma]:
    """RMAs whose failed unit is past its return due date and not received (for the reminder job,
    which runs in a staff or partner context). `needing_reminder` leaves out those the partner
    has marked as sent back: the mark stops the reminders, not the overdue flag."""
    rmas = Rma.objects.filter(overdue_condition(today or timezone.localdate())).select_related(
        "partner", "customer", "site", "case", "device", "requested_by")
    if partner_id is not None:
        rmas = rmas.filter(partner_id=partner_id)
    if needing_reminder:
        rmas = rmas.filter(return_sent_on__isnull=True)
    return rmas.order_by("return_due", "pk")


def overdue_count(user: User, *, today: datetime.date | None = None) -> int:
    return rmas_visible_to(user).filter(overdue_condition(today or timezone.localdate())).count()


def steps_of(rma: Rma) -> QuerySet[RmaStep]:
    return RmaStep.objects.filter(rma=rma).select_related("by")


def headset_rmas_in_year(*, customer_id: int, year: int) -> QuerySet[Rma]:
    """A customer's approved, not cancelled headset RMAs counted against the year's allowance
    (for monthly reports): each carries its position and whether it was billable."""
    return Rma.objects.filter(customer_id=customer_id, allowance_year=year, counts_against_allowance=True,
                              status__in=APPROVED_STATUSES).order_by("approved_at", "pk")


def billing_rows(user: User, *, month: datetime.date, partner=None) -> QuerySet[Rma]:
    """Billable RMAs approved in `month` (UTC), per partner, for invoicing. Cancelled ones ship nothing."""
    start = datetime.datetime(month.year, month.month, 1, tzinfo=datetime.UTC)
    end = datetime.datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=datetime.UTC)
    rmas = rmas_visible_to(user).filter(billable=True, approved_at__gte=start, approved_at__lt=end).exclude(
        status=RmaStatus.CANCELLED)
    if partner:
        rmas = rmas.filter(partner_id=partner)
    return rmas.order_by("partner__name", "approved_at", "pk")
