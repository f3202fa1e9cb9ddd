"""Forms: parse and re-render; the rules live in the services."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Direction, Outcome, Topic

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M"]
_DURATION = re.compile(r"^\s*(\d{1,4})(?:\s*[:.]\s*(\d{1,2}))?\s*$")


def parse_duration(text: str) -> int | None:
    """"3:20" (minutes:seconds) or "3" (minutes) → seconds; "" → None; otherwise ValueError."""
    if not text or not text.strip():
        return None
    m = _DURATION.match(text)
    if not m or (m.group(2) is not None and int(m.group(2)) >= 60):
        raise ValueError(text)
    return int(m.group(1)) * 60 + int(m.group(2) or 0)


class DurationField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Duration (minutes:seconds)"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 8)
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": "3:20", "inputmode": "numeric",
                                                           "size": 6}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            return parse_duration(value)
        except ValueError:
            raise forms.ValidationError(_("Write the duration as minutes:seconds, for example 3:20.")) from None


def _local_input(value=None) -> str:
    return timezone.localtime(value or timezone.now()).strftime("%Y-%m-%dT%H:%M")


class DateTimeLocalField(forms.DateTimeField):
    """A local date and time from the browser's picker, in the years a call can have (1900–2999):
    year 0001 or 9999 in the city's time zone is off the calendar once converted to UTC (a 500
    where it was compared or stored)."""

    YEARS = (1900, 2999)

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATETIME_FORMATS)
        kwargs.setdefault("widget", forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
        super().__init__(**kwargs)

    def to_python(self, value):
        try:
            result = super().to_python(value)
            if result is not None:
                result.astimezone(dt.UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if result is not None and not self.YEARS[0] <= result.year <= self.YEARS[1]:
            raise forms.ValidationError(
                _("Enter a date between %(first)d and %(last)d.") % {"first": self.YEARS[0], "last": self.YEARS[1]},
                code="out_of_range",
            )
        return result


class CallLogForm(forms.Form):
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices, initial=Direction.INBOUND,
                                  widget=forms.RadioSelect)
    phone = forms.CharField(label=_("Phone number"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off",
                                                          "placeholder": "0905 123 456"}))
    started_at = DateTimeLocalField(label=_("Time of the call"))
    duration = DurationField()
    topic = forms.ChoiceField(label=_("Topic"), choices=[("", "—"), *Topic.choices])
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *Outcome.choices])
    note = forms.CharField(label=_("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("started_at", _local_input())


class WrapUpForm(forms.Form):
    topic = forms.ChoiceField(label=_("Topic"), choices=[("", "—"), *Topic.choices])
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *Outcome.choices])
    note = forms.CharField(label=_("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}))
    duration = DurationField(help_text=_("Only if the exchange did not report the times."))
    end = forms.BooleanField(required=False, widget=forms.HiddenInput)


class CallBackForm(forms.Form):
    due_at = DateTimeLocalField(label=_("Call back at"))
    assigned_to = forms.TypedChoiceField(label=_("Who calls back"), required=False, coerce=int, empty_value=None)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, operators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].choices = [("", _("Anyone on duty")),
                                              *[(u.pk, u.full_name or u.phone) for u in operators]]
        if not self.is_bound:
            self.initial.setdefault("due_at", _local_input(timezone.now() + dt.timedelta(hours=1)))


class CallBackLogForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *Outcome.choices])
    duration = DurationField()
    note = forms.CharField(label=_("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}))


class PresenceForm(forms.Form):
    available = forms.TypedChoiceField(choices=[("1", "on"), ("0", "off")], coerce=lambda v: v == "1")
    extension = forms.CharField(required=False, max_length=16)
