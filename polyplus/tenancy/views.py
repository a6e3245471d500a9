"""Pages for partners, customers, sites, users, brand, certifications, audit and API tokens.

Every view reads through selectors, so another tenant's object is a 404 exactly like a
missing one, and writes through services: a role that may not act gets a 403, and bad
input comes back as an error next to its field with nothing written.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from polyplus.tenancy import forms, selectors, services
from polyplus.tenancy.contrast import DEFAULT_ACCENT, DEFAULT_PRIMARY, HEX_COLOR, check_primary, text_color_on
from polyplus.tenancy.models import Partner, Role, User
from polyplus.tenancy.web import id_param, text_param

POLY_READERS = frozenset({Role.POLY_ADMIN, Role.POLY_SUPPORT, Role.ESCALATION_MANAGER})
MANAGERS = frozenset({Role.POLY_ADMIN, Role.PARTNER_ADMIN})
CUSTOMER_READERS = frozenset(Role.values) - {Role.CUSTOMER_VIEWER}
AUDIT_READERS = POLY_READERS | {Role.PARTNER_ADMIN}
EVERYONE = frozenset(Role.values)

PAGE_SIZE = 25
EXPIRY_WARNING_DAYS = 60


# ---- shared helpers --------------------------------------------------------------------------

def roles_required(*roles: str) -> Callable:
    """Sign-in required, then a 403 for any role not named."""
    allowed = frozenset(roles)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.user.role not in allowed:
                raise PermissionDenied("Your role may not use this page.")
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def put_errors(form: Form, exc: ValidationError) -> None:
    """Show a service's field-keyed errors next to the form's fields (the rest above the form)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def paginate(request: HttpRequest, items, per_page: int = PAGE_SIZE, *,
             paginator_class: type[Paginator] = Paginator) -> tuple[Page, str]:
    """The requested page (a bad page number gives the nearest page) and the other query parameters."""
    params = request.GET.copy()
    params.pop("page", None)
    return paginator_class(items, per_page).get_page(request.GET.get("page")), params.urlencode()


def own_partner(user: User) -> Partner:
    return selectors.partner_get_for_user(user=user, pk=user.partner_id)


# ---- audit log --------------------------------------------------------------------------------

@roles_required(*AUDIT_READERS)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = forms.AuditFilterForm(request.GET or None, kinds=selectors.audit_kinds())
    page, query_string = paginate(request, selectors.audit_log(request.user, **form.filters()), per_page=50)
    entries = selectors.describe_audit_events(page.object_list, request.user)
    return render(request, "tenancy/audit_log.html",
                  {"form": form, "page_obj": page, "entries": entries, "query_string": query_string})


# ---- customers ----------------------------------------------------------------------------

@roles_required(*CUSTOMER_READERS)
def customer_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    query = text_param(request, "q")
    partner_id = id_param(request, "partner")
    customers = selectors.customers_with_site_counts(user).order_by("name", "pk")
    if query:
        customers = customers.filter(Q(name__icontains=query) | Q(master_account_id__icontains=query.upper()))
    if partner_id:
        customers = customers.filter(partner_id=partner_id)
    page, query_string = paginate(request, customers)
    context = {
        "page_obj": page, "query_string": query_string, "query": query, "partner_id": partner_id,
        "partners": selectors.partners_visible_to(user) if user.role in POLY_READERS else None,
        "can_create": user.role in MANAGERS,
        "show_partner": user.is_poly_staff,
    }
    template = "tenancy/customers/_results.html" if request.htmx else "tenancy/customers/list.html"
    return render(request, template, context)


@roles_required(*MANAGERS)
def customer_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    partners = selectors.partners_visible_to(user) if user.is_poly_admin else None
    initial = {"partner": id_param(request, "partner")} if partners is not None else {}
    form = forms.CustomerForm(request.POST or None, partners=partners, initial=initial)
    if request.method == "POST" and form.is_valid():
        partner = form.cleaned_data["partner"] if partners is not None else own_partner(user)
        try:
            customer = services.customer_create(by=user, partner=partner, name=form.cleaned_data["name"],
                                                master_account_id=form.cleaned_data["master_account_id"])
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"Customer “{customer.name}” added.")
            return redirect("tenancy:customer_detail", pk=customer.pk)
    return render(request, "tenancy/customers/form.html", {"form": form, "customer": None})


@roles_required(*CUSTOMER_READERS)
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    customer = selectors.customer_get_for_user(user=user, pk=pk)
    can_manage = user.is_poly_admin or (user.is_partner_admin and user.partner_id == customer.partner_id)
    sites = selectors.sites_visible_to(user).filter(customer=customer)
    viewers = selectors.users_visible_to(user).filter(customer=customer) if can_manage else None
    return render(request, "tenancy/customers/detail.html", {
        "customer": customer, "sites": sites, "viewers": viewers, "can_manage": can_manage,
    })


