"""Forms of the RMA pages. They only read input; every rule is in rma/services.py."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from polyplus.tenancy.dates import PortalDateFormField
from polyplus.tenancy.widgets import QuickSelect
from rma.models import RmaStatus
from tickets.models import Severity

YES_NO = {"yes": True, "no": False}


def _day_widget():
    return forms.DateInput(attrs={"type": "date"})


class RequestForm(forms.Form):
    serial = forms.CharField(label="Serial number of the failed unit", max_length=60,
                             widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    sku = forms.CharField(label="Product SKU", max_length=40, required=False,
                          help_text="Only when two products carry the same serial.")
    fault = forms.CharField(label="What is wrong with it", max_length=5000,
                            widget=forms.Textarea(attrs={"rows": 4}))


class DeviceRequestForm(forms.Form):
    """From a device: a hardware-replacement case is opened for it with the request."""

    severity = forms.TypedChoiceField(label="Severity of the case", coerce=int, choices=Severity.choices, initial=2)
    fault = forms.CharField(label="What is wrong with it", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


class RejectForm(forms.Form):
    reason = forms.CharField(label="Why the replacement is refused", max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ShipForm(forms.Form):
    carrier = forms.CharField(max_length=100)
    tracking_number = forms.CharField(label="Tracking number", max_length=100)


class DeliverForm(forms.Form):
    delivered_on = PortalDateFormField(label="Delivered on (site's calendar)", widget=_day_widget())


class ReturnSentForm(forms.Form):
    sent_on = PortalDateFormField(label="Sent back on", widget=_day_widget())
    carrier = forms.CharField(label="Return carrier", max_length=100)
    tracking_number = forms.CharField(label="Return tracking number", max_length=100)


class ReceiveForm(forms.Form):
    received_on = PortalDateFormField(label="Failed unit received on", widget=_day_widget())


class CancelForm(forms.Form):
    reason = forms.CharField(label="Reason (optional)", max_length=500, required=False)


class NoteForm(forms.Form):
    internal_note = forms.CharField(label="Internal note (Poly only)", max_length=5000, required=False,
                                    widget=forms.Textarea(attrs={"rows": 3}))


def action_auto_id(action: str) -> str:
    """Each action's form on the RMA page has ids of its own (two forms both ask for a carrier)."""
    return f"id_{action}_%s"


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "reject": RejectForm, "ship": ShipForm, "deliver": DeliverForm, "return_sent": ReturnSentForm,
    "receive_return": ReceiveForm, "cancel": CancelForm,
}
ACTION_BUTTONS = {
    "approve": "Approve", "reject": "Reject", "ship": "Mark shipped", "deliver": "Mark delivered",
    "return_sent": "Mark failed unit sent back", "receive_return": "Failed unit received", "close": "Close",
    "cancel": "Cancel RMA",
}


class RmaFilterForm(forms.Form):
    """The list's filters; anything unreadable is simply ignored."""

    q = forms.CharField(required=False, max_length=100)
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *RmaStatus.choices], widget=QuickSelect)
    overdue = forms.ChoiceField(required=False, choices=[("", "Overdue or not"), ("yes", "Return overdue"),
                                                         ("no", "Not overdue")], widget=QuickSelect)
    billable = forms.ChoiceField(required=False, choices=[("", "Billable or not"), ("yes", "Billable"),
                                                          ("no", "Included")], widget=QuickSelect)
    partner = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, choices=(), widget=QuickSelect)

    def __init__(self, data, *, partners: QuerySet | None = None):
        super().__init__(data)
        if partners is None:
            del self.fields["partner"]
        else:
            self.fields["partner"].choices = [("", "All partners"), *((p.pk, p.name) for p in partners)]

    def values(self) -> dict:
        self.is_valid()
        values = {name: self.cleaned_data.get(name) for name in self.fields
                  if name not in self.errors and self.cleaned_data.get(name) not in (None, "")}
        for name in ("overdue", "billable"):
            if name in values:
                values[name] = YES_NO[values[name]]
        return values


class BillingForm(forms.Form):
    month = forms.CharField(required=False, max_length=7, widget=forms.TextInput(attrs={"type": "month"}))
    partner = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, choices=(), widget=QuickSelect)

    def __init__(self, data, *, partners: QuerySet):
        super().__init__(data)
        self.fields["partner"].choices = [("", "All partners"), *((p.pk, p.name) for p in partners)]
