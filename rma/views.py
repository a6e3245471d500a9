"""Pages for RMAs: request from a case (with the ship and delivery estimate for the site), the list
with its filters, the RMA page with its timeline and actions, and Poly's billing list (CSV too).

Reads go through rma/selectors.py, so another partner's RMA is a 404 exactly like a missing one
and an internal note never reaches a partner or customer; writes go through rma/services.py, so
the one state machine decides and a refusal comes back in the service's own words, nothing written.
"""

from __future__ import annotations

import csv
import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from installbase.coverage import Flag
from installbase.selectors import device_get_for_user
from polyplus.tenancy.models import Role, User
from polyplus.tenancy.selectors import partners_visible_to
from polyplus.tenancy.views import EVERYONE, paginate, put_errors, roles_required
from rma import forms, selectors, services
from rma.calendar import shipping_dates
from rma.models import OPEN_STATUSES, Rma, RmaStatus, overdue_condition
from tickets.selectors import case_get_for_user
from tickets.services import POLY_CASE_ROLES

RMA_WORKERS = frozenset(POLY_CASE_ROLES)
RMA_ACTORS = RMA_WORKERS | {Role.PARTNER_ADMIN, Role.PARTNER_ENGINEER}
ACTION_SLUGS = {name.replace("_", "-"): name for name in services.MOVES}

STATUS_BADGE = {
    RmaStatus.REQUESTED: "brand", RmaStatus.APPROVED: "", RmaStatus.REJECTED: "bad", RmaStatus.SHIPPED: "",
    RmaStatus.DELIVERED: "warn", RmaStatus.RECEIVED: "ok", RmaStatus.CLOSED: "ok", RmaStatus.CANCELLED: "",
}


def flag_labels(flags: list[str]) -> list[str]:
    labels = []
    for flag in flags:
        try:
            labels.append(Flag(flag).label)
        except ValueError:
            labels.append(str(flag).replace("_", " "))
    return labels


def person_label(step, viewer: User) -> str:
    """Poly staff are “Poly support” to partners and customers (their rows are not visible to them)."""
    if step.by_id is None:
        return "Automatic"
    if step.by is None or (step.by.is_poly_staff and not viewer.is_poly_staff):
        return "Poly support"
    return step.by.full_name or step.by.email


def rma_summary(user: User) -> dict:
    """Open and overdue RMAs the person may see, for a dashboard card: one query."""
    counts = selectors.rmas_visible_to(user).order_by().aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=overdue_condition(timezone.localdate())),
        requested=Count("pk", filter=Q(status=RmaStatus.REQUESTED)),
    )
    return {"rma_counts": counts}


# ---- request ---------------------------------------------------------------------------------------------


@roles_required(*EVERYONE)
def rma_request(request: HttpRequest, case_pk: int) -> HttpResponse:
    """From a case: the failed unit's serial, and when a replacement would ship if approved now."""
    case = case_get_for_user(user=request.user, pk=case_pk)
    if request.user.role not in RMA_ACTORS:
        raise PermissionDenied("Your role may not request a replacement.")
    initial = {"serial": case.device.serial} if case.device_id else {}
    form = forms.RequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rma = services.rma_request(by=request.user, case=case, serial=data["serial"], fault=data["fault"],
                                       sku=data["sku"])
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"RMA {rma.number} requested; Poly support approves it next.")
            return redirect("rma:rma_detail", pk=rma.pk)
    estimate = shipping_dates(site=case.site, at=timezone.now())
    return render(request, "rma/rma_request.html", {"case": case, "form": form, "estimate": estimate})


@roles_required(*EVERYONE)
def rma_request_for_device(request: HttpRequest, device_pk: int) -> HttpResponse:
    """From a device: a hardware-replacement case is opened for the failed unit with the request."""
    device = device_get_for_user(user=request.user, pk=device_pk)
    if request.user.role not in RMA_ACTORS:
        raise PermissionDenied("Your role may not request a replacement.")
    form = forms.DeviceRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rma = services.rma_request_for_device(by=request.user, device=device, fault=form.cleaned_data["fault"],
                                                  severity=form.cleaned_data["severity"])
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"Case {rma.case.number} opened and RMA {rma.number} requested.")
            return redirect("rma:rma_detail", pk=rma.pk)
    estimate = shipping_dates(site=device.site, at=timezone.now())
    return render(request, "rma/rma_request_device.html", {"device": device, "form": form, "estimate": estimate})


