"""Parse the digital report forms. Every ward and active unit is a valid choice here; whether the
user may have it is the service's question (403, not a form error)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from opencity.reports import kpi

from ..models import DigitalReportFormat, DigitalReportLevel
from .services import month_is_allowed


class _TargetForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Report for"), choices=DigitalReportLevel.choices,
        error_messages={"invalid_choice": _("Choose the city, a ward or commune, or a unit."),
                        "required": _("Choose the city, a ward or commune, or a unit.")})
    area = forms.CharField(label=_("Ward/commune"), required=False, max_length=12)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=12)
    format = forms.ChoiceField(
        label=_("Format"), choices=DigitalReportFormat.choices,
        error_messages={"invalid_choice": _("Choose XLSX or PDF."), "required": _("Choose XLSX or PDF.")})

    def _id(self, name: str, message) -> int | None:
        raw = (self.cleaned_data.get(name) or "").strip()
        if not raw:
            return None
        if not (raw.isascii() and raw.isdigit()):  # "²".isdigit() is true, int("²") fails
            self.add_error(name, message)
            return None
        return int(raw)

    def clean(self):
        data = super().clean()
        level = data.get("level")
        data["area_id"] = self._id("area", _("Choose a ward or commune of the city."))
        data["unit_id"] = self._id("unit", _("Choose a unit."))
        if level == DigitalReportLevel.WARD and data["area_id"] is None and "area" not in self.errors:
            self.add_error("area", _("Choose the ward or commune."))
        if level == DigitalReportLevel.UNIT and data["unit_id"] is None and "unit" not in self.errors:
            self.add_error("unit", _("Choose the unit."))
        if level != DigitalReportLevel.WARD:
            data["area_id"] = None
        if level != DigitalReportLevel.UNIT:
            data["unit_id"] = None
        return data

    def target_kwargs(self) -> dict:
        d = self.cleaned_data
        return {"level": d["level"], "area_id": d["area_id"], "unit_id": d["unit_id"]}


class DigitalReportForm(_TargetForm):
    month = forms.CharField(label=_("Month"), max_length=7,
                            error_messages={"required": _("Choose one of the last 24 months.")})

    def clean_month(self) -> dt.date:
        period = kpi.Period.parse(self.cleaned_data["month"])
        if period is None or period.kind != "month" or not month_is_allowed(period.start):
            raise forms.ValidationError(_("Choose one of the last 24 months."))
        return period.start

    def service_kwargs(self) -> dict:
        return {**self.target_kwargs(), "month": self.cleaned_data["month"], "fmt": self.cleaned_data["format"]}


class SubscriptionForm(_TargetForm):
    def service_kwargs(self) -> dict:
        return {**self.target_kwargs(), "formats": [self.cleaned_data["format"]]}
