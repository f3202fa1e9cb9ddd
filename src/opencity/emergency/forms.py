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