# ---- list ---------------------------------------------------------------------------------------------------


@roles_required(*EVERYONE)
def rma_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    partners = partners_visible_to(user).order_by("name") if user.is_poly_staff else None
    filters = forms.RmaFilterForm(request.GET, partners=partners)
    values = filters.values()
    today = timezone.localdate()
    rmas = selectors.rma_list(user, status=values.get("status", ""), overdue=values.get("overdue"),
                              billable=values.get("billable"), partner=values.get("partner"),
                              search=values.get("q", ""), today=today)
    page, query_string = paginate(request, rmas)
    for rma in page.object_list:
        rma.overdue = rma.is_overdue(today)
        rma.status_badge = STATUS_BADGE[RmaStatus(rma.status)]
    return render(request, "rma/rma_list.html", {
        "page_obj": page, "query_string": query_string, "filters": filters, "filtered": bool(values),
        "show_partner": user.is_poly_staff, "show_billing": not user.is_customer_viewer,
        "can_see_billing": user.role in RMA_WORKERS or user.role == Role.POLY_ADMIN,
    })


# ---- the RMA page -------------------------------------------------------------------------------------------


def render_rma(request: HttpRequest, rma: Rma, *, bound: dict | None = None,
               action_errors: list[str] | None = None) -> HttpResponse:
    user = request.user
    bound = bound or {}
    allowed = services.allowed_actions(user, rma)
    actions = [{"name": name, "slug": name.replace("_", "-"), "label": forms.ACTION_BUTTONS[name],
                "form": bound.get(name) or (forms.ACTION_FORMS[name](auto_id=forms.action_auto_id(name))
                                            if name in forms.ACTION_FORMS else None)}
               for name in allowed]
    steps = list(selectors.steps_of(rma))
    for step in steps:
        step.who = person_label(step, user)
        step.detail = services.step_detail_for(step, user)
    worker = services.is_poly_case_worker(user)
    return render(request, "rma/rma_detail.html", {
        "rma": rma, "status_badge": STATUS_BADGE[RmaStatus(rma.status)], "overdue": rma.is_overdue(),
        "steps": steps, "actions": actions, "action_errors": action_errors or [],
        "show_partner": user.is_poly_staff, "show_billing": not user.is_customer_viewer,
        "is_worker": worker, "note_form": bound.get("note") or forms.NoteForm(initial={
            "internal_note": rma.internal_note}) if worker else None,
        "partner_reader": user.is_partner_member,
        "flags": flag_labels(rma.coverage_flags) if (user.is_poly_staff or user.is_partner_member) else [],
    })


@roles_required(*EVERYONE)
def rma_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_rma(request, selectors.rma_get_for_user(user=request.user, pk=pk))


