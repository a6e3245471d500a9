from __future__ import annotations

import datetime

from django import forms

from polyplus.portal.api import MONTH


class ReportRequestForm(forms.Form):
    contract = forms.ModelChoiceField(queryset=None, label="Contract",
                                      error_messages={"invalid_choice": "Choose one of your Enterprise contracts."})
    month = forms.CharField(label="Month", help_text="YYYY-MM, a past month of the term",
                            widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-10"}))

    def __init__(self, *args, contracts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts
        self.fields["contract"].label_from_instance = lambda c: f"{c.number} · {c.customer.name}"

    def clean_month(self) -> datetime.date:
        match = MONTH.fullmatch(self.cleaned_data["month"].strip())
        if match is None:
            raise forms.ValidationError("Give the month as YYYY-MM, e.g. 2026-10.")
        return datetime.date(int(match.group(1)), int(match.group(2)), 1)
