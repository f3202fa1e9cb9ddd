from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import RequestKind
from .services import CITIZEN_REQUEST_KINDS


class PrivacyRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("What do you ask for?"),
                             choices=[(k.value, k.label) for k in CITIZEN_REQUEST_KINDS])
    details = forms.CharField(label=_("Your request"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("Which data, and what should change: for example the wrong "
                                          "address on report PA000123, or a processing you object to."))


class DeleteAccountForm(forms.Form):
    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput(
        attrs={"autocomplete": "current-password"}))
    confirm = forms.BooleanField(label=_("I understand that my account is deleted for good."))


class RequestActForm(forms.Form):
    action = forms.ChoiceField(choices=[("start", "start"), ("answer", "answer"), ("refuse", "refuse")])
    note = forms.CharField(required=False, max_length=4000)
    version = forms.IntegerField(required=False, min_value=0)


DT_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class BreachForm(forms.Form):
    title = forms.CharField(label=_("What happened"), max_length=200)
    discovered_at = forms.DateTimeField(label=_("Discovered at"), widget=DT_WIDGET)
    occurred_at = forms.DateTimeField(label=_("Occurred at (if known)"), required=False, widget=DT_WIDGET)
    data_categories = forms.CharField(label=_("Categories of data"), widget=forms.Textarea(attrs={"rows": 2}))
    subject_categories = forms.CharField(label=_("Categories of people"), widget=forms.Textarea(attrs={"rows": 2}))
    affected_count = forms.IntegerField(label=_("People affected (estimate)"), min_value=0, initial=0)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    measures = forms.CharField(label=_("Measures taken"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_drill = forms.BooleanField(label=_("This is a drill"), required=False)


class AuthorityNoticeForm(forms.Form):
    notified_at = forms.DateTimeField(label=_("Notified at"), widget=DT_WIDGET)
    reference = forms.CharField(label=_("Reference of the notification"), max_length=120)


class PeopleNoticeForm(forms.Form):
    message = forms.CharField(label=_("Message to the people affected"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4}))


KIND_CHOICES = RequestKind.choices
