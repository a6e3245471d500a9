"""Pages for ECPS: the list (Poly's open escalations by provider and age; a partner's or customer's own),
escalating from a case, the escalation page with its actions, a customer's agreements and signed
authorisations, and Poly's list of cloud providers.

Reads go through ecps/selectors.py (another tenant's escalation is a 404 like a missing one; internal
updates reach Poly staff only); writes go through ecps/services.py, whose refusals come back next to
their field with nothing written.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ecps import forms, selectors, services
from ecps.models import Escalation, EscalationStatus, JointCallStatus
from polyplus.tenancy.models import Role
from polyplus.tenancy.pagination import KeysFirstPaginator
from polyplus.tenancy.selectors import customer_get_for_user, customers_visible_to
from polyplus.tenancy.views import EVERYONE, paginate, put_errors, roles_required
from tickets import selectors as case_selectors
from tickets.services import POLY_CASE_ROLES

ACTORS = frozenset(POLY_CASE_ROLES) | {Role.PARTNER_ADMIN, Role.PARTNER_ENGINEER}
CUSTOMER_LINKS = 50
STATUS_BADGE = {
    EscalationStatus.REQUESTED: "brand", EscalationStatus.AWAITING_AUTHORISATION: "warn",
    EscalationStatus.OPENED_WITH_PROVIDER: "", EscalationStatus.RESOLVED: "ok",
    EscalationStatus.REFERRED_TO_PROVIDER: "", EscalationStatus.CANCELLED: "",
}


def age_words(since: datetime.datetime, now: datetime.datetime) -> str:
    seconds = max(int((now - since).total_seconds()), 0)
    days, hours = seconds // 86400, seconds % 86400 // 3600
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {seconds % 3600 // 60} min"


def _mark(escalation: Escalation, now: datetime.datetime) -> Escalation:
    escalation.badge = STATUS_BADGE[EscalationStatus(escalation.status)]
    escalation.age = age_words(escalation.requested_at, now)
    return escalation


# ---- lists ------------------------------------------------------------------------------------

@dataclass
class ProviderGroup:
    name: str
    escalations: list


@roles_required(*EVERYONE)
def escalation_list(request: HttpRequest) -> HttpResponse:
    """Poly's default view: the open escalations grouped by provider, oldest first. Everyone else
    (and Poly with a filter): the escalations they may see, newest first."""
    user, now = request.user, timezone.now()
    filters = forms.EscalationFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    status = data.get("status") or ""
    grouped = user.is_poly_staff and not request.GET
    if grouped:
        rows = [_mark(e, now) for e in selectors.open_escalations_by_provider(user)[:500]]
        groups: dict[str, ProviderGroup] = {}
        for escalation in rows:
            groups.setdefault(escalation.provider.name, ProviderGroup(escalation.provider.name, [])).escalations.append(
                escalation)
        context = {"groups": list(groups.values()), "grouped": True}
    else:
        escalations = selectors.escalation_list(
            user, status="" if status in ("", "all") else status,
            active=True if status == "" and user.is_poly_staff else None,
            provider=data.get("provider"), search=data.get("q") or "")
        page, query = paginate(request, escalations, paginator_class=KeysFirstPaginator)
        for escalation in page:
            _mark(escalation, now)
        context = {"page_obj": page, "query_string": query, "grouped": False}
    may_keep_preconditions = user.role in ACTORS
    customers = list(customers_visible_to(user)[:CUSTOMER_LINKS]) if may_keep_preconditions else []
    return render(request, "ecps/escalation_list.html", {
        **context, "filters": filters, "show_partner": user.is_poly_staff,
        "can_manage_providers": user.is_poly_admin, "customers": customers,
        "more_customers": len(customers) == CUSTOMER_LINKS,
    })


# ---- escalating from a case -------------------------------------------------------------------

@roles_required(*ACTORS)
def escalation_new(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = case_selectors.case_get_for_user(user=request.user, pk=case_pk)
    form = forms.EscalationRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            escalation = services.escalation_request(by=request.user, case=case, provider=form.cleaned_data["provider"],
                                                     problem=form.cleaned_data["problem"])
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"{escalation.reference} to {escalation.provider.name}: "
                                      f"{escalation.get_status_display().lower()}.")
            return redirect("ecps:escalation_detail", escalation.pk)
    existing = list(selectors.escalations_of_case(request.user, case))
    return render(request, "ecps/escalation_new.html", {"case": case, "form": form, "existing": existing})


# ---- the escalation page ----------------------------------------------------------------------

def render_escalation(request: HttpRequest, escalation: Escalation, *, bound: dict | None = None) -> HttpResponse:
    user, bound = request.user, bound or {}
    escalation = selectors.escalation_detail_for_user(user=user, pk=escalation.pk)
    worker = services.is_poly_case_worker(user)
    may_act = worker or (user.is_partner_member and user.partner_id == escalation.partner_id)
    status, active = escalation.status, escalation.is_active
    today = services.site_today(escalation.case)
    zone = escalation.case.site.zone
    waiting_call = next((c for c in escalation.call_list if c.status == JointCallStatus.REQUESTED), None)
    context = {
        "escalation": escalation,
        "badge": STATUS_BADGE[EscalationStatus(status)],
        "zone": zone,
        "show_partner": user.is_poly_staff,
        "show_preconditions": user.is_poly_staff or user.is_partner_member,
        "agreement_on_file": not services.missing_agreement(escalation, today),
        "authorisation_missing": services.missing_authorisation(escalation, today),
        "may_act": may_act,
        "can_open": may_act and status == EscalationStatus.REQUESTED,
        "open_form": bound.get("open") or forms.OpenIncidentForm(),
        "can_update": may_act and active,
        "update_form": bound.get("update") or forms.UpdateForm(),
        "can_write_internal": worker and active,
        "internal_form": bound.get("internal") or forms.InternalUpdateForm(),
        "can_refer": worker and status in services.MOVES["refer"],
        "refer_form": bound.get("refer") or forms.ReferForm(),
        "can_resolve": may_act and status == EscalationStatus.OPENED_WITH_PROVIDER,
        "resolve_form": bound.get("resolve") or forms.ResolveForm(),
        "can_cancel": may_act and active,
        "cancel_form": bound.get("cancel") or forms.CancelForm(),
        "can_request_call": may_act and active and waiting_call is None,
        "call_form": bound.get("call") or forms.JointCallRequestForm(),
        "waiting_call": waiting_call if worker and active else None,
        "schedule_form": bound.get("schedule") or forms.JointCallScheduleForm(
            zone=zone, initial={"joint_call": waiting_call.pk if waiting_call else None}),
    }
    return render(request, "ecps/escalation_detail.html", context, status=400 if bound else 200)


def _escalation(request: HttpRequest, pk: int) -> Escalation:
    return selectors.escalation_get_for_user(user=request.user, pk=pk)


def _to_act_on(request: HttpRequest, pk: int, roles: frozenset[str] = ACTORS) -> Escalation:
    """The escalation first, so another partner's is a 404 like a missing one; then the role (403)."""
    escalation = _escalation(request, pk)
    if request.user.role not in roles:
        raise PermissionDenied("Your role may not do this on an ECPS escalation.")
    return escalation


