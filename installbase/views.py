"""Pages for the coverage lookup, devices, Poly+ compliance and the serial list of Poly+ contracts.

What a person types (a Site ID, a serial, a SKU) is resolved through their own scope, so
another partner's site or device answers exactly like one that does not exist. Writes
go through installbase/services.py and contracts/services.py.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from contracts.models import Contract, ContractStatus, ProductCategory
from contracts.selectors import contract_get_for_user, product_get_for_user, products_visible_to
from contracts.views import ContractSection, posted, register_contract_section, render_contract_detail
from installbase import forms, selectors, services
from installbase.coverage import CoverageAnswer, Reason, check_coverage, non_compliant_devices
from polyplus.tenancy.models import Role, User
from polyplus.tenancy.selectors import customers_visible_to, site_get_for_user, sites_visible_to
from polyplus.tenancy.views import CUSTOMER_READERS, POLY_READERS, paginate, put_errors, roles_required
from polyplus.tenancy.web import id_param, text_param

DEVICE_WRITERS = (Role.PARTNER_ADMIN, Role.PARTNER_ENGINEER, Role.POLY_ADMIN)
COMPLIANCE_READERS = (*POLY_READERS, Role.PARTNER_ADMIN, Role.PARTNER_ENGINEER)
SERIALS_PER_PAGE = 50
UNLISTED_SHOWN = 20
SERIAL_SUGGESTIONS = 100


def can_manage_devices(user: User, partner_id: int) -> bool:
    return user.is_poly_admin or (user.is_partner_member and user.partner_id == partner_id)


# ---- coverage lookup ------------------------------------------------------------------------

def _answer(user: User, form: forms.CoverageForm) -> CoverageAnswer | None:
    """Resolve the form's Site ID, SKU or serial in the reader's scope and ask the one coverage check.

    Anything that cannot be resolved becomes an error on its field; foreign and unknown read alike.
    """
    data = form.cleaned_data
    if data["serial"]:
        devices = selectors.devices_by_serial(user=user, serial=data["serial"].upper(), sku=data["sku"] or None)
        if not devices:
            form.add_error("serial", "No device with this serial number"
                                     + (" and SKU." if data["sku"] else "."))
            return None
        if len(devices) > 1:
            form.add_error("sku", "Two products share this serial; give the SKU too.")
            return None
        device = devices[0]
        return check_coverage(site=device.site, category=device.product.category, device=device, on_date=data["on"])
    try:
        site = site_get_for_user(user=user, site_id=data["site_id"])
    except Http404:
        form.add_error("site_id", "No site with this Site ID.")
        return None
    product = None
    if data["sku"]:
        try:
            product = product_get_for_user(user=user, sku=data["sku"])
        except Http404:
            form.add_error("sku", "No product with this SKU.")
            return None
    category = data.get("category") or product.category
    return check_coverage(site=site, category=category, product=product, on_date=data["on"])


@roles_required(*CUSTOMER_READERS)
def coverage(request: HttpRequest) -> HttpResponse:
    """Is it covered, and why: by Site ID and category (or SKU), or by serial."""
    asked = any(request.GET.get(name) for name in ("site_id", "serial", "sku", "category"))
    form = forms.CoverageForm(request.GET if asked else None)
    answer = _answer(request.user, form) if asked and form.is_valid() else None
    context = {
        "form": form, "answer": answer,
        "show_flags": not request.user.is_customer_viewer,
        "category_label": dict(ProductCategory.choices).get(answer.category, answer.category) if answer else "",
        "reason_codes": Reason.choices,
    }
    return render(request, "installbase/coverage.html", context)


# ---- devices --------------------------------------------------------------------------------

@roles_required(*CUSTOMER_READERS)
def device_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    query = text_param(request, "q")
    site_id = text_param(request, "site")
    category = text_param(request, "category")
    customer_id = id_param(request, "customer")
    devices = selectors.devices_visible_to(user).select_related("partner").order_by("serial", "pk")
    if query:
        devices = devices.filter(Q(serial__icontains=query) | Q(product__sku__icontains=query.upper()))
    if site_id:
        devices = devices.filter(site__site_id__iexact=site_id)
    if category in ProductCategory.values:
        devices = devices.filter(product__category=category)
    else:
        category = ""
    if customer_id:
        devices = devices.filter(customer_id=customer_id)
    page, query_string = paginate(request, devices)
    context = {
        "page_obj": page, "query_string": query_string, "query": query, "site_id": site_id, "category": category,
        "customer_id": customer_id, "categories": ProductCategory.choices,
        "customers": customers_visible_to(user).order_by("name", "pk"),
        "show_partner": user.is_poly_staff, "can_register": user.role in DEVICE_WRITERS,
        "can_see_compliance": user.role in COMPLIANCE_READERS,
    }
    template = "installbase/_device_results.html" if request.htmx else "installbase/device_list.html"
    return render(request, template, context)


@roles_required(*DEVICE_WRITERS)
def device_register(request: HttpRequest) -> HttpResponse:
    user = request.user
    sites = sites_visible_to(user).order_by("site_id")
    initial = {}
    if site_id := text_param(request, "site"):
        initial["site"] = sites.filter(site_id__iexact=site_id).first()
    form = forms.DeviceRegisterForm(posted(request), initial=initial, sites=sites,
                                    products=products_visible_to(user).order_by("sku"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            device = services.device_register(by=user, site=data["site"], product=data["product"],
                                              serial=data["serial"])
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"Serial {device.serial} ({device.product.sku}) registered at "
                                      f"{device.site.site_id}.")
            return redirect(f"{request.path}?site={device.site.site_id}")
    return render(request, "installbase/device_form.html", {"form": form})


# ---- Poly+ compliance -------------------------------------------------------------------------

@roles_required(*COMPLIANCE_READERS)
def compliance(request: HttpRequest) -> HttpResponse:
    """Poly+ customers with devices in production that no Poly+ contract in force lists."""
    user = request.user
    today = timezone.localdate()
    customers = selectors.non_compliant_customers(user, today).order_by("name", "pk")
    page, query_string = paginate(request, customers)
    unlisted = defaultdict(list)
    shown = selectors.unlisted_devices_visible_to(user, today).filter(
        customer__in=[customer.pk for customer in page.object_list]
    ).order_by("customer_id", "site__site_id", "serial")
    for device in shown:
        unlisted[device.customer_id].append(device)
    for customer in page.object_list:
        customer.unlisted = unlisted[customer.pk]
    return render(request, "installbase/compliance.html", {
        "page_obj": page, "query_string": query_string, "show_partner": user.is_poly_staff, "today": today,
    })


# ---- the serial list of a Poly+ contract ---------------------------------------------------------

def _contract_devices_section(request: HttpRequest, contract: Contract, bound: dict) -> str:
    user = request.user
    today = timezone.localdate()
    if contract.is_enterprise:
        return render_to_string("installbase/_contract_enterprise.html",
                                {"contract": contract, "form": bound.get("device")}, request=request)
    live = contract.status in {ContractStatus.DRAFT, ContractStatus.ACTIVE}
    can_manage = live and can_manage_devices(user, contract.partner_id)
    entries = Paginator(selectors.contract_devices(contract).order_by("device__serial", "pk"), SERIALS_PER_PAGE)
    page = entries.get_page(request.GET.get("devices_page"))
    unlisted, unlisted_count = [], 0
    if not user.is_customer_viewer:
        missing = non_compliant_devices(contract.customer, today).order_by("site__site_id", "serial")
        unlisted_count = missing.count()
        unlisted = list(missing[:UNLISTED_SHOWN])
    suggestions = []
    if can_manage:
        suggestions = list(
            selectors.devices_visible_to(user).filter(customer_id=contract.customer_id)
            .exclude(contract_entries__contract=contract).order_by("serial")
            .values_list("serial", "product__sku")[:SERIAL_SUGGESTIONS]
        )
    return render_to_string("installbase/_contract_devices.html", {
        "contract": contract, "page": page, "can_manage": can_manage, "unlisted": unlisted,
        "unlisted_count": unlisted_count, "form": bound.get("device") or forms.ContractDeviceAddForm(),
        "suggestions": suggestions, "in_force": contract.is_in_force(today),
    }, request=request)


def _contract_devices_warnings(contract: Contract) -> list[str]:
    """A Poly+ contract covers only the serials it lists: with none, it covers nothing."""
    if contract.is_enterprise or selectors.contract_devices(contract).exists():
        return []
    return ["No serials listed: nothing is covered. A Poly+ contract covers only the serial numbers on its list."]


def register_sections() -> None:
    """Called from InstallbaseConfig.ready: the contract page shows a Poly+ contract's serial list,
    and warns while that list is empty."""
    register_contract_section(ContractSection(key="devices", render=_contract_devices_section,
                                              warnings=_contract_devices_warnings))
    from installbase.views_workspace import reconciliation_section

    register_contract_section(ContractSection(key="reconciliation", render=reconciliation_section))


@require_POST
@roles_required(*DEVICE_WRITERS)
def contract_device_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    contract = contract_get_for_user(user=user, pk=pk)
    form = forms.ContractDeviceAddForm(request.POST)
    if form.is_valid():
        serial, sku = form.cleaned_data["serial"].strip().upper(), form.cleaned_data["sku"].strip()
        devices = [device for device in selectors.devices_by_serial(user=user, serial=serial, sku=sku or None)
                   if device.customer_id == contract.customer_id]
        if not devices:
            form.add_error("serial", f"{contract.customer.name} has no registered device with this serial.")
        elif len(devices) > 1:
            form.add_error("sku", "Two products share this serial; give the SKU too.")
        else:
            try:
                entry = services.contract_device_add(by=user, contract=contract, device=devices[0])
            except ValidationError as exc:
                put_errors(form, exc)
            else:
                messages.success(request, f"Serial {entry.device.serial} is now on {contract.number}.")
                return redirect("contracts:contract_detail", pk=contract.pk)
    return render_contract_detail(request, contract, bound={"device": form})


@require_POST
@roles_required(*DEVICE_WRITERS)
def contract_device_remove(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    contract = contract_get_for_user(user=request.user, pk=pk)
    entry = selectors.contract_devices(contract).filter(pk=entry_pk).first()
    if entry is None:
        raise Http404("Not found.")
    try:
        services.contract_device_remove(by=request.user, entry=entry)
    except ValidationError as exc:
        return render_contract_detail(request, contract, action_errors=exc.messages)
    messages.success(request, f"Serial {entry.device.serial} removed from {contract.number}.")
    return redirect("contracts:contract_detail", pk=contract.pk)