@roles_required(*MANAGERS)
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    customer = selectors.customer_get_for_user(user=user, pk=pk)
    services.require_partner_admin_of(user, customer.partner)
    saved_name = customer.name
    form = forms.CustomerForm(request.POST or None,
                              initial={"name": customer.name, "master_account_id": customer.master_account_id})
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_update(by=user, customer=customer, **form.cleaned_data)
        except ValidationError as exc:
            customer.name = saved_name
            put_errors(form, exc)
        else:
            messages.success(request, "Customer saved.")
            return redirect("tenancy:customer_detail", pk=customer.pk)
    return render(request, "tenancy/customers/form.html", {"form": form, "customer": customer})


# ---- sites ------------------------------------------------------------------------------------

def _site_form(request: HttpRequest, customer, site=None, initial: dict | None = None) -> forms.SiteForm:
    return forms.SiteForm(request.POST or None, initial=initial, customer=customer,
                          current_site_id=site.site_id if site else "",
                          subdivision_url=reverse("tenancy:subdivision_options"))


def _site_fields(form: forms.SiteForm) -> dict:
    data = dict(form.cleaned_data)
    data["timezone_name"] = data.pop("timezone")
    return data


@roles_required(*MANAGERS)
def site_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    customer = selectors.customer_get_for_user(user=user, pk=pk)
    services.require_partner_admin_of(user, customer.partner)
    form = _site_form(request, customer)
    if request.method == "POST" and form.is_valid():
        try:
            site = services.site_create(by=user, customer=customer, **_site_fields(form))
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"Site {site.site_id} added.")
            return redirect("tenancy:customer_detail", pk=customer.pk)
    return render(request, "tenancy/sites/form.html", {
        "form": form, "customer": customer, "site": None,
        "subdivisions": forms.subdivisions_of(form.country_value()),
    })


@roles_required(*MANAGERS)
def site_edit(request: HttpRequest, site_id: str) -> HttpResponse:
    user = request.user
    site = selectors.site_get_for_user(user=user, site_id=site_id)
    services.require_partner_admin_of(user, site.partner)
    saved_site_id = site.site_id
    form = _site_form(request, site.customer, site, initial={
        "site_id": site.site_id, "name": site.name, "address": site.address, "country": site.country,
        "subdivision": site.subdivision, "timezone": site.timezone,
    })
    if request.method == "POST" and form.is_valid():
        try:
            site = services.site_update(by=user, site=site, **_site_fields(form))
        except ValidationError as exc:
            site.site_id = saved_site_id
            put_errors(form, exc)
        else:
            messages.success(request, f"Site {site.site_id} saved.")
            return redirect("tenancy:customer_detail", pk=site.customer_id)
    return render(request, "tenancy/sites/form.html", {
        "form": form, "customer": site.customer, "site": site,
        "subdivisions": forms.subdivisions_of(form.country_value()),
    })


@login_required
def subdivision_options(request: HttpRequest) -> HttpResponse:
    """For the site form, when a country is picked (htmx): the <option>s of its subdivisions,
    and its time zone, proposed unless the zone already chosen is one of the country's."""
    country, current = text_param(request, "country").upper(), text_param(request, "timezone")
    proposal = forms.proposed_timezone(country, current)
    return render(request, "tenancy/sites/_country_choices.html", {
        "subdivisions": forms.subdivisions_of(country),
        "form": forms.SiteForm(initial={"timezone": proposal}) if proposal != current else None,
        "proposal": proposal,
    })


# ---- users ------------------------------------------------------------------------------------

@roles_required(*MANAGERS)
def user_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    query = text_param(request, "q")
    role = request.GET.get("role", "")
    partner_id = id_param(request, "partner")
    users = selectors.users_visible_to(user)
    if query:
        users = users.filter(Q(email__icontains=query) | Q(full_name__icontains=query))
    if role in Role.values:
        users = users.filter(role=role)
    if partner_id:
        users = users.filter(partner_id=partner_id)
    page, query_string = paginate(request, users)
    context = {
        "page_obj": page, "query_string": query_string, "query": query, "role": role,
        "roles": [(r, Role(r).label) for r in services.roles_grantable_by(user)],
        "partner_id": partner_id,
        "partners": selectors.partners_visible_to(user) if user.is_poly_admin else None,
    }
    template = "tenancy/users/_results.html" if request.htmx else "tenancy/users/list.html"
    return render(request, template, context)


