"""The SOS form: small on purpose (a weak connection must carry it)."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from .models import Need
from .services import MAX_PEOPLE


class SosForm(forms.Form):
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    people = forms.IntegerField(label=_("How many people need help?"), min_value=1, max_value=MAX_PEOPLE, initial=1,
                                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    needs = forms.MultipleChoiceField(label=_("What do you need?"), choices=Need.choices,
                                      widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2, "maxlength": 1000}))
    photo = forms.FileField(label=_("Photo (optional)"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    client_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    caller_name = forms.CharField(label=_("Caller's name"), required=False, max_length=120)
    caller_phone = forms.CharField(label=_("Caller's phone"), required=False, max_length=20,
                                   widget=forms.TextInput(attrs={"inputmode": "tel"}))

    def __init__(self, *args, for_caller: bool = False, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("client_token", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.for_caller = for_caller
        if for_caller:
            self.fields["caller_name"].required = True
            self.fields["caller_phone"].required = True
        else:
            del self.fields["caller_name"]
            del self.fields["caller_phone"]
            self.fields["people"] = _people_bounded()
            # one tap: the place is all that is needed; the rest can follow after sending
            self.fields["needs"].required = False
            self.fields["needs"].label = _("What do you need? (optional)")


def _people_bounded() -> forms.IntegerField:
    """A person's own request names at most OPENCITY_SOS_MAX_PEOPLE (a rescue team plans a boat
    or a truck by it; 500 from one phone is not plausible). A larger group is real too: the
    message sends it to the phone, where an operator files it for everyone (up to MAX_PEOPLE)."""
    limit = settings.OPENCITY_SOS_MAX_PEOPLE
    message = gettext_now(
        "One request from here can be for at most %(limit)d people. For a larger group, call 112 or "
        "114, or the city hotline %(hotline)s: the operators file the request for everyone."
    ) % {"limit": limit, "hotline": settings.OPENCITY_HOTLINE_NUMBER}
    return forms.IntegerField(label=_("How many people need help?"), min_value=1, max_value=limit, initial=1,
                              error_messages={"max_value": message.replace("%", "%%")},
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class VisitorSosForm(forms.Form):
    """SOS without an account (issue #14): what the phone knows (its location, else a pin or a
    typed place), how many people (1 unless changed) and the phone number to prove by an SMS
    code — or to be called back on. Needs and a note are optional, here or after sending."""

    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    place_text = forms.CharField(label=_("Or type where you are"), required=False, max_length=200,
                                 widget=forms.TextInput(attrs={"placeholder": _("House number, street, ward"),
                                                               "autocomplete": "street-address"}))
    phone = forms.CharField(label=_("Your phone number"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel",
                                                          "placeholder": "0905 123 456"}))
    people = forms.IntegerField(label=_("How many people need help?"), min_value=1, initial=1,
                                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    needs = forms.MultipleChoiceField(label=_("What do you need? (optional)"), choices=Need.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2, "maxlength": 1000}))
    client_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("client_token", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.fields["people"] = _people_bounded()

    def clean_phone(self) -> str:
        from opencity.errors import ValidationError as DomainValidationError
        from opencity.lib.phone import normalize_phone

        try:
            return normalize_phone(self.cleaned_data.get("phone", ""))
        except DomainValidationError as exc:
            raise forms.ValidationError(exc.message) from None


class SosCodeForm(forms.Form):
    code = forms.CharField(label=_("The code in the SMS"), max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                                         "pattern": "[0-9]{6}", "autofocus": True}))


class DetailsForm(forms.Form):
    """Details after sending: people, needs, a note, a photo (each optional)."""

    people = forms.IntegerField(label=_("How many people need help?"), min_value=1, max_value=MAX_PEOPLE,
                                required=False, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    needs = forms.MultipleChoiceField(label=_("What do you need?"), choices=Need.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2, "maxlength": 1000}))
    photo = forms.FileField(label=_("Photo (optional)"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
