"""The shell: one dashboard per persona, the Site ID search partner engineers type into, and the
page where a Poly admin changes the business defaults (policies)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Window
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import require_POST

from contracts.models import ContractStatus
from contracts.selectors import contracts_visible_to, custom_quotes_awaiting_decision
from installbase.selectors import non_compliant_customers, unlisted_devices_visible_to
from polyplus.tenancy import selectors, services
from polyplus.tenancy.forms import timezone_choices
from polyplus.tenancy.models import PolicySetting, Role, User
from polyplus.tenancy.policy import Policy, registered_policies
from polyplus.tenancy.selectors import EXPIRY_WARNING_DAYS, count_of
from polyplus.tenancy.views import own_partner, put_errors, roles_required
from polyplus.tenancy.web import text_param
from rma.views import rma_summary
from tickets.views import CASE_ACTORS, case_summary

SITE_SEARCH_LIMIT = 20
DASHBOARD_LIST_LIMIT = 10


def home(request: HttpRequest) -> HttpResponse:
    return redirect("portal:dashboard")


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(label="Your time zone", choices=(),
                                  help_text="Poly staff see case times in it beside the site's own time.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = timezone_choices()


@login_required
def own_time_zone(request: HttpRequest) -> HttpResponse:
    """The person chooses their own time zone."""
    form = TimeZoneForm(request.POST or None, initial={"time_zone": request.user.time_zone})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_time_zone_set(by=request.user, time_zone=form.cleaned_data["time_zone"])
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"Your time zone is {request.user.time_zone}.")
            return redirect("portal:own_time_zone")
    return render(request, "portal/time_zone.html", {"form": form}, status=400 if form.errors else 200)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says; the icon itself is a static file."""
    response = redirect(static("favicon.ico"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


def _contract_summary(user: User, today: datetime.date) -> dict:
    """Contracts by status, and those whose term ends soon: a fixed handful of queries."""
    contracts = contracts_visible_to(user).prefetch_related(None)
    horizon = today + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
    ending = Q(status=ContractStatus.ACTIVE, end_date__gte=today, end_date__lte=horizon)
    counts = contracts.aggregate(
        active=Count("pk", filter=Q(status=ContractStatus.ACTIVE)),
        draft=Count("pk", filter=Q(status=ContractStatus.DRAFT)),
        ending=Count("pk", filter=ending),
    )
    expiring = list(contracts.filter(ending).order_by("end_date", "number")[:5])
    awaiting = custom_quotes_awaiting_decision(user).count() if user.is_poly_admin else None
    return {"contract_counts": counts, "expiring_contracts": expiring, "awaiting_quotes": awaiting}


def _non_compliance(user: User, today: datetime.date) -> dict:
    """Poly+ customers running devices their contract does not list, with how many each.

    The window count is taken before the limit, so one query gives both the first few and how many in all.
    """
    listed = list(
        non_compliant_customers(user, today)
        .annotate(unlisted_count=count_of(unlisted_devices_visible_to(user, today), link="customer"),
                  total=Window(Count("pk")))
        .order_by("name", "pk")[:DASHBOARD_LIST_LIMIT]
    )
    return {"non_compliant": listed, "non_compliant_count": listed[0].total if listed else 0}


def _poly_admin(user: User, today: datetime.date) -> dict:
    role_counts = dict(
        selectors.users_visible_to(user).filter(is_active=True).order_by().values_list("role").annotate(n=Count("pk"))
    )
    partners = selectors.with_flags(selectors.partners_with_counts(user)[:DASHBOARD_LIST_LIMIT], today)
    return {
        "partner_count": selectors.partners_visible_to(user).count(),
        "customer_count": selectors.customers_visible_to(user).count(),
        "site_count": selectors.sites_visible_to(user).count(),
        "user_count": sum(role_counts.values()),
        "role_counts": [(label, role_counts.get(value, 0)) for value, label in Role.choices],
        "partners": partners,
        "attention": selectors.certifications_needing_attention(user, today),
        **_contract_summary(user, today),
    }


def _poly_support(user: User, today: datetime.date) -> dict:
    partners = selectors.with_flags(selectors.partners_with_counts(user).filter(is_active=True)[:25], today)
    certifications = selectors.certifications_visible_to(user)
    lapsed = selectors.certifications_needing_attention(user, today, lapsed=True)
    expiring = selectors.certifications_needing_attention(user, today, lapsed=False)
    return {
        "partner_count": selectors.partners_visible_to(user).filter(is_active=True).count(),
        "flagged_count": certifications.filter(expires_on__lt=today).values("partner").distinct().count(),
        "customer_count": selectors.customers_visible_to(user).count(),
        "site_count": selectors.sites_visible_to(user).count(),
        "partners": partners,
        "lapsed": lapsed,
        "expiring": expiring,
        "events": selectors.describe_audit_events(selectors.audit_events_newest_first(user)[:8], user),
        **_contract_summary(user, today),
        **_non_compliance(user, today),
        **case_summary(user),
        **rma_summary(user),
    }


def _csm(user: User, today: datetime.date) -> dict:
    customers = list(selectors.customers_with_site_counts(user).order_by("partner__name", "name"))
    return {
        "customers": customers,
        "site_count": sum(customer.site_count for customer in customers),
        "partner_count": len({customer.partner_id for customer in customers}),
        **_contract_summary(user, today),
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
        "certifications": selectors.with_standing(selectors.certifications_visible_to(user), today),
        **_contract_summary(user, today),
        **_non_compliance(user, today),
        **case_summary(user),
        **rma_summary(user),
    }


def _partner_engineer(user: User, today: datetime.date) -> dict:
    return {
        "customers": selectors.customers_with_site_counts(user).order_by("name")[:DASHBOARD_LIST_LIMIT],
        "customer_count": selectors.customers_visible_to(user).count(),
        "site_count": selectors.sites_visible_to(user).count(),
        "certifications": selectors.with_standing(selectors.certifications_visible_to(user), today),
        "training": selectors.training_records_visible_to(user).order_by("-expires_on"),
        **_contract_summary(user, today),
        **_non_compliance(user, today),
        **case_summary(user),
        **rma_summary(user),
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
    query = text_param(request, "q")
    sites = selectors.sites_search(user=request.user, text=query)[:SITE_SEARCH_LIMIT] if query else []
    template = "portal/partials/site_results.html" if request.htmx else "portal/site_search.html"
    return render(request, template, {"query": query, "sites": sites, "limit": SITE_SEARCH_LIMIT,
                                      "can_open_cases": request.user.role in CASE_ACTORS})


@login_required
def site_detail(request: HttpRequest, site_id: str) -> HttpResponse:
    """One site: where it is, its local time, whose it is, and what can be done there."""
    user = request.user
    site = selectors.site_get_for_user(user=user, site_id=site_id)
    return render(request, "portal/site_detail.html", {
        "site": site,
        "local_now": timezone.localtime(timezone=site.zone),
        "can_open_cases": user.role in CASE_ACTORS,
        "can_manage": user.is_poly_admin or (user.is_partner_admin and user.partner_id == site.partner_id),
        "may_read_customer": not user.is_customer_viewer,
    })


# ---- business defaults (Poly admin) -------------------------------------------------------------

class PolicyValueForm(forms.Form):
    value = forms.CharField(max_length=200)


@dataclass
class PolicyRow:
    policy: Policy
    setting: PolicySetting | None
    form: PolicyValueForm

    @property
    def current(self):
        return self.setting.value if self.setting else self.policy.default


def _policy_page(request: HttpRequest, bound: dict[str, PolicyValueForm] | None = None) -> HttpResponse:
    bound = bound or {}
    stored = {setting.key: setting for setting in selectors.policy_settings_visible_to(request.user)}
    rows = []
    for policy in registered_policies():
        setting = stored.get(policy.key)
        form = bound.get(policy.key) or PolicyValueForm(
            initial={"value": setting.value if setting else policy.default}, prefix=policy.key
        )
        rows.append(PolicyRow(policy=policy, setting=setting, form=form))
    return render(request, "portal/policies.html", {"rows": rows})


@roles_required(Role.POLY_ADMIN)
def policy_list(request: HttpRequest) -> HttpResponse:
    """Every registered default, its value in force, and who last changed it."""
    return _policy_page(request)


@require_POST
@roles_required(Role.POLY_ADMIN)
def policy_edit(request: HttpRequest, key: str) -> HttpResponse:
    policy = next((policy for policy in registered_policies() if policy.key == key), None)
    if policy is None:
        raise Http404("No such setting.")
    if request.POST.get("reset"):
        services.policy_setting_reset(by=request.user, key=key)
        messages.success(request, f"{policy.label} is back to its default, {policy.default}.")
        return redirect("portal:policy_list")
    form = PolicyValueForm(request.POST, prefix=key)
    if form.is_valid():
        try:
            setting = services.policy_setting_set(by=request.user, key=key, value=form.cleaned_data["value"])
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"{policy.label} is now {setting.value}.")
            return redirect("portal:policy_list")
    return _policy_page(request, bound={key: form})