def _customers_for_users(actor: User, partner_id: int | None = None) -> QuerySet:
    customers = selectors.customers_visible_to(actor)
    if actor.is_poly_admin and partner_id is not None:
        customers = customers.filter(partner_id=partner_id)
    return customers


@roles_required(*MANAGERS)
def user_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    partners = selectors.partners_visible_to(actor) if actor.is_poly_admin else None
    initial = {"partner": id_param(request, "partner")} if partners is not None else {}
    form = forms.UserCreateForm(
        request.POST or None, initial=initial, grantable_roles=services.roles_grantable_by(actor),
        customers=_customers_for_users(actor), partners=partners,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        partner = data["partner"] if partners is not None else own_partner(actor)
        try:
            created = services.user_create(by=actor, email=data["email"], full_name=data["full_name"],
                                           role=data["role"], partner=partner, customer=data["customer"],
                                           password=data["password"] or None,
                                           invite_from=request.build_absolute_uri("/"))
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"{created.email} can now sign in." if data["password"] else
                             f"{created.email} is invited: a mail with a link to set their password is on its way.")
            return redirect("tenancy:user_list")
    return render(request, "tenancy/users/form.html", {"form": form, "person": None})


@roles_required(*MANAGERS)
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    person = selectors.user_get_for_user(user=actor, pk=pk)
    roles = services.roles_grantable_by(actor)
    if person.role not in roles:
        raise PermissionDenied("You may not change a person with this role.")
    form = forms.UserEditForm(
        request.POST or None, grantable_roles=roles,
        customers=_customers_for_users(actor, person.partner_id) if person.partner_id else
        selectors.customers_visible_to(actor).none(),
        initial={"full_name": person.full_name, "role": person.role, "is_active": person.is_active,
                 "customer": person.customer_id},
    )
    if request.method == "POST" and form.is_valid():
        saved = (person.full_name, person.role, person.is_active, person.customer)
        try:
            services.user_update(by=actor, user=person, **form.cleaned_data)
        except ValidationError as exc:
            person.full_name, person.role, person.is_active, person.customer = saved
            put_errors(form, exc)
        else:
            messages.success(request, f"{person.email} saved.")
            return redirect("tenancy:user_list")
    return render(request, "tenancy/users/form.html", {"form": form, "person": person})


# ---- brand ------------------------------------------------------------------------------------

@roles_required(*MANAGERS)
def brand_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A partner admin edits its own brand; a Poly admin edits any partner's (by its pk)."""
    user = request.user
    if pk is None:
        if user.is_poly_admin:
            return redirect("tenancy:partner_list")
        partner = own_partner(user)
    else:
        partner = selectors.partner_get_for_user(user=user, pk=pk)
    services.require_partner_admin_of(user, partner)
    brand = getattr(partner, "brand", None)
    initial = {"display_name": partner.name, "primary_color": "#0b3d91", "accent_color": "#f28c28"}
    if brand is not None:
        initial = {"display_name": brand.display_name, "primary_color": brand.primary_color,
                   "accent_color": brand.accent_color, "support_email": brand.support_email,
                   "support_phone": brand.support_phone, "default_language": brand.default_language}
    form = forms.BrandForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_brand_update(by=user, partner=partner, **form.cleaned_data)
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, "Brand saved. Your customers see it from now on.")
            return redirect(request.path)
    return render(request, "tenancy/brand_form.html", {"form": form, "partner": partner, "partner_brand": brand,
                                                        "preview": _brand_preview(form)})


def _brand_preview(form) -> dict:
    """The colours as typed (or saved), with the contrast white text reaches on the primary colour."""
    primary, accent = (str(form[name].value() or "") for name in ("primary_color", "accent_color"))
    primary = primary if HEX_COLOR.fullmatch(primary) else DEFAULT_PRIMARY
    accent = accent if HEX_COLOR.fullmatch(accent) else DEFAULT_ACCENT
    check = check_primary(primary)
    # The preview's own text stays readable (black on a colour too light for white) while it says why.
    return {"primary": primary, "accent": accent, "on_accent": text_color_on(accent), "check": check,
            "on_primary": "#ffffff" if check.passes else text_color_on(primary),
            "name": str(form["display_name"].value() or "")}


@login_required
def brand_logo(request: HttpRequest, pk: int) -> FileResponse:
    """A partner's logo, for those who may see the partner; served so that an SVG cannot run script."""
    partner = selectors.partner_get_for_user(user=request.user, pk=pk)
    return _logo_response(getattr(partner, "brand", None))


