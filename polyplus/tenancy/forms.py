"""Forms for the tenancy pages.

A form checks the shape of what was typed and offers only the choices the person may
make; the rules themselves live in services.py, whose field-keyed errors the views put
back next to the fields.
"""

from __future__ import annotations

import zoneinfo
from functools import cache
from importlib import resources
from pathlib import Path

import pycountry
from django import forms
from django.conf import settings
from django.db.models import QuerySet

from polyplus.tenancy import services
from polyplus.tenancy.dates import PortalDateFormField
from polyplus.tenancy.models import Role, ServiceCategory, hex_color

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
COLOR_INPUT = forms.TextInput(attrs={"type": "color"})


@cache
def country_choices() -> list[tuple[str, str]]:
    return sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda choice: choice[1])


@cache
def timezone_choices() -> list[tuple[str, str]]:
    """Canonical zone names people pick from (Area/City), plus UTC."""
    names = {
        name for name in zoneinfo.available_timezones()
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/", "posix", "right/"))
    }
    return [(name, name.replace("_", " ")) for name in ["UTC", *sorted(names)]]


def _zone_tab() -> str:
    """The tz database's zone.tab (country code, place, zone), from the system or the tzdata package."""
    for directory in zoneinfo.TZPATH:
        path = Path(directory) / "zone.tab"
        if path.exists():
            return path.read_text(encoding="utf-8")
    return resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")


@cache
def zones_by_country() -> dict[str, list[str]]:
    """Each country's time zones, its most populous first (as the tz database lists them)."""
    zones: dict[str, list[str]] = {}
    for line in _zone_tab().splitlines():
        if line and not line.startswith("#"):
            country, _place, zone, *_comment = line.split("\t")
            zones.setdefault(country, []).append(zone)
    return zones


def proposed_timezone(country: str, current: str = "") -> str:
    """The zone to propose for a site in `country`: the one chosen if the country has it, else its main one."""
    zones = zones_by_country().get((country or "").upper(), [])
    if current in zones or not zones:
        return current
    return zones[0]


def subdivisions_of(country: str) -> list[tuple[str, str]]:
    found = pycountry.subdivisions.get(country_code=(country or "").upper()) or []
    return sorted(((s.code, s.name) for s in found), key=lambda choice: choice[0])


class ColorField(forms.CharField):
    default_validators = [hex_color]
    widget = COLOR_INPUT

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 7)
        super().__init__(**kwargs)


class CustomerLabelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.partner.name})" if self.show_partner else obj.name

    show_partner = False


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.full_name} <{obj.email}>" if obj.full_name else obj.email


# ---- customers and sites ---------------------------------------------------------------------

class CustomerForm(forms.Form):
    partner = forms.ModelChoiceField(queryset=None, empty_label="Choose a partner…")
    name = forms.CharField(max_length=200)
    master_account_id = forms.CharField(
        label="Master Account ID", max_length=40, required=False,
        help_text="Poly+ Enterprise only: the identifier all the customer's devices are tracked under.",
    )

    def __init__(self, *args, partners: QuerySet | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if partners is None:
            del self.fields["partner"]
        else:
            self.fields["partner"].queryset = partners


class SiteForm(forms.Form):
    site_id = forms.CharField(
        label="Site ID", max_length=40,
        help_text="Unique across the portal; capital letters, digits and hyphens, e.g. SE-GOT-001.",
    )
    name = forms.CharField(max_length=200)
    address = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    country = forms.ChoiceField(choices=())
    subdivision = forms.CharField(
        max_length=6, required=False, widget=forms.TextInput(attrs={"list": "subdivision-options"}),
        help_text="Optional ISO 3166-2 code, e.g. SE-AB; used for public holidays.",
    )
    timezone = forms.ChoiceField(
        label="Time zone", choices=(),
        help_text="Proposed from the country; choose another if the site keeps a different zone.",
    )

    def __init__(self, *args, subdivision_url: str = "", customer=None, current_site_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.customer, self.current_site_id = customer, current_site_id
        self.fields["country"].choices = [("", "Choose a country…"), *country_choices()]
        zones = [("", "Choose a time zone…"), *timezone_choices()]
        current_zone = self.initial.get("timezone")
        if current_zone and current_zone not in dict(zones):
            zones.append((current_zone, current_zone))
        self.fields["timezone"].choices = zones
        if subdivision_url:
            self.fields["country"].widget.attrs.update({
                "hx-get": subdivision_url, "hx-trigger": "change", "hx-target": "#subdivision-options",
                "hx-include": "[name=timezone]",
            })

    def clean(self):
        """A taken Site ID is reported with the other errors, not only once they are put right."""
        cleaned = super().clean()
        site_id = cleaned.get("site_id")
        if self.errors and site_id and self.customer is not None and services.site_id_in_use(
                site_id, customer=self.customer, current_site_id=self.current_site_id):
            self.add_error("site_id", services.SITE_ID_TAKEN)
        return cleaned

    def country_value(self) -> str:
        return self["country"].value() or ""


# ---- users -------------------------------------------------------------------------------------

class UserCreateForm(forms.Form):
    email = forms.EmailField()
    full_name = forms.CharField(max_length=200)
    role = forms.ChoiceField(choices=())
    partner = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="— none (Poly staff) —",
        help_text="Every partner role needs a partner; Poly staff have none.",
    )
    customer = CustomerLabelChoiceField(
        queryset=None, required=False, empty_label="— none —",
        help_text="Customer viewers only: whose status they see.",
    )
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False), required=False,
        help_text="Optional. Left blank, the person is mailed an invitation with a link to set one.",
    )

    def __init__(self, *args, grantable_roles: list[str], customers: QuerySet,
                 partners: QuerySet | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "Choose a role…")] + [(r, Role(r).label) for r in grantable_roles]
        self.fields["customer"].queryset = customers
        if partners is None:
            del self.fields["partner"]
        else:
            self.fields["partner"].queryset = partners
            self.fields["customer"].show_partner = True


