"""Forms for the case pages.

A form checks the shape of what was typed and offers only the choices the person may make;
the rules (coverage, the state machine, onsite refusals, attachment contents) live in
tickets/services.py, whose field-keyed errors the views put back next to these fields.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from contracts.models import ProductCategory
from polyplus.tenancy.dates import PortalDateTimeFormField
from polyplus.tenancy.policy import policy_value
from polyplus.tenancy.widgets import QuickSelect
from tickets.attachments import ALLOWED_DESCRIPTION
from tickets.models import CaseStatus, EscalationLevel, Severity, VisitPurpose

MAX_TEXT = 20_000
MAX_FILES = 10
MAX_SLA = datetime.timedelta(days=365)

# What each severity means, in the words of someone whose meeting room just went dark.
SEVERITY_WORDS = {
    Severity.DOWN: "1 · Down: the system or service does not work at all",
    Severity.MAJOR: "2 · Major impact: it works badly and many people are affected",
    Severity.MINOR: "3 · Minor impact: something is wrong but there is a workaround",
    Severity.QUESTION: "4 · Question: advice, how-to or a request for information",
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files (up to MAX_FILES); their contents are checked by the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if len(files) > MAX_FILES:
            raise forms.ValidationError(f"Attach at most {MAX_FILES} files at a time.")
        return [super(MultipleFileField, self).clean(file, initial) for file in files]


def state_attachment_limits(form: forms.Form) -> None:
    """Say the limits in the field's label, so they are read before a file is chosen."""
    limit_mb = policy_value("case_attachment_max_mb")
    form.fields["attachments"].label = f"Attachments: up to {MAX_FILES} files, {limit_mb} MB each"
    form.fields["attachments"].help_text = f"{ALLOWED_DESCRIPTION[:1].upper()}{ALLOWED_DESCRIPTION[1:]}; " \
                                           "checked by their contents."


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.sku} · {obj.name}"