def host_logo(request: HttpRequest) -> FileResponse:
    """The logo of the partner whose host the request came in on, for anyone there (its sign-in
    page shows it); the portal's own hosts have none."""
    return _logo_response(getattr(request, "host_brand", None))


def _logo_response(brand) -> FileResponse:
    if brand is None or not brand.logo:
        raise Http404("No logo.")
    extension = "." + brand.logo.name.rsplit(".", 1)[-1].lower()
    content_type = services.LOGO_CONTENT_TYPES.get(extension)
    if content_type is None:
        raise Http404("No logo.")
    try:
        logo = brand.logo.open("rb")
    except FileNotFoundError:
        raise Http404("No logo.") from None
    response = FileResponse(logo, content_type=content_type)
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    return response


# ---- partners (Poly) --------------------------------------------------------------------------

@roles_required(*POLY_READERS)
def partner_list(request: HttpRequest) -> HttpResponse:
    query = text_param(request, "q")
    partners = selectors.partners_with_counts(request.user)
    if query:
        partners = partners.filter(Q(name__icontains=query) | Q(slug__icontains=query) | Q(code__iexact=query))
    page, query_string = paginate(request, partners)
    page.object_list = selectors.with_flags(page.object_list)
    return render(request, "tenancy/partners/list.html", {
        "page_obj": page, "query_string": query_string, "query": query,
        "can_manage": request.user.is_poly_admin,
    })


@roles_required(Role.POLY_ADMIN)
def partner_create(request: HttpRequest) -> HttpResponse:
    form = forms.PartnerForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            partner = services.partner_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"Partner “{partner.name}” registered. Add its certifications next.")
            return redirect("tenancy:partner_detail", pk=partner.pk)
    return render(request, "tenancy/partners/form.html", {"form": form, "partner": None})


@roles_required(Role.POLY_ADMIN)
def partner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    partner = selectors.partner_get_for_user(user=user, pk=pk)
    brand = getattr(partner, "brand", None)
    saved_name = partner.name
    form = forms.PartnerForm(request.POST or None, creating=False, initial={
        "name": partner.name, "slug": partner.slug, "code": partner.code, "is_active": partner.is_active,
        "country": partner.country, "display_name": brand.display_name if brand else "",
        "primary_color": brand.primary_color if brand else "#0b3d91",
        "accent_color": brand.accent_color if brand else "#f28c28",
    })
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.partner_and_brand_update(
                by=user, partner=partner, name=data["name"], slug=data["slug"], is_active=data["is_active"],
                country=data["country"], display_name=data["display_name"], primary_color=data["primary_color"],
                accent_color=data["accent_color"],
            )
        except ValidationError as exc:
            partner.name = saved_name
            put_errors(form, exc)
        else:
            messages.success(request, "Partner saved.")
            return redirect("tenancy:partner_detail", pk=partner.pk)
    return render(request, "tenancy/partners/form.html", {"form": form, "partner": partner})


def _partner_detail(request: HttpRequest, partner: Partner, *, certification_form=None,
                    domain_form=None, status: int = 200) -> HttpResponse:
    user = request.user
    can_manage = user.is_poly_admin
    certifications = selectors.with_standing(selectors.certifications_visible_to(user).filter(partner=partner))
    context = {
        "partner": partner,
        "partner_brand": getattr(partner, "brand", None),
        "can_manage": can_manage,
        "certifications": certifications,
        "domains": selectors.partner_domains_visible_to(user).filter(partner=partner),
        "customers": selectors.customers_with_site_counts(user).filter(partner=partner).order_by("name")[:50],
        "customer_count": selectors.customers_visible_to(user).filter(partner=partner).count(),
        "users": selectors.users_visible_to(user).filter(partner=partner)[:50] if can_manage else None,
        "certification_form": certification_form or forms.CertificationForm(),
        "domain_form": domain_form or forms.DomainForm(),
    }
    return render(request, "tenancy/partners/detail.html", context, status=status)


@roles_required(*POLY_READERS)
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _partner_detail(request, selectors.partner_get_for_user(user=request.user, pk=pk))


@require_POST
@roles_required(Role.POLY_ADMIN)
def certification_set(request: HttpRequest, pk: int) -> HttpResponse:
    partner = selectors.partner_get_for_user(user=request.user, pk=pk)
    form = forms.CertificationForm(request.POST)
    if form.is_valid():
        try:
            certification = services.certification_set(by=request.user, partner=partner, **form.cleaned_data)
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"{certification.get_category_display()} certification recorded.")
            return redirect("tenancy:partner_detail", pk=partner.pk)
    return _partner_detail(request, partner, certification_form=form)


