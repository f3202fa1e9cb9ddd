"""The incident forms: parse and re-render; the rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from opencity.geo.models import Area
from opencity.geo.selectors import wards
from opencity.lib.formtoken import token_field
from opencity.lib.params import IdMultipleChoiceField, vn_datetime_field

from .models import CommandRole, IncidentType, LinkKind


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=IncidentType.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    level = forms.TypedChoiceField(label=_("Risk level"), required=False, coerce=int, empty_value=None,
                                   choices=[("", "—"), *[(n, str(n)) for n in range(1, 6)]],
                                   help_text=_("Floods, storms and landslides: natural-disaster risk level 1–5."))
    areas = IdMultipleChoiceField(label=_("Affected wards and communes"), queryset=Area.objects.none(),
                                  widget=forms.CheckboxSelectMultiple)
    started_at = vn_datetime_field(_("Start"), help_text=_("Empty: now."))
    description = forms.CharField(label=_("Situation"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    active = forms.BooleanField(label=_("Start the response now (not only monitoring)"), required=False)
    is_exercise = forms.BooleanField(label=_("This is an exercise (kept out of the city's figures)"),
                                     required=False)
    client_token = token_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = wards()


class LinkForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"), choices=LinkKind.choices)
    ref = forms.CharField(label=_("Number"), max_length=20,
                          help_text=_("The number people quote: PA002001, SOS-12, CB000006, or the call's id."))


class RosterForm(forms.Form):
    user = forms.IntegerField(label=_("Person"), widget=forms.Select)
    position = forms.ChoiceField(label=_("Position"), choices=CommandRole.choices)
    area = forms.IntegerField(label=_("Ward"), required=False, widget=forms.Select)
    section = forms.CharField(label=_("Section"), required=False, max_length=80)


class PeriodForm(forms.Form):
    starts_at = vn_datetime_field(_("From"), required=True)
    ends_at = vn_datetime_field(_("Until"), required=True)
    objectives = forms.CharField(label=_("Objectives (one per line)"), max_length=4000,
                                 widget=forms.Textarea(attrs={"rows": 4}))