def text_field(label: str, *, required: bool = False, max_length: int = MAX_TEXT, rows: int = 4,
               help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": rows}))


# ---- opening a case -------------------------------------------------------------------------

class CaseOpenForm(forms.Form):
    site = forms.CharField(
        label="Site ID", max_length=40,
        help_text="Type a few characters of the Site ID, the site or the customer, then pick the site.",
        error_messages={"required": "Pick the site the case is about."},
    )
    category = forms.ChoiceField(choices=(), error_messages={"required": "Choose the product category."})
    product = ProductChoiceField(queryset=None, required=False, empty_label="Not sure / not listed",
                                 help_text="Optional: the product from Poly's catalogue.")
    severity = forms.TypedChoiceField(coerce=int, choices=(),
                                      error_messages={"required": "Choose how bad it is."})
    subject = forms.CharField(max_length=200, error_messages={"required": "Say in a few words what is wrong."})
    description = text_field("Description", required=True, rows=6,
                             help_text="What happens, since when, what you tried, who is affected.")
    attachments = MultipleFileField()
    hardware_replacement = forms.BooleanField(label="Hardware replacement needed", required=False)
    serial = forms.CharField(label="Serial number of the failed unit", max_length=60, required=False,
                             help_text="Asked only for a hardware replacement.")

    def __init__(self, *args, sites: QuerySet, products: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.sites = sites
        self.fields["category"].choices = [("", "Choose a category…"), *ProductCategory.choices]
        self.fields["product"].queryset = products.order_by("category", "sku")
        self.fields["severity"].choices = [("", "Choose a severity…"),
                                           *((value, SEVERITY_WORDS[Severity(value)]) for value in Severity.values)]
        self.fields["description"].error_messages["required"] = "Describe the problem."
        state_attachment_limits(self)

    def clean_site(self):
        site_id = self.cleaned_data["site"].strip()
        site = self.sites.filter(site_id__iexact=site_id).select_related("customer", "partner").first()
        if site is None:
            raise forms.ValidationError(f"No site with Site ID “{site_id}” among the sites you look after.")
        return site

    def clean_serial(self):
        return self.cleaned_data["serial"].strip()


# ---- lists -----------------------------------------------------------------------------------

OPEN_FILTER = ""


class CaseFilterForm(forms.Form):
    """The filters of the partner list and the Poly queue; anything unreadable is simply ignored."""

    q = forms.CharField(required=False, max_length=200)
    status = forms.ChoiceField(required=False, choices=(), widget=QuickSelect)
    severity = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, choices=(), widget=QuickSelect)
    category = forms.ChoiceField(required=False, choices=(), widget=QuickSelect)
    site = forms.CharField(required=False, max_length=40)
    partner = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, choices=(), widget=QuickSelect)
    breached = forms.ChoiceField(required=False, choices=[("", "Breached or not"), ("yes", "Breached"),
                                                          ("no", "Not breached")], widget=QuickSelect)
    escalation_level = forms.TypedChoiceField(required=False, coerce=int, empty_value=None,
                                              choices=[("", "Any level"), *EscalationLevel.choices], widget=QuickSelect)
    owner = forms.ChoiceField(required=False, choices=(), widget=QuickSelect)
    view = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(self, data, *, partners: QuerySet | None = None, owners: QuerySet | None = None):
        super().__init__(data)
        if owners is None:
            del self.fields["owner"]
            del self.fields["view"]
        else:
            self.fields["owner"].choices = [("", "Any owner"), ("none", "Unassigned"),
                                            *((str(u.pk), u.full_name or u.email) for u in owners)]
        self.fields["status"].choices = [(OPEN_FILTER, "Open cases"), *CaseStatus.choices]
        self.fields["severity"].choices = [("", "Any severity"), *Severity.choices]
        self.fields["category"].choices = [("", "Any category"), *ProductCategory.choices]
        if partners is None:
            del self.fields["partner"]
        else:
            del self.fields["site"]
            self.fields["partner"].choices = [("", "All partners"), *((p.pk, p.name) for p in partners)]

    def values(self) -> dict:
        """The valid filters only: a bad value drops its own filter, never the page."""
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields
                if name not in self.errors and self.cleaned_data.get(name) not in (None, "")}


# ---- the case page's actions -----------------------------------------------------------------

class ReplyForm(forms.Form):
    """A public reply: the partner and the customer read it."""

    body = text_field("Reply", required=True, rows=5, help_text="The partner and the customer read this.")
    attachments = MultipleFileField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].error_messages["required"] = "Write a reply."
        state_attachment_limits(self)


class InternalNoteForm(forms.Form):
    """A note for Poly staff only. A form of its own, posted to its own address, so that what is
    public and what is internal is chosen by the form used, never by a box left unticked."""

    prefix = "note"

    body = text_field("Note", required=True, rows=4, help_text="Never shown to the partner or the customer.")
    attachments = MultipleFileField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].error_messages["required"] = "Write the note."
        state_attachment_limits(self)


