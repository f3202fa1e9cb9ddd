"""The situation report's forms: parse and re-render; the rules live in ``services/sitreps.py``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from opencity.lib.params import vn_datetime_field


class SummaryForm(forms.Form):
    as_of = vn_datetime_field(_("As of"), required=True)
    summary = forms.CharField(label=_("Situation and measures taken"), required=False, max_length=8000,
                              widget=forms.Textarea(attrs={"rows": 6}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
