"""Pages for Poly's product catalogue, partners' contracts and custom quotes.

Reads go through contracts/selectors.py, so another partner's contract is a 404 exactly
like a missing one; writes go through contracts/services.py, so a role that may not act
gets a 403 and a refused rule comes back next to its field with nothing written.

Apps above this one (the install base) add their own part to the contract page through
`register_contract_section`, so this module never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from contracts import forms, rules, selectors, services
from contracts.models import (
    QUOTE_ONLY_CATEGORIES,
    Contract,
    ContractStatus,
    Offering,
    ProductCategory,
    QuoteStatus,
)
from polyplus.tenancy.models import Role, ServiceCategory, User
from polyplus.tenancy.selectors import customers_visible_to
from polyplus.tenancy.views import CUSTOMER_READERS, EVERYONE, MANAGERS, paginate, put_errors, roles_required
from polyplus.tenancy.web import id_param, text_param

CONTRACT_STATUS_BADGE = {
    ContractStatus.DRAFT: "", ContractStatus.ACTIVE: "ok", ContractStatus.EXPIRED: "warn",
    ContractStatus.CANCELLED: "bad",
}
QUOTE_STATUS_BADGE = {QuoteStatus.REQUESTED: "warn", QuoteStatus.APPROVED: "ok", QuoteStatus.REJECTED: "bad"}
QUOTE_READERS = CUSTOMER_READERS


# ---- the hook for apps above this one -----------------------------------------------------------

@dataclass(frozen=True)
class ContractSection:
    """A part of the contract page drawn by a higher app (e.g. the Poly+ serial list).

    `render(request, contract, bound_forms)` returns the section's HTML, or "" to show nothing;
    `bound_forms` carries that app's own forms back after a refused POST, errors and all.
    `warnings(contract)` names what is wrong with the contract as that app sees it (a Poly+
    contract listing no serials covers nothing): shown on the page and before activation.
    """

    key: str
    render: Callable[[HttpRequest, Contract, dict], str]
    warnings: Callable[[Contract], list[str]] | None = None


def contract_warnings(contract: Contract) -> list[str]:
    """What the apps above say is wrong with a draft or active contract."""
    if contract.status not in {ContractStatus.DRAFT, ContractStatus.ACTIVE}:
        return []
    return [warning for section in _SECTIONS.values() if section.warnings for warning in section.warnings(contract)]


_SECTIONS: dict[str, ContractSection] = {}


def register_contract_section(section: ContractSection) -> ContractSection:
    _SECTIONS[section.key] = section
    return section


# ---- helpers ----------------------------------------------------------------------------------



def posted(request: HttpRequest):
    """The POST data to bind a form to; an empty POST still binds, so it shows what is missing."""
    return request.POST if request.method == "POST" else None


def can_manage_contract(user: User, contract: Contract) -> bool:
    return user.is_poly_admin or (user.is_partner_admin and user.partner_id == contract.partner_id)


def _category_choices(categories) -> list[tuple[str, str]]:
    return [(category, ServiceCategory(category).label) for category in categories]


def quote_only_products(user: User):
    return selectors.products_visible_to(user).filter(category__in=list(QUOTE_ONLY_CATEGORIES)).order_by("sku")


def _missing_categories(contract: Contract) -> list[str]:
    held = {line.category for line in contract.lines.all()}
    return [category for category in ServiceCategory.values if category not in held]


def _renewed_as(contract: Contract) -> Contract | None:
    return getattr(contract, "renewal", None)


def render_contract_detail(request: HttpRequest, contract: Contract, *, bound: dict | None = None,
                           action_errors: list[str] | None = None, confirm_activation: bool = False) -> HttpResponse:
    """The contract page; after a refused action, `bound` holds the form that failed, errors and all.
    `confirm_activation` asks again before a draft with warnings is put in force."""
    user = request.user
    bound = bound or {}
    can_manage = can_manage_contract(user, contract)
    lines = list(contract.lines.all())
    renewal = _renewed_as(contract)
    missing = _missing_categories(contract)
    line_categories = _category_choices(line.category for line in lines)
    show_commercials = not user.is_customer_viewer
    quotes = list(selectors.custom_quotes_visible_to(user).filter(contract=contract)) if show_commercials else []
    for quote in quotes:
        quote.badge = QUOTE_STATUS_BADGE[QuoteStatus(quote.status)]
    live = contract.status in {ContractStatus.DRAFT, ContractStatus.ACTIVE}
    context = {
        "contract": contract,
        "status_badge": CONTRACT_STATUS_BADGE[ContractStatus(contract.status)],
        "lines": lines,
        "renewal": renewal,
        "can_manage": can_manage,
        "show_commercials": show_commercials,
        "status_reason": selectors.status_reason_for(user, contract),
        "quotes": quotes,
        "can_decide_quotes": user.is_poly_admin,
        "action_errors": action_errors or [],
        "can_activate": can_manage and contract.status == ContractStatus.DRAFT,
        "warnings": contract_warnings(contract),
        "confirm_activation": confirm_activation,
        "can_cancel": can_manage and live,
        "can_renew": can_manage and renewal is None
        and contract.status in {ContractStatus.ACTIVE, ContractStatus.EXPIRED},
        "can_add_line": can_manage and live and bool(missing),
        "can_request_quote": can_manage and live,
        "cancel_form": bound.get("cancel") or forms.CancelForm(),
        "renew_form": bound.get("renew") or forms.RenewForm(categories=line_categories),
        "line_form": bound.get("line") or forms.LineForm(categories=_category_choices(missing)),
        "quote_form": bound.get("quote") or forms.CustomQuoteForm(products=quote_only_products(user)),
        "sections": [SafeString(html) for section in _SECTIONS.values()
                     if (html := section.render(request, contract, bound))],
    }
    return render(request, "contracts/contract_detail.html", context)


def _contract(request: HttpRequest, pk: int) -> Contract:
    return selectors.contract_get_for_user(user=request.user, pk=pk)


# ---- the catalogue ----------------------------------------------------------------------------

@roles_required(*EVERYONE)
def product_list(request: HttpRequest) -> HttpResponse:
    query = text_param(request, "q")
    category = text_param(request, "category")
    products = selectors.products_visible_to(request.user).order_by("sku")
    if query:
        products = products.filter(Q(sku__icontains=query) | Q(name__icontains=query))
    if category in ProductCategory.values:
        products = products.filter(category=category)
    else:
        category = ""
    page, query_string = paginate(request, products)
    today = timezone.localdate()
    for product in page.object_list:
        product.at_end_of_service = product.is_end_of_service(today)
        product.past_end_of_sale = product.end_of_sale is not None and product.end_of_sale <= today
    context = {
        "page_obj": page, "query_string": query_string, "query": query, "category": category,
        "categories": ProductCategory.choices, "can_manage": request.user.is_poly_admin,
    }
    template = "contracts/_product_results.html" if request.htmx else "contracts/product_list.html"
    return render(request, template, context)


@roles_required(Role.POLY_ADMIN)
def product_create(request: HttpRequest) -> HttpResponse:
    form = forms.ProductForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"{product.sku} added to the catalogue.")
            return redirect("contracts:product_list")
    return render(request, "contracts/product_form.html", {"form": form, "product": None})


@roles_required(Role.POLY_ADMIN)
def product_edit(request: HttpRequest, sku: str) -> HttpResponse:
    product = selectors.product_get_for_user(user=request.user, sku=sku)
    initial = {name: getattr(product, name) for name in services.PRODUCT_FIELDS}
    form = forms.ProductForm(posted(request), initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        values = {name: value for name, value in form.cleaned_data.items() if name != "sku"}
        try:
            services.product_update(by=request.user, product=product, **values)
        except ValidationError as exc:
            product.refresh_from_db()
            put_errors(form, exc)
        else:
            messages.success(request, f"{product.sku} saved.")
            return redirect("contracts:product_list")
    return render(request, "contracts/product_form.html", {"form": form, "product": product})


@roles_required(Role.POLY_ADMIN)
def product_import(request: HttpRequest) -> HttpResponse:
    """Create or update products from a CSV; one bad row and nothing is written."""
    form = forms.ProductImportForm(posted(request), request.FILES if request.method == "POST" else None)
    row_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.products_import_csv(by=request.user, file=form.cleaned_data["file"])
        except ValidationError as exc:
            messages_by_field = exc.message_dict if hasattr(exc, "error_dict") else {"file": exc.messages}
            row_errors = [message for messages_ in messages_by_field.values() for message in messages_]
        else:
            messages.success(request, f"Catalogue imported: {result.created} created, {result.updated} updated.")
            return redirect("contracts:product_list")
    return render(request, "contracts/product_import.html", {"form": form, "row_errors": row_errors})


# ---- contracts: list and create ---------------------------------------------------------------

@roles_required(*EVERYONE)
def contract_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    query = text_param(request, "q")
    status = text_param(request, "status")
    offering = text_param(request, "offering")
    customer_id = id_param(request, "customer")
    contracts = selectors.contracts_visible_to(user).order_by("-start_date", "number", "pk")
    if query:
        contracts = contracts.filter(Q(number__icontains=query) | Q(customer__name__icontains=query))
    if status in ContractStatus.values:
        contracts = contracts.filter(status=status)
    else:
        status = ""
    if offering in Offering.values:
        contracts = contracts.filter(offering=offering)
    else:
        offering = ""
    if customer_id:
        contracts = contracts.filter(customer_id=customer_id)
    page, query_string = paginate(request, contracts)
    for contract in page.object_list:
        contract.status_badge = CONTRACT_STATUS_BADGE[ContractStatus(contract.status)]
    pickable_customers = None
    if not user.is_customer_viewer:
        pickable_customers = customers_visible_to(user).order_by("name", "pk")
    context = {
        "page_obj": page, "query_string": query_string, "query": query, "status": status, "offering": offering,
        "customer_id": customer_id, "statuses": ContractStatus.choices, "offerings": Offering.choices,
        "customers": pickable_customers, "show_partner": user.is_poly_staff,
        "can_create": user.role in MANAGERS,
        "awaiting_quotes": selectors.custom_quotes_awaiting_decision(user).count()
        if user.role in QUOTE_READERS else None,
    }
    template = "contracts/_contract_results.html" if request.htmx else "contracts/contract_list.html"
    return render(request, template, context)


@roles_required(*MANAGERS)
def contract_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    customers = customers_visible_to(user).order_by("name", "pk")
    initial = {"customer": id_param(request, "customer")}
    if user.partner_id:
        initial["currency"] = rules.currency_for_country(user.partner.country)
    form = forms.ContractForm(posted(request), customers=customers, show_partner=user.is_poly_staff,
                              initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.contract_create(by=user, **form.contract_values())
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"Contract {contract.number} drafted. Activate it to put it in force.")
            return redirect("contracts:contract_detail", pk=contract.pk)
    return render(request, "contracts/contract_form.html", {"form": form, "rows": form.category_rows()})


# ---- contracts: the page and its actions ------------------------------------------------------

@roles_required(*EVERYONE)
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_contract_detail(request, _contract(request, pk))


@require_POST
@roles_required(*MANAGERS)
def contract_activate(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    asked_already = request.POST.get("confirmed") == "yes"
    if contract.status == ContractStatus.DRAFT and contract_warnings(contract) and not asked_already:
        return render_contract_detail(request, contract, confirm_activation=True)
    try:
        services.contract_activate(by=request.user, contract=contract)
    except ValidationError as exc:
        contract.refresh_from_db()
        return render_contract_detail(request, contract, action_errors=exc.messages)
    messages.success(request, f"Contract {contract.number} is active.")
    return redirect("contracts:contract_detail", pk=contract.pk)


@require_POST
@roles_required(*MANAGERS)
def contract_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    form = forms.CancelForm(request.POST)
    if form.is_valid():
        try:
            services.contract_cancel(by=request.user, contract=contract, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            contract.refresh_from_db()
            put_errors(form, exc)
        else:
            messages.success(request, f"Contract {contract.number} is cancelled.")
            return redirect("contracts:contract_detail", pk=contract.pk)
    return render_contract_detail(request, contract, bound={"cancel": form})


@require_POST
@roles_required(*MANAGERS)
def contract_renew(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    form = forms.RenewForm(request.POST, categories=_category_choices(line.category for line in contract.lines.all()))
    if form.is_valid():
        try:
            renewal = services.contract_renew(by=request.user, contract=contract,
                                              growth_by_category=form.growth_by_category())
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"Renewal {renewal.number} drafted for {renewal.start_date:%-d %b %Y} to "
                                      f"{renewal.end_date:%-d %b %Y}.")
            return redirect("contracts:contract_detail", pk=renewal.pk)
    return render_contract_detail(request, contract, bound={"renew": form})


@require_POST
@roles_required(*MANAGERS)
def contract_line_add(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    form = forms.LineForm(request.POST, categories=_category_choices(_missing_categories(contract)))
    if form.is_valid():
        try:
            line = services.contract_line_add(by=request.user, contract=contract, line=form.line())
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"{line.get_category_display()} added to {contract.number}.")
            return redirect("contracts:contract_detail", pk=contract.pk)
    return render_contract_detail(request, contract, bound={"line": form})


# ---- custom quotes ----------------------------------------------------------------------------

@require_POST
@roles_required(*MANAGERS)
def custom_quote_request(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    form = forms.CustomQuoteForm(request.POST, products=quote_only_products(request.user))
    if form.is_valid():
        try:
            quote = services.custom_quote_request(by=request.user, contract=contract,
                                                  reference=form.cleaned_data["reference"],
                                                  products=list(form.cleaned_data["products"]))
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"Custom quote {quote.reference} sent to Poly for a decision.")
            return redirect("contracts:contract_detail", pk=contract.pk)
    return render_contract_detail(request, contract, bound={"quote": form})


@roles_required(*QUOTE_READERS)
def quote_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    status = text_param(request, "status")
    quotes = selectors.custom_quotes_visible_to(user).order_by("-created_at", "-pk")
    if status in QuoteStatus.values:
        quotes = quotes.filter(status=status)
    else:
        status = ""
    page, query_string = paginate(request, quotes)
    for quote in page.object_list:
        quote.badge = QUOTE_STATUS_BADGE[QuoteStatus(quote.status)]
    return render(request, "contracts/quote_list.html", {
        "page_obj": page, "query_string": query_string, "status": status, "statuses": QuoteStatus.choices,
        "can_decide": user.is_poly_admin, "show_partner": user.is_poly_staff,
    })


@require_POST
@roles_required(Role.POLY_ADMIN)
def custom_quote_decide(request: HttpRequest, pk: int) -> HttpResponse:
    quote = selectors.custom_quote_get_for_user(user=request.user, pk=pk)
    decision = request.POST.get("decision")
    if decision not in {"approve", "reject"}:
        messages.error(request, "Choose approve or reject.")
    else:
        try:
            services.custom_quote_decide(by=request.user, quote=quote, approve=decision == "approve")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Custom quote {quote.reference} {quote.get_status_display().lower()}.")
    if request.POST.get("next") == "contract":
        return redirect("contracts:contract_detail", pk=quote.contract_id)
    return redirect("contracts:quote_list")