class EscalateForm(forms.Form):
    to_level = forms.TypedChoiceField(label="Escalate to", coerce=int, choices=EscalationLevel.choices)
    reason = text_field("Reason", required=True, max_length=500, rows=3,
                        help_text="The partner sees the level and this reason on the case.")

    def __init__(self, *args, current_level: int = EscalationLevel.TIER_1, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = "Say why the case needs a higher level."
        # Every level is accepted, so that the service, not the form, explains a step down.
        self.fields["to_level"].widget.choices = [(value, label) for value, label in EscalationLevel.choices
                                                  if value > current_level]


class OnsiteForm(forms.Form):
    purpose = forms.ChoiceField(choices=(), error_messages={"required": "Choose what the visit is for."})
    remote_diagnostics_summary = text_field(
        "Remote diagnostics so far", required=True, rows=4,
        help_text="Poly works remotely with the partner's engineer first: what was tried and found.",
    )
    partner_engineer_name = forms.CharField(
        label="Partner engineer who ran the diagnostics", max_length=200,
        error_messages={"required": "Name the partner's engineer who ran the remote diagnostics."},
    )
    scheduled_for = PortalDateTimeFormField(
        label="Visit date and time", input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": "Give the date and time of the visit.",
                        "invalid": "Give the date and time as YYYY-MM-DD HH:MM."},
    )
    details = forms.CharField(label="Details for the technician", max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    technician = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, zone: zoneinfo.ZoneInfo, may_name_technician: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.fields["purpose"].choices = [("", "Choose a purpose…"), *VisitPurpose.choices]
        self.fields["remote_diagnostics_summary"].error_messages["required"] = (
            "Poly works with the partner's engineer remotely first: record what was tried.")
        self.fields["scheduled_for"].help_text = f"The site's local time ({zone.key})."
        if not may_name_technician:
            del self.fields["technician"]

    def clean_scheduled_for(self):
        """The time typed is the site's wall-clock time."""
        typed = self.cleaned_data["scheduled_for"]
        try:
            local = timezone.make_naive(typed, datetime.UTC).replace(tzinfo=self.zone)
            return local.astimezone(datetime.UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError("Give a date and time that exists.") from None


class TransitionForm(forms.Form):
    to_status = forms.CharField(max_length=30)


# ---- SLA targets (Poly admin) ----------------------------------------------------------------

DURATION_PATTERN = re.compile(
    r"^\s*(?:(?P<days>\d{1,3})\s*d(?:ays?)?)?\s*(?:(?P<hours>\d{1,5})\s*h(?:ours?)?)?"
    r"\s*(?:(?P<minutes>\d{1,6})\s*m(?:in(?:utes?)?)?)?\s*$",
    re.IGNORECASE,
)


def parse_duration_words(text: str) -> datetime.timedelta | None:
    """“30 min”, “4 h”, “2 d 12 h”, or a bare number of minutes; None when it is none of those."""
    text = (text or "").strip()
    if re.fullmatch(r"\d{1,6}", text):
        return datetime.timedelta(minutes=int(text))
    match = DURATION_PATTERN.match(text)
    if not text or match is None:
        return None
    parts = {name: int(value) for name, value in match.groupdict().items() if value}
    return datetime.timedelta(**parts)


def duration_words(delta: datetime.timedelta) -> str:
    """A duration as people say it: “30 min”, “4 h”, “1 d 6 h”."""
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min" if minutes else ""]
    return " ".join(part for part in parts if part) or "0 min"


class DurationWordsField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("help_text", "e.g. 30 min, 4 h, 2 d 12 h")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return duration_words(value) if isinstance(value, datetime.timedelta) else value

    def clean(self, value):
        text = super().clean(value)
        duration = parse_duration_words(text)
        if duration is None:
            raise forms.ValidationError("Write a duration such as 30 min, 4 h or 2 d 12 h.")
        if duration > MAX_SLA:
            raise forms.ValidationError("At most 365 days.")
        return duration


class SlaTargetForm(forms.Form):
    first_response = DurationWordsField(label="First response")
    resolution = DurationWordsField(label="Resolution")


class HandOverForm(forms.Form):
    """Hand the case to a Poly colleague, with a note for them."""

    owner = forms.ModelChoiceField(queryset=None, label="Hand over to", empty_label="Choose a colleague",
                                   error_messages={"required": "Choose who takes the case over."})
    note = forms.CharField(label="Note for them", required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people
        self.fields["owner"].label_from_instance = lambda user: user.full_name or user.email


class PartnerOwnerForm(forms.Form):
    """Name which of the partner's engineers is responsible for its side (empty: nobody named)."""

    partner_owner = forms.ModelChoiceField(queryset=None, label="Partner's engineer", required=False,
                                           empty_label="Nobody named")

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner_owner"].queryset = people
        self.fields["partner_owner"].label_from_instance = lambda user: user.full_name or user.email