@require_POST
@roles_required(*EVERYONE)
def rma_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One move of the state machine (or the return-sent mark), as the page's buttons post it."""
    rma = selectors.rma_get_for_user(user=request.user, pk=pk)
    name = ACTION_SLUGS.get(action)
    if name is None:
        raise Http404("No such action.")
    if request.user.role not in RMA_ACTORS:
        raise PermissionDenied("Your role may not change an RMA.")
    form_class = forms.ACTION_FORMS.get(name)
    form = form_class(request.POST, auto_id=forms.action_auto_id(name)) if form_class else None
    if form is not None and not form.is_valid():
        return render_rma(request, rma, bound={name: form})
    data = form.cleaned_data if form is not None else {}
    calls = {
        "approve": lambda: services.rma_approve(by=request.user, rma=rma),
        "reject": lambda: services.rma_reject(by=request.user, rma=rma, reason=data["reason"]),
        "ship": lambda: services.rma_ship(by=request.user, rma=rma, carrier=data["carrier"],
                                          tracking_number=data["tracking_number"]),
        "deliver": lambda: services.rma_deliver(by=request.user, rma=rma, delivered_on=data["delivered_on"]),
        "return_sent": lambda: services.rma_mark_return_sent(by=request.user, rma=rma, sent_on=data["sent_on"],
                                                             carrier=data["carrier"],
                                                             tracking_number=data["tracking_number"]),
        "receive_return": lambda: services.rma_receive_return(by=request.user, rma=rma,
                                                              received_on=data["received_on"]),
        "close": lambda: services.rma_close(by=request.user, rma=rma),
        "cancel": lambda: services.rma_cancel(by=request.user, rma=rma, reason=data["reason"]),
    }
    try:
        rma = calls[name]()
    except ValidationError as exc:
        if form is not None and hasattr(exc, "error_dict"):
            put_errors(form, exc)
            return render_rma(request, rma, bound={name: form})
        return render_rma(request, rma, action_errors=exc.messages)
    messages.success(request, f"RMA {rma.number}: {services.MOVES[name].verb}.")
    return redirect(reverse("rma:rma_detail", args=[rma.pk]))


@require_POST
@roles_required(*EVERYONE)
def rma_note(request: HttpRequest, pk: int) -> HttpResponse:
    """Poly's internal note: the RMA first (404 for another partner's, like a missing one), then the role."""
    rma = selectors.rma_get_for_user(user=request.user, pk=pk)
    if request.user.role not in RMA_WORKERS:
        raise PermissionDenied("Only Poly support writes internal notes.")
    form = forms.NoteForm(request.POST)
    if form.is_valid():
        try:
            services.rma_note(by=request.user, rma=rma, internal_note=form.cleaned_data["internal_note"])
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, "Internal note saved (Poly only).")
            return redirect("rma:rma_detail", pk=rma.pk)
    return render_rma(request, rma, bound={"note": form})


# ---- billing --------------------------------------------------------------------------------------------------


def _month(text: str | None) -> datetime.date:
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return datetime.date(year, month, 1) if 2000 <= year <= 2099 else None
    except ValueError:
        return None


@roles_required(Role.POLY_ADMIN, *RMA_WORKERS)
def billing(request: HttpRequest) -> HttpResponse:
    """Billable headset RMAs (beyond the Enterprise 5% allowance) approved in a month, per partner."""
    partners = partners_visible_to(request.user).order_by("name")
    form = forms.BillingForm(request.GET, partners=partners)
    form.is_valid()
    today = timezone.localdate()
    month = _month(form.cleaned_data.get("month")) or today.replace(day=1)
    partner = form.cleaned_data.get("partner") if "partner" not in form.errors else None
    rows = list(selectors.billing_rows(request.user, month=month, partner=partner))
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="rma-billing-{month:%Y-%m}.csv"'
        writer = csv.writer(response)
        writer.writerow(["partner", "customer", "rma", "case", "approved_at_utc", "sku", "serial",
                         "allowance_year", "position", "committed", "price", "currency"])
        for rma in rows:
            writer.writerow([rma.partner.name, rma.customer.name, rma.number, rma.case.number,
                             rma.approved_at.astimezone(datetime.UTC).isoformat(), rma.product.sku,
                             rma.device.serial, rma.allowance_year, rma.allowance_position,
                             rma.allowance_committed, rma.billed_price, rma.billed_currency])
        return response
    totals: dict[tuple[str, str], object] = {}
    for rma in rows:
        key = (rma.partner.name, rma.billed_currency)
        totals[key] = totals.get(key, 0) + rma.billed_price
    return render(request, "rma/billing.html", {
        "form": form, "month": month, "rows": rows,
        "totals": [{"partner": p, "currency": c, "amount": a} for (p, c), a in totals.items()],
        "csv_query": f"month={month:%Y-%m}" + (f"&partner={partner}" if partner else ""),
    })
