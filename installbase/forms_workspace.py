"""Forms of the CSM's workspace pages."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms

from installbase.inventory import MAX_UPLOAD_BYTES
from polyplus.tenancy.dates import EARLIEST_DATE, LATEST_DATE, PortalDateFormField


class MonthInput(forms.DateInput):
    input_type = "month"

    def format_value(self, value):
        if isinstance(value, datetime.date):
            return value.strftime("%Y-%m")
        return value


class MonthFormField(forms.Field):
    widget = MonthInput

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            if self.required:
                raise forms.ValidationError("Choose the month.", code="required")
            return None
        try:
            year, month = (int(part) for part in value.split("-")[:2])
            day = datetime.date(year, month, 1)
        except (ValueError, TypeError):
            raise forms.ValidationError("Give the month as YYYY-MM.", code="invalid") from None
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            raise forms.ValidationError(f"Choose a month from {EARLIEST_DATE:%Y-%m} to {LATEST_DATE:%Y-%m}.")
        return day


class InventoryUploadForm(forms.Form):
    month = MonthFormField(label="Month of the inventory", help_text="The month the Poly Lens export is of.")
    file = forms.FileField(label="Poly Lens export (CSV)",
                           help_text="UTF-8 CSV with the columns serial, sku, site_id and optionally "
                                     "entered_production and left_production (YYYY-MM-DD).",
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}))

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
        return file


class PoForm(forms.Form):
    po_number = forms.CharField(label="Purchase order number", max_length=60)


class RejectForm(forms.Form):
    reason = forms.CharField(label="Why (optional)", max_length=300, required=False)


class ReviewForm(forms.Form):
    note = forms.CharField(label="Review note (optional)", max_length=500, required=False)


class LensAccessForm(forms.Form):
    has_access = forms.TypedChoiceField(
        label="Where the monthly count comes from", coerce=lambda value: value == "yes",
        choices=[("yes", "The CSM reads the devices in Poly Lens"),
                 ("no", "The partner uploads the Poly Lens export every month")],
        widget=forms.RadioSelect)


class RenewalForm(forms.Form):
    csm_hour_blocks = forms.IntegerField(label="CSM hour blocks (8 h a month each)", min_value=0, max_value=100)
    technical_account_management = forms.BooleanField(label="Technical Account Management", required=False)
    onsite_extension = forms.BooleanField(label="Onsite support extension", required=False)
    note = forms.CharField(label="Note for the partner", max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, categories: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in categories:
            self.fields[f"growth_{value}"] = forms.IntegerField(
                label=f"{label}: growth estimate", min_value=0, max_value=1_000_000, initial=0,
                help_text="Devices expected to be added during the next term.")

    def growth(self) -> dict[str, int]:
        return {name.removeprefix("growth_"): value for name, value in self.cleaned_data.items()
                if name.startswith("growth_")}


class CsmHoursForm(forms.Form):
    day = PortalDateFormField(label="Day worked", widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(label="Hours", help_text="In quarter hours, more than 0 and at most 24.",
                               max_digits=5, decimal_places=2, min_value=Decimal("0.25"), max_value=Decimal("24"),
                               widget=forms.NumberInput(attrs={"step": "0.25", "min": "0.25", "max": "24"}))
    note = forms.CharField(label="Note", required=False, max_length=200)
