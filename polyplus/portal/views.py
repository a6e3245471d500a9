"""The shell: one dashboard per persona, the Site ID search partner engineers type into, and the
page where a Poly admin changes the business defaults (policies)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from allauth.account.views import LoginView
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Window
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from contracts.models import ContractStatus
from contracts.selectors import contracts_visible_to, custom_quotes_awaiting_decision
from installbase.selectors import non_compliant_customers, unlisted_devices_visible_to, workspace_contracts
from polyplus.portal import services as portal_services
from polyplus.portal.context_processors import brand_context
from polyplus.portal.selectors import reports_visible_to
from polyplus.portal.status import (
    customer_status,
    share_link_for_key,
    share_link_get_for_user,
    share_links_of,
    share_viewer,
)
from polyplus.tenancy import selectors, services
from polyplus.tenancy.context import SIGN_IN, TenantContext, context_for_user, set_request_context
from polyplus.tenancy.dates import PortalDateFormField
from polyplus.tenancy.forms import DATE_INPUT, timezone_choices
from polyplus.tenancy.hosts import use_path_brand
from polyplus.tenancy.languages import speak, supported
from polyplus.tenancy.lockout import client_ip
from polyplus.tenancy.models import PolicySetting, Role, User
from polyplus.tenancy.policy import Policy, registered_policies
from polyplus.tenancy.selectors import EXPIRY_WARNING_DAYS, count_of
from polyplus.tenancy.views import host_logo, own_partner, put_errors, roles_required
from polyplus.tenancy.web import local_return_path, text_param
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
        "latest_reports": list(reports_visible_to(user)[:DASHBOARD_LIST_LIMIT]),
        "workspace_month": today.replace(day=1),
        "workspace_contracts": list(workspace_contracts(user, today.replace(day=1))),
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
    """A customer viewer lands on its customer's status page."""
    return status_page_context(customer_status(user=user, customer_id=user.customer_id))


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
    if request.user.is_customer_viewer:  # the customer's status page, in the customer's language
        speak(request, context["brand"])
    return render(request, f"portal/dashboard/{template}.html", context)


def status_page_context(status, logo_url: str | None = None) -> dict:
    """The page in the customer's partner's brand, whoever reads it (Poly staff too)."""
    return {"status": status, "customer": status.customer, **brand_context(status.brand, logo_url)}


class ShareLinkForm(forms.Form):
    expires_on = PortalDateFormField(label=_("Valid until"), widget=DATE_INPUT,
                                     help_text=_("The link shows nothing after this day (a year at most)."))


def _status_page(request: HttpRequest, status, *, share_form=None, new_link_url: str = "",
                 status_code: int = 200) -> HttpResponse:
    user = request.user
    speak(request, status.brand)
    links = share_links_of(user, status.customer)
    can_share = user.is_poly_admin or (user.is_partner_admin and user.partner_id == status.customer.partner_id)
    return render(request, "portal/status/page.html", {
        **status_page_context(status), "can_share": can_share, "share_links": links,
        "share_form": share_form or ShareLinkForm(), "new_link_url": new_link_url, "today": timezone.localdate(),
    }, status=status_code)


@login_required
def customer_status_page(request: HttpRequest, customer_id: int) -> HttpResponse:
    """A customer's status page at a stable address: its own viewers, its partner's people and
    Poly staff may read it; anyone else gets 404. The partner's admin shares it from here."""
    return _status_page(request, customer_status(user=request.user, customer_id=customer_id))


@require_POST
@login_required
def share_link_create(request: HttpRequest, customer_id: int) -> HttpResponse:
    status = customer_status(user=request.user, customer_id=customer_id)
    form = ShareLinkForm(request.POST)
    if form.is_valid():
        try:
            _link, key = portal_services.share_link_create(by=request.user, customer=status.customer,
                                                           expires_on=form.cleaned_data["expires_on"])
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            url = request.build_absolute_uri(reverse("portal:shared_status", args=[key]))
            return _status_page(request, status, new_link_url=url)
    return _status_page(request, status, share_form=form, status_code=400)


@require_POST
@login_required
def share_link_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    link = share_link_get_for_user(user=request.user, pk=pk)
    portal_services.share_link_revoke(by=request.user, link=link)
    messages.success(request, f"The link {link.prefix}… shows nothing from now on.")
    return redirect("portal:customer_status", customer_id=link.customer_id)


SHARE_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def shared_status_page(request: HttpRequest, key: str) -> HttpResponse:
    """A customer's status page, read-only, for whoever holds a share link, in its partner's brand;
    an expired, revoked or unknown link (or one of another partner on a partner's host) shows
    nothing. Every opening is recorded."""
    set_request_context(request, SIGN_IN)
    link = share_link_for_key(key) if SHARE_KEY.fullmatch(key) else None
    owner = getattr(request, "host_partner_id", None)
    if link is None or not link.is_usable(timezone.localdate()) or owner not in (None, link.partner_id):
        set_request_context(request, context_for_user(request.user))
        speak(request, getattr(request, "host_brand", None))
        return render(request, "portal/status/link_gone.html", status=404)
    set_request_context(request, TenantContext(partner_id=link.partner_id))
    portal_services.share_link_record_use(link=link, address=client_ip(request),
                                          user_agent=request.META.get("HTTP_USER_AGENT", ""))
    status = customer_status(user=share_viewer(link), customer_id=link.customer_id)
    speak(request, status.brand)
    response = render(request, "portal/status/shared.html", {
        **status_page_context(status, logo_url=""), "shared": True, "link": link})
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_POST
def choose_language(request: HttpRequest) -> HttpResponse:
    """The language picker on customers' pages: remembered in a cookie, and on the person when
    signed in (their mails speak it too); back to the page it was chosen on."""
    code = supported(request.POST.get("language"))
    if code is None:
        return HttpResponse("Choose English, Polski or Svenska.\n", status=400,
                            content_type="text/plain; charset=utf-8")
    back = local_return_path(request, request.POST.get("next", ""))
    if request.user.is_authenticated and request.user.language != code:
        services.user_language_set(user=request.user, language=code)
    response = redirect(back)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=settings.LANGUAGE_COOKIE_AGE,
                        secure=settings.LANGUAGE_COOKIE_SECURE, samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                        httponly=True)
    return response


def partner_path_home(request: HttpRequest, code: str) -> HttpResponse:
    """/p/<code>/: the partner's sign-in page on the portal's own host, for partners without a host."""
    use_path_brand(request, code)
    return redirect("portal:partner_path_login", code=request.path_partner_code)


def partner_path_login(request: HttpRequest, code: str) -> HttpResponse:
    """The sign-in page in the brand of the partner whose code is in the path; as on a partner's
    own host, only that partner's people sign in here."""
    use_path_brand(request, code)
    return LoginView.as_view()(request)


def partner_path_logo(request: HttpRequest, code: str) -> HttpResponse:
    use_path_brand(request, code)
    return host_logo(request)


@login_required
def own_status_page(request: HttpRequest) -> HttpResponse:
    """A customer viewer's own status page; nobody else has one."""
    if not request.user.is_customer_viewer:
        raise Http404("Only a customer has a status page of its own.")
    return redirect("portal:customer_status", customer_id=request.user.customer_id)


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
