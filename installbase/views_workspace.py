"""The CSM's workspace pages: my customers, a customer's workspace, a contract's monthly
reconciliation with its chart, true-ups and renewal proposal, and Poly Lens inventory uploads
with their progress. A partner sees the same for its customers, read-only except uploads and POs.
Writes go through installbase/reconciliation.py and installbase/inventory.py."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from contracts.models import Contract, ContractStatus
from installbase import baseline as rules
from installbase import forms_workspace as forms
from installbase import inventory, reconciliation, selectors, services
from installbase.chart import Point, term_chart
from installbase.models import HOURS_PER_BLOCK, LensAccess, RenewalStatus, TrueUpStatus, month_end, month_start
from polyplus.tenancy.models import Role, ServiceCategory, User
from polyplus.tenancy.scoping import get_or_404
from polyplus.tenancy.selectors import customer_get_for_user
from polyplus.tenancy.views import CUSTOMER_READERS, put_errors, roles_required
from polyplus.tenancy.web import text_param

UPLOADERS = (Role.PARTNER_ADMIN, Role.PARTNER_ENGINEER, Role.POLY_ADMIN)
RECENT_UPLOADS = 10
DECISIONS = frozenset({"accept", "reject"})


def may_run(user: User, customer_id: int) -> bool:
    return user.is_poly_admin or reconciliation.is_csm_of(user, customer_id)


def may_record_po(user: User, partner_id: int, customer_id: int) -> bool:
    return user.is_poly_admin or (user.is_partner_admin and user.partner_id == partner_id) \
        or reconciliation.is_csm_of(user, customer_id)


def may_upload(user: User, partner_id: int) -> bool:
    return user.is_poly_admin or (user.is_partner_member and user.partner_id == partner_id)


def _month_param(request: HttpRequest, contract: Contract, today: datetime.date) -> datetime.date:
    """The month asked for (YYYY-MM), kept inside the term's begun months; by default the latest."""
    latest = min(month_start(today), month_start(contract.end_date))
    latest = max(latest, month_start(contract.start_date))
    text = text_param(request, "month")
    try:
        year, month = (int(part) for part in text.split("-")[:2])
        wanted = datetime.date(year, month, 1)
    except (ValueError, TypeError):
        return latest
    return min(max(wanted, month_start(contract.start_date)), latest)


def _contract_for(user: User, pk) -> Contract:
    return get_or_404(selectors.enterprise_contracts_visible_to(user), pk=pk)


# ---- my customers --------------------------------------------------------------------------------

@roles_required(*CUSTOMER_READERS)
def my_customers(request: HttpRequest) -> HttpResponse:
    """Enterprise customers with their contracts in force and the latest month's flags."""
    user = request.user
    today = timezone.localdate()
    contracts = list(selectors.enterprise_contracts_visible_to(user).filter(status=ContractStatus.ACTIVE)
                     .order_by("customer__name", "customer_id", "start_date"))
    rows = defaultdict(list)
    for row in selectors.reconciliations_visible_to(user).filter(
            contract__in=[c.pk for c in contracts], month=month_start(today)).order_by("category"):
        rows[row.contract_id].append(row)
    previous = month_start(month_start(today) - datetime.timedelta(days=1))
    reviewed = set(selectors.month_reviews_visible_to(user).filter(
        contract__in=[c.pk for c in contracts], month__in=[month_start(today), previous])
        .values_list("contract_id", "month"))
    open_true_ups = set(selectors.true_ups_visible_to(user).filter(status=TrueUpStatus.PROPOSED)
                        .values_list("contract_id", flat=True))
    for contract in contracts:
        contract.month_rows = rows.get(contract.pk, [])
        contract.reviewed = (contract.pk, month_start(today)) in reviewed
        contract.has_open_true_up = contract.pk in open_true_ups
        contract.triggered = any(row.over_threshold for row in contract.month_rows)
    return render(request, "installbase/workspace/my_customers.html", {
        "contracts": contracts, "month": month_start(today), "is_csm": user.role == Role.CSM,
    })


# ---- a customer's workspace ----------------------------------------------------------------------

