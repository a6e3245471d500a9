from django import forms

from polyplus.notifications.kinds import Delivery


class PreferencesForm(forms.Form):
    """One choice per kind of event the person can hear of."""

    def __init__(self, *args, preferences: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        for item in preferences:
            self.fields[item["kind"]] = forms.ChoiceField(
                label=item["label"], choices=Delivery.choices, initial=item["delivery"], widget=forms.RadioSelect)