@require_POST
@roles_required(Role.POLY_ADMIN)
def certification_delete(request: HttpRequest, pk: int) -> HttpResponse:
    certification = selectors.certification_get_for_user(user=request.user, pk=pk)
    partner_pk = certification.partner_id
    services.certification_delete(by=request.user, certification=certification)
    messages.success(request, f"{certification.get_category_display()} certification removed.")
    return redirect("tenancy:partner_detail", pk=partner_pk)


@require_POST
@roles_required(Role.POLY_ADMIN)
def domain_add(request: HttpRequest, pk: int) -> HttpResponse:
    partner = selectors.partner_get_for_user(user=request.user, pk=pk)
    form = forms.DomainForm(request.POST)
    if form.is_valid():
        try:
            domain = services.partner_domain_add(by=request.user, partner=partner, host=form.cleaned_data["host"])
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"{domain.host} now serves {partner.name}'s brand.")
            return redirect("tenancy:partner_detail", pk=partner.pk)
    return _partner_detail(request, partner, domain_form=form)


@require_POST
@roles_required(Role.POLY_ADMIN)
def domain_remove(request: HttpRequest, pk: int) -> HttpResponse:
    domain = selectors.partner_domain_get_for_user(user=request.user, pk=pk)
    partner_pk = domain.partner_id
    services.partner_domain_remove(by=request.user, domain=domain)
    messages.success(request, f"{domain.host} removed.")
    return redirect("tenancy:partner_detail", pk=partner_pk)


# ---- training records (Poly admin) ------------------------------------------------------------

@roles_required(Role.POLY_ADMIN)
def training_list(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    partner = selectors.partner_get_for_user(user=user, pk=pk)
    engineers = selectors.users_visible_to(user).filter(
        partner=partner, role__in=[Role.PARTNER_ADMIN, Role.PARTNER_ENGINEER], is_active=True
    )
    form = forms.TrainingRecordForm(request.POST or None, engineers=engineers)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.training_record_create(by=user, **form.cleaned_data)
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"Training recorded for {record.engineer.email}.")
            return redirect("tenancy:training_list", pk=partner.pk)
    records = selectors.training_records_with_standing(user, partner)
    return render(request, "tenancy/partners/training.html", {
        "partner": partner, "records": records, "form": form,
    })


@require_POST
@roles_required(Role.POLY_ADMIN)
def training_delete(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.training_record_get_for_user(user=request.user, pk=pk)
    partner_pk = record.partner_id
    services.training_record_delete(by=request.user, record=record)
    messages.success(request, "Training record deleted.")
    return redirect("tenancy:training_list", pk=partner_pk)


# ---- CSM assignments (Poly admin) -------------------------------------------------------------

@roles_required(Role.POLY_ADMIN)
def csm_assignments(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = forms.CsmAssignmentForm(
        request.POST or None, initial={"customer": id_param(request, "customer")},
        customers=selectors.customers_visible_to(user), csms=selectors.poly_staff_users(Role.CSM),
    )
    if request.method == "POST" and form.is_valid():
        try:
            assignment = services.csm_assign(by=user, **form.cleaned_data)
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"{assignment.csm.email} is now the CSM of {assignment.customer.name}.")
            return redirect("tenancy:csm_assignments")
    assignments = selectors.csm_assignments_visible_to(user).order_by("customer__name")
    page, query_string = paginate(request, assignments)
    return render(request, "tenancy/csm_assignments.html",
                  {"form": form, "page_obj": page, "query_string": query_string})


@require_POST
@roles_required(Role.POLY_ADMIN)
def csm_unassign(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.csm_assignment_get_for_user(user=request.user, pk=pk)
    services.csm_unassign(by=request.user, assignment=assignment)
    messages.success(request, f"{assignment.customer.name} has no CSM now.")
    return redirect("tenancy:csm_assignments")


# ---- API tokens (everyone, their own) ---------------------------------------------------------

@roles_required(*EVERYONE)
def token_list(request: HttpRequest) -> HttpResponse:
    form = forms.ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_key = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            form = forms.ApiTokenForm()
    page, query_string = paginate(request, selectors.api_tokens_of(request.user))
    response = render(request, "tenancy/tokens.html", {
        "form": form, "page_obj": page, "query_string": query_string, "new_key": new_key,
        "key_prefix": services.TOKEN_PREFIX,
    })
    if new_key:
        response["Cache-Control"] = "no-store"
    return response


@require_POST
@roles_required(*EVERYONE)
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.api_token_get_for_user(user=request.user, pk=pk)
    services.api_token_revoke(by=request.user, token=token)
    messages.success(request, f"Token “{token.name}” revoked; programs using it are refused from now on.")
    return redirect("tenancy:token_list")
