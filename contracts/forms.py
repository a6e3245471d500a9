"""Forms for the catalogue and contract pages.

A form checks the shape of what was typed and offers only the choices the person may
make; the sales rules live in contracts/services.py and rules.py, whose field-keyed
errors the views put back next to the fields (or above the form).
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import QuerySet

from contracts.models import Offering, ProductCategory
from contracts.services import LineInput
from polyplus.tenancy.dates import PortalDateFormField
from polyplus.tenancy.forms import DATE_INPUT, CustomerLabelChoiceField
from polyplus.tenancy.models import ServiceCategory

MAX_IMPORT_BYTES = 2 * 1024 * 1024
COUNT_INPUT = forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"})
PRICE_INPUT = forms.NumberInput(attrs={"min": 0, "step": "0.01", "inputmode": "decimal"})


def count_field(label: str, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=10_000_000, widget=COUNT_INPUT, **kwargs)


def price_field(label: str, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(label=label, min_value=Decimal("0"), max_digits=12, decimal_places=2,
                              widget=PRICE_INPUT, **kwargs)


# ---- the catalogue ---------------------------------------------------------------------------

class ProductForm(forms.Form):
    sku = forms.CharField(label="SKU", max_length=40, help_text="Capital letters, digits, dots and hyphens.")
    name = forms.CharField(max_length=200)
    category = forms.ChoiceField(choices=ProductCategory.choices, help_text=(
        "ITP, Medialign, vertical solutions and infrastructure are covered only under a custom quote."
    ))
    list_price = price_field("List price")
    currency = forms.CharField(max_length=3, initial="USD", help_text="ISO 4217, e.g. USD, EUR, SEK.")
    end_of_sale = PortalDateFormField(required=False, widget=DATE_INPUT)
    end_of_service = PortalDateFormField(required=False, widget=DATE_INPUT,
                                     help_text="From this day on the product is never covered.")

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            # The SKU is the product's key in contracts, devices and imports: it never changes.
            self.fields["sku"].disabled = True
            self.fields["sku"].help_text = "The SKU cannot change."


class ProductImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file", widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        help_text="Columns: sku, name, category, list_price, currency, end_of_sale, end_of_service "
                  "(dates as YYYY-MM-DD). At most 2 MB.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The file is larger than 2 MB; split it into several files.")
        return upload


# ---- contracts --------------------------------------------------------------------------------

CONTRACT_CATEGORIES = [(value, label) for value, label in ServiceCategory.choices]


class ContractForm(forms.Form):
    """A new contract: its term and options, and one row per service category."""

    customer = CustomerLabelChoiceField(queryset=None, empty_label="Choose a customer…")
    offering = forms.ChoiceField(choices=[("", "Choose an offering…"), *Offering.choices])
    start_date = PortalDateFormField(widget=DATE_INPUT, help_text="The first covered day.")
    end_date = PortalDateFormField(widget=DATE_INPUT, help_text="The last covered day.")
    currency = forms.CharField(max_length=3, required=False,
                               help_text="ISO 4217, e.g. SEK. Left blank: the currency of the partner's country.")
    onsite_extension = forms.BooleanField(label="Onsite support extension", required=False)
    csm_hour_blocks = count_field("CSM hour blocks", initial=0, required=False,
                                  help_text="Poly+ Enterprise: each block is 8 CSM hours a month.")
    technical_account_management = forms.BooleanField(
        label="Technical Account Management (Poly+ Enterprise)", required=False
    )
    professional_services_discount = forms.DecimalField(
        label="Professional-services discount (%)", min_value=Decimal("0"), max_value=Decimal("100"),
        max_digits=5, decimal_places=2, initial=Decimal("0"), required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": "0.01"}),
    )

    def __init__(self, *args, customers: QuerySet, show_partner: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers
        self.fields["customer"].show_partner = show_partner
        for category, label in CONTRACT_CATEGORIES:
            self.fields[f"include_{category}"] = forms.BooleanField(label=f"Cover {label.lower()}", required=False)
            self.fields[f"installed_{category}"] = count_field(f"{label}: install base N", required=False)
            self.fields[f"growth_{category}"] = count_field(f"{label}: growth G", required=False, initial=0)
            self.fields[f"price_{category}"] = price_field(f"{label}: annual unit price", required=False)

    def category_rows(self) -> list[dict]:
        """The bound fields of each category row, for the template's fixed table."""
        return [
            {"category": category, "label": label, "include": self[f"include_{category}"],
             "installed": self[f"installed_{category}"], "growth": self[f"growth_{category}"],
             "price": self[f"price_{category}"]}
            for category, label in CONTRACT_CATEGORIES
        ]

    def clean(self):
        cleaned = super().clean()
        for category, _label in CONTRACT_CATEGORIES:
            if not cleaned.get(f"include_{category}"):
                continue
            for name, message in ((f"installed_{category}", "Enter the install base N."),
                                  (f"price_{category}", "Enter the annual unit price.")):
                if cleaned.get(name) is None and name not in self.errors:
                    self.add_error(name, message)
        return cleaned

    def lines(self) -> list[LineInput]:
        data = self.cleaned_data
        return [
            LineInput(category=category, installed=data[f"installed_{category}"],
                      growth=data.get(f"growth_{category}") or 0, annual_unit_price=data[f"price_{category}"])
            for category, _label in CONTRACT_CATEGORIES if data.get(f"include_{category}")
        ]

    def contract_values(self) -> dict:
        data = self.cleaned_data
        return {
            "customer": data["customer"], "offering": data["offering"], "start_date": data["start_date"],
            "end_date": data["end_date"], "currency": data["currency"], "lines": self.lines(),
            "onsite_extension": data["onsite_extension"], "csm_hour_blocks": data["csm_hour_blocks"] or 0,
            "technical_account_management": data["technical_account_management"],
            "professional_services_discount": data["professional_services_discount"] or Decimal("0"),
        }


class CancelForm(forms.Form):
    # Optional here on purpose: the service says why a reason is needed, in its own words.
    reason = forms.CharField(max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Say why; the customer's coverage ends at once.")


class RenewForm(forms.Form):
    """A growth estimate for each category of the contract being renewed."""

    def __init__(self, *args, categories: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = categories
        for category, label in categories:
            self.fields[f"growth_{category}"] = count_field(f"Growth G · {label}", initial=0)

    def growth_by_category(self) -> dict[str, int]:
        return {category: self.cleaned_data[f"growth_{category}"] or 0 for category, _label in self.categories}


class LineForm(forms.Form):
    category = forms.ChoiceField(choices=())
    installed = count_field("Install base N")
    growth = count_field("Growth G", initial=0)
    annual_unit_price = price_field("Annual unit price")

    def __init__(self, *args, categories: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "Choose a category…"), *categories]

    def line(self) -> LineInput:
        data = self.cleaned_data
        return LineInput(category=data["category"], installed=data["installed"], growth=data["growth"] or 0,
                         annual_unit_price=data["annual_unit_price"])


class ProductChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.sku} · {obj.name} ({obj.get_category_display()})"


class CustomQuoteForm(forms.Form):
    reference = forms.CharField(max_length=60, help_text="Your reference, unique among your quotes.")
    products = ProductChoices(queryset=None, widget=forms.SelectMultiple(attrs={"size": 6}),
                              help_text="Quote-only products the customer runs.")

    def __init__(self, *args, products: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = products
