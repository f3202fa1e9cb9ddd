"""The shelter forms: parse and re-render; the rules (capacity, phone, wards) live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opencity.geo.selectors import wards
from opencity.lib.formtoken import token_field

from .services.shelters import MAX_PEOPLE


class CheckInForm(forms.Form):
    head_name = forms.CharField(label=_("Head of household"), max_length=120,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    people = forms.IntegerField(label=pgettext_lazy("shelter", "People"), min_value=1, max_value=MAX_PEOPLE,
                                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    phone = forms.CharField(label=_("Phone (optional)"), required=False, max_length=20,
                            widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off",
                                                          "placeholder": "0905 123 456"}))
    from_area = forms.TypedChoiceField(label=_("From ward"), required=False, coerce=int, empty_value=None)
    needs = forms.CharField(label=pgettext_lazy("shelter", "Needs"), required=False, max_length=300,
                            help_text=_("For example: elderly people, infants, a disabled person, medicine they need."))
    over_capacity_reason = forms.CharField(
        label=_("Reason to register over capacity"), required=False, max_length=300,
        help_text=_("Only when the shelter is full and the household cannot be sent elsewhere."))
    client_token = token_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_area"].choices = [("", "—"), *((a.pk, a.name) for a in wards().only("pk", "name"))]


class NoticeForm(forms.Form):
    message = forms.CharField(label=pgettext_lazy("shelter", "Message"), max_length=500,
                              widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}))
    client_token = token_field()
