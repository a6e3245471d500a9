"""Forms for the coverage lookup, devices and the serial list of Poly+ contracts.

The forms check the shape of what was typed; what a Site ID or serial refers to is
resolved in the views through the reader's own scope, so a foreign one reads as unknown.
"""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from polyplus.tenancy.dates import PortalDateFormField
from polyplus.tenancy.forms import DATE_INPUT
from polyplus.tenancy.models import ServiceCategory


class SiteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.site_id} · {obj.name} ({obj.customer.name})"


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.sku} · {obj.name}"


class CoverageForm(forms.Form):
    """Either a Site ID with a category (or a product's SKU), or a serial number."""

    site_id = forms.CharField(label="Site ID", max_length=40, required=False,
                              widget=forms.TextInput(attrs={"placeholder": "e.g. SE-GOT-001", "autocomplete": "off"}))
    category = forms.ChoiceField(choices=[("", "Any category…"), *ServiceCategory.choices], required=False)
    sku = forms.CharField(label="SKU", max_length=40, required=False,
                          help_text="With a Site ID: the product to check. With a serial: only when two "
                                    "products share it.")
    serial = forms.CharField(label="Serial number", max_length=60, required=False,
                             widget=forms.TextInput(attrs={"autocomplete": "off"}))
    on = PortalDateFormField(label="On", required=False, widget=DATE_INPUT, help_text="Today if left blank.")

    def clean(self):
        cleaned = super().clean()
        for name in ("site_id", "sku", "serial"):
            cleaned[name] = (cleaned.get(name) or "").strip()
        if cleaned["serial"]:
            return cleaned
        if not cleaned["site_id"]:
            raise forms.ValidationError("Type a Site ID (with a category or a SKU), or a serial number.")
        if not cleaned.get("category") and not cleaned["sku"]:
            self.add_error("category", "Pick a category, or give a product's SKU.")
        return cleaned


class DeviceRegisterForm(forms.Form):
    site = SiteChoiceField(queryset=None, empty_label="Choose a site…")
    product = ProductChoiceField(queryset=None, empty_label="Choose a product…")
    serial = forms.CharField(label="Serial number", max_length=60, help_text="As printed on the unit.")

    def __init__(self, *args, sites: QuerySet, products: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["product"].queryset = products


class ContractDeviceAddForm(forms.Form):
    serial = forms.CharField(label="Serial number", max_length=60,
                             widget=forms.TextInput(attrs={"list": "unlisted-serials", "autocomplete": "off"}),
                             help_text="A registered device of this customer.")
    sku = forms.CharField(label="SKU", max_length=40, required=False,
                          help_text="Only when two products share the serial.")
