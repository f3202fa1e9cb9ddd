"""The warning composer: parse and re-render; the rules themselves live in the services."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity import policy
from opencity.geo.collation import order_by_vi
from opencity.geo.models import Area
from opencity.geo.selectors import wards
from opencity.lib.formtoken import token_field
from opencity.lib.params import IdMultipleChoiceField, vn_datetime_field
from opencity.orgs.models import Unit

from .models import (
    Category,
    Certainty,
    EventType,
    Message,
    MessageStatus,
    ResponseType,
    Severity,
    Urgency,
)

CONTENT_FIELDS = (
    "event", "category", "severity", "urgency", "certainty", "response_type", "headline_vi",
    "description_vi", "instruction_vi", "headline_en", "description_en", "instruction_en",
    "effective", "onset", "expires", "whole_city",
)


class WarningForm(forms.Form):
    event = forms.ChoiceField(label=_("Event"), choices=EventType.choices)
    category = forms.ChoiceField(label=_("CAP category"), required=False,
                                 choices=[("", _("Automatic (from the event)")), *Category.choices])
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.SEVERE)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.EXPECTED)
    certainty = forms.ChoiceField(label=_("Certainty"), choices=Certainty.choices, initial=Certainty.LIKELY)
    response_type = forms.ChoiceField(label=_("What people should do"), choices=ResponseType.choices,
                                      initial=ResponseType.PREPARE)
    status = forms.ChoiceField(label=_("Kind of message"), choices=MessageStatus.choices,
                               initial=MessageStatus.ACTUAL,
                               help_text=_("Exercise and Test messages are not sent to people and not shown in public."))
    unit = forms.ModelChoiceField(label=_("Issued by"), queryset=Unit.objects.none(), required=False,
                                  empty_label=_("The operations centre"))
    headline_vi = forms.CharField(label=_("Headline (Vietnamese)"), max_length=160,
                                  widget=forms.TextInput(attrs={"placeholder": _("For example: Flood warning for low-lying wards")}))
    description_vi = forms.CharField(label=_("What is happening (Vietnamese)"),
                                     max_length=settings.OPENCITY_DESCRIPTION_MAX_CHARS,
                                     widget=forms.Textarea(attrs={"rows": 4}))
    instruction_vi = forms.CharField(label=_("What people should do (Vietnamese)"), required=False,
                                     max_length=settings.OPENCITY_DESCRIPTION_MAX_CHARS,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    headline_en = forms.CharField(label=_("Headline (English)"), max_length=160, required=False)
    description_en = forms.CharField(label=_("What is happening (English)"), required=False,
                                     max_length=settings.OPENCITY_DESCRIPTION_MAX_CHARS,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    instruction_en = forms.CharField(label=_("What people should do (English)"), required=False,
                                     max_length=settings.OPENCITY_DESCRIPTION_MAX_CHARS,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    effective = vn_datetime_field(_("In effect from"), help_text=_("Empty: as soon as it is published."))
    onset = vn_datetime_field(_("Expected onset"))
    expires = vn_datetime_field(_("Valid until"), required=True)
    whole_city = forms.BooleanField(label=_("The whole city"), required=False)
    areas = IdMultipleChoiceField(label=_("Wards and communes"), queryset=Area.objects.none(),
                                           required=False, widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("What changed (shown with the update)"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    based_on = forms.CharField(widget=forms.HiddenInput, required=False)
    client_token = token_field()  # sent twice, the form publishes once (lib/formtoken.py)

    def __init__(self, *args, user=None, update_of: Message | None = None, **kwargs):
        data = args[0] if args else kwargs.get("data")
        if update_of is not None and data is None:
            kwargs.setdefault("initial", initial_from(update_of))
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = wards()
        self.is_update = update_of is not None
        if self.is_update:
            del self.fields["status"]
            del self.fields["unit"]
        else:
            del self.fields["note"]
            del self.fields["based_on"]
            units = Unit.objects.filter(is_active=True, can_issue_warnings=True)
            if not policy.is_ioc(user):
                units = units.filter(pk__in=policy.warning_unit_ids(user))
            self.fields["unit"].queryset = order_by_vi(units)
            if not policy.is_ioc(user):
                self.fields["unit"].empty_label = None
            if not units.exists() or (not policy.is_ioc(user) and units.count() == 1):
                self.fields["unit"].widget = forms.HiddenInput()
                if units.count() == 1 and not policy.is_ioc(user):
                    self.initial.setdefault("unit", units.first().pk)
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.initial.setdefault("expires", now + dt.timedelta(hours=24))

    def selected_area_ids(self) -> set[str]:
        if self.is_bound:
            return {str(v) for v in self.data.getlist("areas")} if hasattr(self.data, "getlist") else set()
        return {str(v) for v in self.initial.get("areas", [])}

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {name: data.get(name) for name in CONTENT_FIELDS}
        for name in ("category", "instruction_vi", "headline_en", "description_en", "instruction_en"):
            kwargs[name] = kwargs[name] or ""
        kwargs["area_ids"] = [a.pk for a in data.get("areas") or []]
        kwargs["client_token"] = data.get("client_token") or None
        if self.is_update:
            kwargs["note"] = data.get("note", "")
            kwargs["based_on"] = data.get("based_on") or None
        else:
            kwargs["status"] = data.get("status") or MessageStatus.ACTUAL
            kwargs["unit"] = data.get("unit")
        return kwargs


def initial_from(message: Message) -> dict:
    initial = {name: getattr(message, name) for name in CONTENT_FIELDS}
    for name in ("effective", "onset", "expires"):
        if initial[name]:
            initial[name] = timezone.localtime(initial[name])
    initial["areas"] = [a.pk for a in message.areas.all()]
    initial["based_on"] = message.pk
    return initial


class CancelForm(forms.Form):
    note = forms.CharField(label=_("Why is it cancelled?"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    based_on = forms.CharField(widget=forms.HiddenInput, required=False)
    client_token = token_field()