@roles_required(*EVERYONE)
def escalation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_escalation(request, _escalation(request, pk))


def _act(request: HttpRequest, pk: int, *, form_class, bound_as: str, perform, done: str,
         roles: frozenset[str] = ACTORS) -> HttpResponse:
    """One action of the escalation page: the form, the service, and its refusal next to the field."""
    escalation = _to_act_on(request, pk, roles)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            perform(escalation, form.cleaned_data)
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("ecps:escalation_detail", escalation.pk)
    return render_escalation(request, escalation, bound={bound_as: form})


@require_POST
@roles_required(*EVERYONE)
def escalation_open_incident(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, form_class=forms.OpenIncidentForm, bound_as="open", done="Opened with the provider.",
                perform=lambda e, d: services.escalation_open_incident(
                    by=request.user, escalation=e, provider_incident_number=d["provider_incident_number"],
                    note=d["note"]))


def _add_update(request: HttpRequest, pk: int, *, internal: bool) -> HttpResponse:
    escalation = _to_act_on(request, pk, frozenset(POLY_CASE_ROLES) if internal else ACTORS)
    form = (forms.InternalUpdateForm if internal else forms.UpdateForm)(request.POST)
    if form.is_valid():
        try:
            services.escalation_add_update(by=request.user, escalation=escalation, body=form.cleaned_data["body"],
                                           internal=internal)
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, "Internal update added (Poly only)." if internal else "Update added.")
            return redirect("ecps:escalation_detail", escalation.pk)
    return render_escalation(request, escalation, bound={"internal" if internal else "update": form})


@require_POST
@roles_required(*EVERYONE)
def escalation_update(request: HttpRequest, pk: int) -> HttpResponse:
    """A public update, always: an internal one has its own form and address."""
    return _add_update(request, pk, internal=False)


@require_POST
@roles_required(*EVERYONE)
def escalation_internal_update(request: HttpRequest, pk: int) -> HttpResponse:
    """An internal update, Poly's case workers only."""
    return _add_update(request, pk, internal=True)


@require_POST
@roles_required(*EVERYONE)
def escalation_refer(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, form_class=forms.ReferForm, bound_as="refer", roles=frozenset(POLY_CASE_ROLES),
                done="Referred to the provider with Poly's findings.",
                perform=lambda e, d: services.escalation_refer(by=request.user, escalation=e,
                                                               findings=d["findings"]))


@require_POST
@roles_required(*EVERYONE)
def escalation_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, form_class=forms.ResolveForm, bound_as="resolve", done="Resolved.",
                perform=lambda e, d: services.escalation_resolve(by=request.user, escalation=e,
                                                                 resolution=d["resolution"]))


