"""Forms for the ECPS pages. They check shape only; every rule is the service's (ecps/services.py)."""

from __future__ import annotations

import datetime
import zoneinfo

from django import forms
from django.utils import timezone

from ecps import selectors
from ecps.models import CloudProvider, EscalationStatus
from polyplus.tenancy.dates import PortalDateFormField, PortalDateTimeFormField
from polyplus.tenancy.widgets import QuickSelect

MAX_TEXT = 20000


def text_field(label: str, *, required: bool = False, max_length: int = MAX_TEXT, rows: int = 4,
               help_text: str = "", required_message: str = "") -> forms.CharField:
    field = forms.CharField(label=label, required=required, max_length=max_length, help_text=help_text,
                            widget=forms.Textarea(attrs={"rows": rows}))
    if required_message:
        field.error_messages["required"] = required_message
    return field


class ProviderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CloudProvider) -> str:
        return obj.name + ("" if obj.requires_authorisation else " (no authorisation needed)")


def provider_field(label: str = "Cloud provider") -> ProviderChoiceField:
    return ProviderChoiceField(queryset=CloudProvider.objects.none(), label=label, empty_label="Choose a provider…",
                               error_messages={"required": "Choose the cloud provider.",
                                               "invalid_choice": "Choose a provider from the list."})


class EscalationRequestForm(forms.Form):
    provider = provider_field()
    problem = text_field("What goes wrong in the provider's system", required=True, rows=5,
                         help_text="Documented for the provider; the partner and the customer read it too.",
                         required_message="Describe the problem in the provider's system.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = selectors.providers_for_choice()


class OpenIncidentForm(forms.Form):
    prefix = "open"

    provider_incident_number = forms.CharField(
        label="Provider's incident tracking number", max_length=100, required=False,
        help_text="Shown to the partner and the customer.")
    note = text_field("How it was opened (optional)", rows=2, help_text="A public update on the escalation.")


class UpdateForm(forms.Form):
    """A public update: the partner and the customer read it."""

    prefix = "update"

    body = text_field("Update", required=True, rows=4,
                      help_text="An exchange with the provider or its status; the partner and the customer read it.",
                      required_message="Write the update.")


class InternalUpdateForm(forms.Form):
    """Poly only. A form of its own, posted to its own address, so that what is public and what is
    internal is chosen by the form used, never by a box left unticked (as the case page does)."""

    prefix = "internal"

    body = text_field("Internal update", required=True, rows=3, help_text="Never shown to the partner or the customer.",
                      required_message="Write the update.")


class ReferForm(forms.Form):
    prefix = "refer"

    findings = text_field("Poly's findings", rows=4,
                          help_text="The results of Poly's checks, given to the partner with the referral.")


class ResolveForm(forms.Form):
    prefix = "resolve"

    resolution = text_field("Resolution (optional)", rows=2)


class CancelForm(forms.Form):
    prefix = "cancel"

    reason = forms.CharField(label="Reason (optional)", max_length=500, required=False)


class JointCallRequestForm(forms.Form):
    prefix = "call"

    note = forms.CharField(label="What the call is for, preferred times (optional)", max_length=500, required=False)


class JointCallScheduleForm(forms.Form):
    prefix = "schedule"

    joint_call = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**62)
    scheduled_for = PortalDateTimeFormField(
        label="Call date and time", input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": "Give the date and time of the call.",
                        "invalid": "Give the date and time as YYYY-MM-DD HH:MM."})

    def __init__(self, *args, zone: zoneinfo.ZoneInfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.fields["scheduled_for"].help_text = f"The site's local time ({zone.key})."

    def clean_scheduled_for(self):
        """The time typed is the site's wall-clock time."""
        typed = self.cleaned_data["scheduled_for"]
        try:
            return timezone.make_naive(typed, datetime.UTC).replace(tzinfo=self.zone).astimezone(datetime.UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError("Give a date and time that exists.") from None


class AgreementForm(forms.Form):
    prefix = "agreement"

    provider = provider_field()
    reference = forms.CharField(label="Agreement reference", max_length=100,
                                error_messages={"required": "Give the agreement's reference."})
    valid_until = PortalDateFormField(label="Valid until", widget=forms.DateInput(attrs={"type": "date"}),
                                      error_messages={"required": "Give the last day of the agreement."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = selectors.providers_for_choice()


class AuthorisationForm(forms.Form):
    prefix = "authorisation"

    provider = provider_field()
    file = forms.FileField(label="Signed authorisation (PDF)", help_text="Checked by its contents.",
                           error_messages={"required": "Choose the signed PDF."})
    signed_on = PortalDateFormField(label="Signed on", widget=forms.DateInput(attrs={"type": "date"}),
                                    error_messages={"required": "Give the day it was signed."})
    valid_until = PortalDateFormField(label="Valid until", widget=forms.DateInput(attrs={"type": "date"}),
                                      error_messages={"required": "Give the last day it is valid."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = selectors.providers_for_choice()


class ProviderForm(forms.Form):
    name = forms.CharField(max_length=100, error_messages={"required": "Name the provider."})
    requires_authorisation = forms.BooleanField(required=False, label="Needs the customer's signed authorisation")
    direct_engagement = forms.BooleanField(required=False, label="Lets Poly work with it directly")
    active = forms.BooleanField(required=False, initial=True, label="On the list")


class EscalationFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, widget=QuickSelect,
                               choices=[("", "Open"), ("all", "Any status"), *EscalationStatus.choices])
    provider = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, choices=(), widget=QuickSelect)
    q = forms.CharField(required=False, max_length=100, label="Search",
                        help_text="Incident number, case number or customer")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", "Any provider"),
                                           *((p.pk, p.name) for p in selectors.providers_all())]