class UserEditForm(forms.Form):
    full_name = forms.CharField(max_length=200)
    role = forms.ChoiceField(choices=())
    customer = CustomerLabelChoiceField(
        queryset=None, required=False, empty_label="— none —",
        help_text="Customer viewers only: whose status they see.",
    )
    is_active = forms.BooleanField(label="Active: may sign in and use API tokens", required=False)

    def __init__(self, *args, grantable_roles: list[str], customers: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, Role(r).label) for r in grantable_roles]
        self.fields["customer"].queryset = customers


# ---- partners and brand -----------------------------------------------------------------------

class BrandForm(forms.Form):
    display_name = forms.CharField(max_length=200, help_text="The name your customers see.")
    primary_color = ColorField(label="Primary colour")
    accent_color = ColorField(label="Accent colour")
    support_email = forms.EmailField(required=False)
    support_phone = forms.CharField(max_length=40, required=False)
    default_language = forms.ChoiceField(
        label="Customers' language", choices=settings.LANGUAGES, required=False,
        help_text="Your customers' sign-in and status pages and their mails speak it, unless a reader chooses "
                  "another language or their browser asks for one.")
    logo = forms.FileField(
        required=False, widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        help_text="PNG, JPEG or WebP, at most 1 MB and 4000 pixels a side.",
    )

    def clean_default_language(self) -> str | None:
        """Left out of the form: the language stays as it is."""
        return self.cleaned_data.get("default_language") or None

    def clean_logo(self):
        """The service checks the upload's content; an untouched field means keep the logo."""
        upload = self.cleaned_data.get("logo")
        return upload if upload and hasattr(upload, "size") else None


class PartnerForm(forms.Form):
    name = forms.CharField(max_length=200)
    slug = forms.CharField(max_length=60, help_text="Lower-case letters, digits and hyphens; used in addresses.")
    code = forms.CharField(
        max_length=8, required=False,
        help_text="2 to 8 capital letters or digits, e.g. NORD; it starts every case and contract number "
                  "(NORD-000123, NORD-C-0001) and cannot change later. Made from the slug if blank.",
    )
    country = forms.ChoiceField(
        choices=(), required=False,
        help_text="Where the partner trades from; its new contracts are priced in this country's currency.",
    )
    is_active = forms.BooleanField(label="Active", required=False, initial=True)
    display_name = forms.CharField(
        max_length=200, required=False, help_text="The brand name; the partner's name if blank."
    )
    primary_color = ColorField(label="Primary colour", initial="#0b3d91")
    accent_color = ColorField(label="Accent colour", initial="#f28c28")

    def __init__(self, *args, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "Choose a country…"), *country_choices()]
        if creating:
            del self.fields["is_active"]
        else:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = "Fixed: the partner's case and contract numbers start with it."


class CertificationForm(forms.Form):
    category = forms.ChoiceField(choices=ServiceCategory.choices)
    certified_on = PortalDateFormField(widget=DATE_INPUT)
    expires_on = PortalDateFormField(widget=DATE_INPUT, help_text="Valid up to and including this day.")


class DomainForm(forms.Form):
    host = forms.CharField(max_length=253, help_text="e.g. support.partner.example")


class TrainingRecordForm(forms.Form):
    engineer = PersonChoiceField(queryset=None, empty_label="Choose an engineer…")
    category = forms.ChoiceField(choices=ServiceCategory.choices)
    course = forms.CharField(max_length=200)
    completed_on = PortalDateFormField(widget=DATE_INPUT)
    expires_on = PortalDateFormField(widget=DATE_INPUT)

    def __init__(self, *args, engineers: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engineer"].queryset = engineers


class CsmAssignmentForm(forms.Form):
    customer = CustomerLabelChoiceField(queryset=None, empty_label="Choose a customer…")
    csm = PersonChoiceField(label="Customer Success Manager", queryset=None, empty_label="Choose a CSM…")

    def __init__(self, *args, customers: QuerySet, csms: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers
        self.fields["customer"].show_partner = True
        self.fields["csm"].queryset = csms


class AuditFilterForm(forms.Form):
    who = forms.CharField(label="Who", max_length=200, required=False,
                          help_text="Part of an email address, or “Poly staff”.")
    kind = forms.ChoiceField(label="What", required=False)
    since = PortalDateFormField(label="From", required=False, widget=DATE_INPUT)
    until = PortalDateFormField(label="To", required=False, widget=DATE_INPUT, help_text="Days in UTC.")

    def __init__(self, *args, kinds: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Anything"), *kinds]

    def filters(self) -> dict:
        """What to narrow the log by: nothing while the form has errors (shown next to the fields)."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value}


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What will use it, e.g. “ServiceNow integration”.")