@roles_required(*CUSTOMER_READERS)
def customer_workspace(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    customer = customer_get_for_user(user=user, pk=pk)
    contracts = list(selectors.enterprise_contracts_visible_to(user).filter(customer=customer)
                     .order_by("-start_date"))
    uploads = list(selectors.inventory_uploads_visible_to(user).filter(customer=customer)
                   .order_by("-uploaded_at", "-pk")[:RECENT_UPLOADS])
    access = LensAccess.objects.filter(customer=customer).values_list("has_access", flat=True).first()
    has_access = access is not False
    return render(request, "installbase/workspace/customer.html", {
        "customer": customer, "contracts": contracts, "uploads": uploads, "has_access": has_access,
        "can_upload": may_upload(user, customer.partner_id), "can_set_access": may_run(user, customer.pk),
        "access_form": forms.LensAccessForm(initial={"has_access": "yes" if has_access else "no"}),
    })


@require_POST
@roles_required(Role.CSM, Role.POLY_ADMIN)
def lens_access(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get_for_user(user=request.user, pk=pk)
    form = forms.LensAccessForm(request.POST)
    if form.is_valid():
        reconciliation.lens_access_set(by=request.user, customer=customer, has_access=form.cleaned_data["has_access"])
        messages.success(request, "Saved where the monthly count comes from.")
    else:
        messages.error(request, "Choose where the monthly count comes from.")
    return redirect("installbase:customer_workspace", pk=customer.pk)


# ---- a contract's reconciliation -----------------------------------------------------------------

def _chart_points(contract: Contract, rows, true_ups) -> dict[str, list[Point]]:
    """Per category, one point per month of the term: the reconciled count where there is one, and
    Q and B as they stood that month (a true-up's PO moved them) for every month."""
    by_key = {(row.category, row.month): row for row in rows}
    accepted = {tu.category: tu for tu in true_ups if tu.status == TrueUpStatus.ACCEPTED}
    months = rules.term_months(contract.start_date, contract.end_date)
    charts = {}
    for line in contract.lines.all():
        points = []
        for month in months:
            row = by_key.get((line.category, month))
            committed = row.committed if row else reconciliation.committed_in(month, line, accepted.get(line.category))
            points.append(Point(month=month, count=row.count if row else None, committed=committed,
                                baseline=rules.baseline(committed)))
        charts[line.category] = points
    return charts


def _reconciliation_page(request: HttpRequest, contract: Contract, *, bound: dict | None = None,
                         status: int = 200) -> HttpResponse:
    user = request.user
    bound = bound or {}
    today = timezone.localdate()
    month = _month_param(request, contract, today)
    all_rows = list(selectors.reconciliations_visible_to(user).filter(contract=contract).order_by("month", "category"))
    month_rows = [row for row in all_rows if row.month == month]
    true_ups = list(selectors.true_ups_visible_to(user).filter(contract=contract).order_by("-month", "category"))
    review = selectors.month_reviews_visible_to(user).filter(contract=contract, month=month).first()
    proposals = list(selectors.renewal_proposals_visible_to(user).filter(contract=contract)
                     .order_by("-created_at", "-pk"))
    labels = dict(ServiceCategory.choices)
    charts = [
        {"category": category, "label": labels.get(category, category),
         "svg": term_chart(title=f"{labels.get(category, category)}: count against Q and B, "
                                 f"{contract.start_date:%b %Y} to {contract.end_date:%b %Y}",
                           points=points, chart_id=f"chart-{category}")}
        for category, points in _chart_points(contract, all_rows, true_ups).items()
    ]
    months = [m for m in rules.term_months(contract.start_date, contract.end_date) if m <= month_start(today)]
    lines = list(contract.lines.all())
    can_run = may_run(user, contract.customer_id)
    open_proposal = next((p for p in proposals if p.status == RenewalStatus.PROPOSED), None)
    hours = _csm_hours(user, contract, month, today, bound.get("hours"))
    return render(request, "installbase/workspace/reconciliation.html", {
        "contract": contract, "month": month, "months": months, "rows": month_rows, "true_ups": true_ups,
        "review": review, "charts": charts, "proposals": proposals, "open_proposal": open_proposal,
        "adjustment_month": rules.adjustment_month(contract.start_date, contract.end_date),
        "midpoint": rules.term_midpoint(contract.start_date, contract.end_date),
        "missing_upload": any(row.missing_upload for row in month_rows),
        "can_run": can_run, "can_record_po": may_record_po(user, contract.partner_id, contract.customer_id),
        "can_accept_renewal": user.is_poly_admin or (user.is_partner_admin and user.partner_id == contract.partner_id),
        "can_upload": may_upload(user, contract.partner_id),
        "po_form": bound.get("po") or forms.PoForm(), "po_for": bound.get("po_for"),
        "reject_form": forms.RejectForm(), "review_form": bound.get("review") or forms.ReviewForm(),
        "renewal_form": bound.get("renewal") or forms.RenewalForm(
            categories=[(line.category, line.get_category_display()) for line in lines],
            initial={"csm_hour_blocks": contract.csm_hour_blocks,
                     "technical_account_management": contract.technical_account_management,
                     "onsite_extension": contract.onsite_extension}),
        "renewal_po_form": bound.get("renewal_po") or forms.PoForm(prefix="renewal"),
        "may_prepare_renewal": can_run and contract.status == ContractStatus.ACTIVE and open_proposal is None
        and not Contract.objects.filter(renewal_of=contract).exists(),
        "error_text": bound.get("error"), "hours": hours,
    }, status=status)


@roles_required(*CUSTOMER_READERS)
def contract_reconciliation(request: HttpRequest, pk: int) -> HttpResponse:
    return _reconciliation_page(request, _contract_for(request.user, pk))


def _csm_hours(user: User, contract: Contract, month: datetime.date, today: datetime.date, form) -> dict:
    """The month's CSM hours card: used against bought (blocks × 8), the entries, the form."""
    entries = list(selectors.csm_hour_entries_visible_to(user).filter(
        contract=contract, day__gte=month, day__lte=month_end(month)).order_by("day", "pk"))
    used = sum((entry.hours for entry in entries), Decimal("0.00"))
    bought = contract.csm_hour_blocks * HOURS_PER_BLOCK
    can_log = may_run(user, contract.customer_id) and contract.csm_hour_blocks > 0
    last_day = min(today, contract.end_date, month_end(month))
    return {
        "entries": entries, "used": used, "bought": bought, "over": used - bought if used > bought else None,
        "left": bought - used if used <= bought else None, "can_log": can_log,
        "form": form or (forms.CsmHoursForm(initial={"day": max(last_day, contract.start_date)}) if can_log else None),
    }


@require_POST
@roles_required(Role.CSM, Role.POLY_ADMIN)
def csm_hours_log(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract_for(request.user, pk)
    form = forms.CsmHoursForm(request.POST)
    if not form.is_valid():
        request.GET = request.GET.copy()
        return _reconciliation_page(request, contract, bound={"hours": form, "error": "Check the hours logged."},
                                    status=400)
    data = form.cleaned_data
    request.GET = request.GET.copy()
    request.GET["month"] = f"{data['day']:%Y-%m}"
    try:
        entry = services.csm_hours_log(by=request.user, contract=contract, day=data["day"], hours=data["hours"],
                                       note=data["note"])
    except (ValidationError, PermissionDenied) as exc:
        if isinstance(exc, ValidationError):
            put_errors(form, exc)
        return _refused(request, contract, exc, hours=form)
    messages.success(request, f"{entry.hours} h logged on {entry.day:%-d %B %Y}.")
    return _back(contract, month_start(entry.day), "csm-hours")


def _back(contract: Contract, month: datetime.date, anchor: str = "") -> HttpResponse:
    url = reverse("installbase:contract_reconciliation", args=[contract.pk]) + f"?month={month:%Y-%m}"
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _refused(request: HttpRequest, contract: Contract, exc: Exception, **bound) -> HttpResponse:
    text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text)
    return _reconciliation_page(request, contract, bound={**bound, "error": text},
                                status=403 if isinstance(exc, PermissionDenied) else 400)


@require_POST
@roles_required(Role.CSM, Role.POLY_ADMIN)
def reconciliation_run(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract_for(request.user, pk)
    month = _month_param(request, contract, timezone.localdate())
    try:
        result = reconciliation.reconcile(contract_id=contract.pk, month=month, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, contract, exc)
    if result.closed:
        messages.info(request, f"{month:%B %Y} is closed: a true-up of it has its purchase order.")
    elif result.changed:
        messages.success(request, f"{month:%B %Y} reconciled.")
    else:
        messages.info(request, f"{month:%B %Y} reconciled again: nothing changed.")
    return _back(contract, month)


@require_POST
@roles_required(Role.CSM, Role.POLY_ADMIN)
def month_review(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract_for(request.user, pk)
    month = _month_param(request, contract, timezone.localdate())
    form = forms.ReviewForm(request.POST)
    reviewed = request.POST.get("reviewed") != "no"
    if not form.is_valid():
        return _reconciliation_page(request, contract, bound={"review": form}, status=400)
    try:
        reconciliation.month_review_set(by=request.user, contract=contract, month=month, reviewed=reviewed,
                                        note=form.cleaned_data["note"])
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, contract, exc, review=form)
    messages.success(request, f"{month:%B %Y} marked reviewed." if reviewed else "Review mark taken back.")
    return _back(contract, month)


@require_POST
@roles_required(*CUSTOMER_READERS)
def true_up_decide(request: HttpRequest, pk: int, true_up_pk: int, decision: str) -> HttpResponse:
    if decision not in DECISIONS:
        raise Http404("Not found.")
    contract = _contract_for(request.user, pk)
    true_up = get_or_404(selectors.true_ups_visible_to(request.user).filter(contract=contract), pk=true_up_pk)
    if not may_record_po(request.user, contract.partner_id, contract.customer_id):
        raise PermissionDenied("Only the partner's admin, the customer's CSM or a Poly admin may record a PO.")
    request.GET = request.GET.copy()
    request.GET["month"] = f"{true_up.month:%Y-%m}"
    try:
        if decision == "accept":
            form = forms.PoForm(request.POST)
            if not form.is_valid():
                return _reconciliation_page(request, contract, bound={"po": form, "po_for": true_up.pk}, status=400)
            reconciliation.true_up_accept(by=request.user, true_up=true_up, po_number=form.cleaned_data["po_number"])
            messages.success(request, "Purchase order recorded: the baseline is reset to the month's count.")
        else:
            form = forms.RejectForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            reconciliation.true_up_reject(by=request.user, true_up=true_up, reason=reason)
            messages.success(request, "True-up rejected.")
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, contract, exc)
    return _back(contract, true_up.month, "true-ups")


@require_POST
@roles_required(Role.CSM, Role.POLY_ADMIN)
def renewal_prepare(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract_for(request.user, pk)
    form = forms.RenewalForm(request.POST, categories=[(line.category, line.get_category_display())
                                                       for line in contract.lines.all()])
    if not form.is_valid():
        return _reconciliation_page(request, contract, bound={"renewal": form}, status=400)
    data = form.cleaned_data
    try:
        reconciliation.renewal_proposal_prepare(
            by=request.user, contract=contract, growth_by_category=form.growth(),
            csm_hour_blocks=data["csm_hour_blocks"], technical_account_management=data["technical_account_management"],
            onsite_extension=data["onsite_extension"], note=data["note"])
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, contract, exc, renewal=form)
    messages.success(request, "Renewal proposal prepared.")
    return redirect(reverse("installbase:contract_reconciliation", args=[contract.pk]) + "#renewal")


@require_POST
@roles_required(*CUSTOMER_READERS)
def renewal_decide(request: HttpRequest, pk: int, proposal_pk: int, decision: str) -> HttpResponse:
    if decision not in DECISIONS:
        raise Http404("Not found.")
    contract = _contract_for(request.user, pk)
    proposal = get_or_404(selectors.renewal_proposals_visible_to(request.user).filter(contract=contract),
                          pk=proposal_pk)
    try:
        if decision == "accept":
            form = forms.PoForm(request.POST, prefix="renewal")
            if not form.is_valid():
                return _reconciliation_page(request, contract, bound={"renewal_po": form}, status=400)
            renewal = reconciliation.renewal_proposal_accept(by=request.user, proposal=proposal,
                                                             po_number=form.cleaned_data["po_number"])
            messages.success(request, f"Purchase order recorded: the next term is drafted as {renewal.number}.")
            return redirect("contracts:contract_detail", pk=renewal.pk)
        reconciliation.renewal_proposal_reject(by=request.user, proposal=proposal)
        messages.success(request, "Renewal proposal rejected.")
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, contract, exc)
    return redirect(reverse("installbase:contract_reconciliation", args=[contract.pk]) + "#renewal")


# ---- inventory uploads ---------------------------------------------------------------------------

@roles_required(*UPLOADERS)
def upload_create(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get_for_user(user=request.user, pk=pk)
    if not may_upload(request.user, customer.partner_id):
        raise PermissionDenied("Only the partner's admins and engineers or a Poly admin may upload an inventory.")
    today = timezone.localdate()
    form = forms.InventoryUploadForm(request.POST or None, request.FILES or None,
                                     initial={"month": month_start(month_start(today) - datetime.timedelta(days=1))})
    if request.method == "POST" and form.is_valid():
        try:
            upload = inventory.inventory_upload_create(by=request.user, customer=customer,
                                                       month=form.cleaned_data["month"], file=form.cleaned_data["file"])
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            return redirect("installbase:upload_detail", pk=upload.pk)
    return render(request, "installbase/workspace/upload_form.html", {"form": form, "customer": customer},
                  status=400 if form.errors else 200)


@roles_required(*CUSTOMER_READERS)
def upload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    upload = selectors.inventory_upload_get_for_user(user=request.user, pk=pk)
    template = "installbase/workspace/_upload_status.html" if request.htmx else "installbase/workspace/upload.html"
    return render(request, template, {"upload": upload, "can_upload": may_upload(request.user, upload.partner_id)})



def reconciliation_section(request: HttpRequest, contract: Contract, bound: dict) -> str:
    """On the contract page of an active or expired Enterprise contract: the way to its reconciliation."""
    if not contract.is_enterprise or contract.status not in {ContractStatus.ACTIVE, ContractStatus.EXPIRED} \
            or request.user.is_customer_viewer:
        return ""
    return render_to_string("installbase/workspace/_contract_section.html", {"contract": contract}, request=request)
