"""The board's forms: parse and re-render; the rules live in ``services/board.py``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opencity.lib.formtoken import token_field
from opencity.lib.params import vn_datetime_field

from .models import AssetKind, StockItem, StockMove, TaskPriority


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200,
                            widget=forms.TextInput(attrs={"placeholder": _("Evacuate the households of hamlet 3")}))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    area = forms.ChoiceField(label=_("Ward"), required=False)
    priority = forms.TypedChoiceField(label=_("Priority"), choices=TaskPriority.choices, coerce=int,
                                      initial=TaskPriority.NORMAL)
    due_at = vn_datetime_field(_("Due"))
    period = forms.ChoiceField(label=_("Operational period"), required=False)
    rescue = forms.CharField(label=_("Rescue request"), required=False, max_length=20,
                             help_text=_("Optional: the number of a linked request, e.g. SOS-12."))
    lat = forms.CharField(required=False, widget=forms.HiddenInput)
    lon = forms.CharField(required=False, widget=forms.HiddenInput)
    client_token = token_field()

    def __init__(self, *args, areas=(), periods=(), city_level: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = _ward_choices(areas, city_level)
        self.fields["period"].choices = [("", "—"), *[(p.pk, _period_label(p)) for p in periods]]


class DeploymentForm(forms.Form):
    team = forms.ChoiceField(label=_("Team"))
    area = forms.ChoiceField(label=_("Ward"), required=False)
    people = forms.IntegerField(label=_("People"), required=False, min_value=1, max_value=5000)

    def __init__(self, *args, teams=(), areas=(), city_level: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(t.pk, f"{t.name} ({t.get_kind_display()})") for t in teams]
        self.fields["area"].choices = _ward_choices(areas, city_level)


class AssetForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=AssetKind.choices)
    name = forms.CharField(label=_("Name"), max_length=120)
    code = forms.CharField(label=_("Number"), max_length=40, required=False,
                           help_text=_("Plate, hull or inventory number."))


# The stock book's words ("Received" alone already means "time received" in the catalogue).
MOVE_LABELS = {StockMove.NEED: _("Need reported"), StockMove.REQUISITION: _("Requisition"),
               StockMove.RECEIPT: pgettext_lazy("stock", "Received"), StockMove.ISSUE: pgettext_lazy("stock", "Issued")}


class StockForm(forms.Form):
    item = forms.ChoiceField(label=_("Item"), choices=StockItem.choices)
    move = forms.ChoiceField(label=_("Entry"), choices=list(MOVE_LABELS.items()))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=10_000_000)
    area = forms.ChoiceField(label=_("Ward"), required=False)
    shelter = forms.ChoiceField(label=_("Shelter"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    client_token = token_field()

    def __init__(self, *args, areas=(), shelters=(), city_level: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = _ward_choices(areas, city_level, city_label=_("City store"))
        self.fields["shelter"].choices = [("", "—"), *[(s.pk, s.name) for s in shelters]]


def _ward_choices(areas, city_level: bool, city_label=None) -> list:
    first = [("", city_label or _("City level (no ward)"))] if city_level else []
    return [*first, *[(a.pk, a.name) for a in areas]]


def _period_label(period) -> str:
    from django.utils import timezone

    return _("Period %(n)d (from %(start)s)") % {
        "n": period.number, "start": timezone.localtime(period.starts_at).strftime("%d/%m/%Y %H:%M")}
