"""The shell: one dashboard per persona, and the Site ID search partner engineers type into."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from polyplus.tenancy import selectors
from polyplus.tenancy.models import Role, User
from polyplus.tenancy.views import (
    EXPIRY_WARNING_DAYS,
    audit_events_newest_first,
    describe_audit_event,
    mark_certifications,
    own_partner,
    partner_flags,
    partners_with_counts,
)

SITE_SEARCH_LIMIT = 20
DASHBOARD_LIST_LIMIT = 10


def home(request: HttpRequest) -> HttpResponse:
    return redirect("portal:dashboard")


def _poly_admin(user: User, today: datetime.date) -> dict:
    role_counts = dict(
        selectors.users_visible_to(user).filter(is_active=True).order_by().values_list("role").annotate(n=Count("pk"))
    )
    partners = list(partners_with_counts(user)[:DASHBOARD_LIST_LIMIT])
    for partner in partners:
        partner.flags = partner_flags(partner, today)
    return {
        "partner_count": selectors.partners_visible_to(user).count(),
        "customer_count": selectors.customers_visible_to(user).count(),
        "site_count": selectors.sites_visible_to(user).count(),
        "user_count": sum(role_counts.values()),
        "role_counts": [(label, role_counts.get(value, 0)) for value, label in Role.choices],
        "partners": partners,
        "attention": mark_certifications(
            selectors.certifications_visible_to(user)
            .filter(expires_on__lte=today + datetime.timedelta(days=EXPIRY_WARNING_DAYS))
            .order_by("expires_on")[:20],
            today,
        ),
    }


def _poly_support(user: User, today: datetime.date) -> dict:
    partners = list(partners_with_counts(user).filter(is_active=True)[:25])
    for partner in partners:
        partner.flags = partner_flags(partner, today)
    certifications = selectors.certifications_visible_to(user)
    lapsed = mark_certifications(certifications.filter(expires_on__lt=today).order_by("expires_on")[:20], today)
    expiring = mark_certifications(
        certifications.filter(expires_on__gte=today,
                              expires_on__lte=today + datetime.timedelta(days=EXPIRY_WARNING_DAYS))
        .order_by("expires_on")[:20],
        today,
    )
    return {
        "partner_count": selectors.partners_visible_to(user).filter(is_active=True).count(),
        "flagged_count": certifications.filter(expires_on__lt=today).values("partner").distinct().count(),
        "customer_count": selectors.customers_visible_to(user).count(),
        "site_count": selectors.sites_visible_to(user).count(),
        "partners": partners,
        "lapsed": lapsed,
        "expiring": expiring,
        "events": [describe_audit_event(event, user) for event in audit_events_newest_first(user)[:8]],
    }


def _csm(user: User, today: datetime.date) -> dict:
    customers = list(selectors.customers_with_site_counts(user).order_by("partner__name", "name"))
    return {
        "customers": customers,
        "site_count": sum(customer.site_count for customer in customers),
        "partner_count": len({customer.partner_id for customer in customers}),
    }


def _partner_admin(user: User, today: datetime.date) -> dict:
    partner = own_partner(user)
    return {
        "partner": partner,
        "customers": selectors.customers_with_site_counts(user).order_by("name")[:DASHBOARD_LIST_LIMIT],
        "customer_count": selectors.customers_visible_to(user).count(),
        "site_count": selectors.sites_visible_to(user).count(),
        "users": selectors.users_visible_to(user).order_by("-date_joined")[:DASHBOARD_LIST_LIMIT],
        "user_count": selectors.users_visible_to(user).filter(is_active=True).count(),
        "certifications": mark_certifications(selectors.certifications_visible_to(user), today),
    }


def _partner_engineer(user: User, today: datetime.date) -> dict:
    return {
        "customers": selectors.customers_with_site_counts(user).order_by("name")[:DASHBOARD_LIST_LIMIT],
        "customer_count": selectors.customers_visible_to(user).count(),
        "site_count": selectors.sites_visible_to(user).count(),
        "certifications": mark_certifications(selectors.certifications_visible_to(user), today),
        "training": selectors.training_records_visible_to(user).order_by("-expires_on"),
    }


def _customer_viewer(user: User, today: datetime.date) -> dict:
    sites = selectors.sites_visible_to(user)
    return {
        "customer": selectors.customers_visible_to(user).first(),
        "sites": sites,
        "countries": sites.aggregate(n=Count("country", distinct=True))["n"],
    }


DASHBOARDS: dict[str, tuple[str, Callable[[User, datetime.date], dict]]] = {
    Role.POLY_ADMIN: ("poly_admin", _poly_admin),
    Role.POLY_SUPPORT: ("poly_support", _poly_support),
    Role.ESCALATION_MANAGER: ("poly_support", _poly_support),
    Role.CSM: ("csm", _csm),
    Role.PARTNER_ADMIN: ("partner_admin", _partner_admin),
    Role.PARTNER_ENGINEER: ("partner_engineer", _partner_engineer),
    Role.CUSTOMER_VIEWER: ("customer_viewer", _customer_viewer),
}


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    template, build = DASHBOARDS[request.user.role]
    context = build(request.user, timezone.localdate())
    return render(request, f"portal/dashboard/{template}.html", context)


@login_required
def site_search(request: HttpRequest) -> HttpResponse:
    """Sites whose Site ID, name or customer matches, among those the person may see."""
    query = request.GET.get("q", "").strip()
    sites = selectors.sites_search(user=request.user, text=query)[:SITE_SEARCH_LIMIT] if query else []
    template = "portal/partials/site_results.html" if request.htmx else "portal/site_search.html"
    return render(request, template, {"query": query, "sites": sites, "limit": SITE_SEARCH_LIMIT})