@require_POST
@roles_required(*EVERYONE)
def escalation_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, form_class=forms.CancelForm, bound_as="cancel", done="Cancelled.",
                perform=lambda e, d: services.escalation_cancel(by=request.user, escalation=e, reason=d["reason"]))


@require_POST
@roles_required(*EVERYONE)
def escalation_request_call(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, form_class=forms.JointCallRequestForm, bound_as="call", done="Joint call requested.",
                perform=lambda e, d: services.joint_call_request(by=request.user, escalation=e, note=d["note"]))


@require_POST
@roles_required(*EVERYONE)
def escalation_schedule_call(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = _to_act_on(request, pk, frozenset(POLY_CASE_ROLES))
    form = forms.JointCallScheduleForm(request.POST, zone=escalation.case.site.zone)
    if form.is_valid():
        call = escalation.joint_calls.filter(pk=form.cleaned_data["joint_call"]).first()
        if call is None:
            form.add_error(None, "No such joint call on this escalation.")
        else:
            try:
                services.joint_call_schedule(by=request.user, call=call,
                                             scheduled_for=form.cleaned_data["scheduled_for"])
            except ValidationError as exc:
                put_errors(form, exc)
            else:
                messages.success(request, "Joint call scheduled.")
                return redirect("ecps:escalation_detail", escalation.pk)
    return render_escalation(request, escalation, bound={"schedule": form})


# ---- a customer's agreements and authorisations -------------------------------------------------

def _customer_page(request: HttpRequest, customer, *, bound: dict | None = None) -> HttpResponse:
    bound = bound or {}
    agreements = list(selectors.agreements_visible_to(request.user).filter(customer=customer))
    authorisations = list(selectors.authorisations_visible_to(request.user).filter(customer=customer))
    today = timezone.localdate()
    for item in (*agreements, *authorisations):
        item.current = item.is_current(today)
    return render(request, "ecps/customer_preconditions.html", {
        "customer": customer, "agreements": agreements, "authorisations": authorisations,
        "agreement_form": bound.get("agreement") or forms.AgreementForm(),
        "authorisation_form": bound.get("authorisation") or forms.AuthorisationForm(),
    }, status=400 if bound else 200)


@roles_required(*ACTORS)
def customer_preconditions(request: HttpRequest, customer_pk: int) -> HttpResponse:
    return _customer_page(request, customer_get_for_user(user=request.user, pk=customer_pk))


@require_POST
@roles_required(*ACTORS)
def agreement_add(request: HttpRequest, customer_pk: int) -> HttpResponse:
    customer = customer_get_for_user(user=request.user, pk=customer_pk)
    form = forms.AgreementForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.agreement_record(by=request.user, customer=customer, provider=data["provider"],
                                      reference=data["reference"], valid_until=data["valid_until"])
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"Agreement with {data['provider'].name} recorded.")
            return redirect("ecps:customer_preconditions", customer.pk)
    return _customer_page(request, customer, bound={"agreement": form})


@require_POST
@roles_required(*ACTORS)
def authorisation_add(request: HttpRequest, customer_pk: int) -> HttpResponse:
    customer = customer_get_for_user(user=request.user, pk=customer_pk)
    form = forms.AuthorisationForm(request.POST, request.FILES)
    if form.is_valid():
        data, upload = form.cleaned_data, form.cleaned_data["file"]
        try:
            services.authorisation_upload(by=request.user, customer=customer, provider=data["provider"],
                                          name=upload.name, file=upload, size=upload.size,
                                          signed_on=data["signed_on"], valid_until=data["valid_until"])
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"Signed authorisation for {data['provider'].name} stored.")
            return redirect("ecps:customer_preconditions", customer.pk)
    return _customer_page(request, customer, bound={"authorisation": form})


@roles_required(*ACTORS)
def authorisation_download(request: HttpRequest, pk: int) -> FileResponse:
    authorisation = selectors.authorisation_get_for_user(user=request.user, pk=pk)
    try:
        handle = authorisation.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("No such authorisation.") from None
    return FileResponse(handle, as_attachment=True, filename=authorisation.original_name,
                        content_type="application/pdf")


# ---- Poly's list of providers ----------------------------------------------------------------

@roles_required(Role.POLY_ADMIN)
def provider_list(request: HttpRequest) -> HttpResponse:
    form = forms.ProviderForm(request.POST or None, initial={"requires_authorisation": True,
                                                            "direct_engagement": True, "active": True})
    provider = None
    edit_pk = request.POST.get("provider_pk") if request.method == "POST" else None
    if edit_pk:
        provider = selectors.provider_get(pk=edit_pk)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.provider_save(by=request.user, provider=provider, **form.cleaned_data)
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"{saved.name} saved.")
            return redirect("ecps:provider_list")
    return render(request, "ecps/provider_list.html", {"providers": list(selectors.providers_all()), "form": form,
                                                        "editing": provider},
                  status=400 if form.is_bound else 200)

