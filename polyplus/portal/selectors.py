"""Reads of reports and quotes, each taking the actor (DOMAIN.md: the CSM and the partner's admins)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from contracts.models import Contract
from installbase.models import MonthReview
from polyplus.portal.models import Quote, Report
from polyplus.portal.reports import contracts_in_force_during  # noqa: F401 - re-exported for pages
from polyplus.tenancy.models import Role, User
from polyplus.tenancy.scoping import get_or_404, scope_by_customer

# Who reads monthly reports and quotes: Poly admins, the customer's CSM, the partner's admins.
DOCUMENT_READERS = frozenset({Role.POLY_ADMIN, Role.CSM, Role.PARTNER_ADMIN})
# Who asks for a report on demand: the CSM and Poly admins.
REPORT_REQUESTERS = frozenset({Role.POLY_ADMIN, Role.CSM})


def reports_visible_to(user: User) -> QuerySet[Report]:
    """With `reviewed`: whether the CSM marked the month reviewed in the CSM workspace."""
    if not user.is_authenticated or user.role not in DOCUMENT_READERS:
        return Report.objects.none()
    reports = Report.objects.select_related("contract__customer")
    reports = reports.annotate(reviewed=Exists(MonthReview.objects.filter(
        contract_id=OuterRef("contract_id"), month=OuterRef("month"))))
    return scope_by_customer(reports, user, "contract__customer").order_by("-month", "-pk")


def report_get_for_user(*, user: User, pk) -> Report:
    return get_or_404(reports_visible_to(user), pk=pk)


def quotes_visible_to(user: User) -> QuerySet[Quote]:
    if not user.is_authenticated or user.role not in DOCUMENT_READERS:
        return Quote.objects.none()
    quotes = Quote.objects.select_related("contract__customer")
    return scope_by_customer(quotes, user, "contract__customer").order_by("-created_at", "-pk")


def quote_get_for_user(*, user: User, pk) -> Quote:
    return get_or_404(quotes_visible_to(user), pk=pk)


def reportable_contracts_for(user: User) -> QuerySet[Contract]:
    """Enterprise contracts the user may ask a report of (their customers', for a CSM)."""
    if not user.is_authenticated or user.role not in REPORT_REQUESTERS:
        return Contract.objects.none()
    contracts = Contract.objects.filter(offering="poly_plus_enterprise").select_related("customer")
    return scope_by_customer(contracts, user).order_by("customer__name", "-start_date")
