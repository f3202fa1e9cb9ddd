"""Forms: parse and re-render; the rules themselves live in the services."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Category, QuestionKind, RejectReason


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [d for d in data if d]
        return [data] if data else []


class ReportForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("What is the problem?"),
        queryset=Category.objects.filter(is_active=True),
        empty_label=_("Choose a category"),
    )
    description = forms.CharField(
        label=_("Describe it"),
        max_length=settings.OPENCITY_DESCRIPTION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("For example: the street light in front of number 31 is broken.")}),
    )
    photos = MultipleImageField(
        label=_("Photos (1 to 5, at most 10 MB each)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*", "multiple": True}),
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("House number, street, ward or commune"), "autocomplete": "street-address"}),
    )
    lat = forms.CharField(required=False, widget=forms.HiddenInput)
    lon = forms.CharField(required=False, widget=forms.HiddenInput)
    # how precise the pin is (``LocationPrecision``): the page's script says "address" while the
    # pin stands where the geocoder put a typed address, not confirmed or moved; the service
    # takes anything else with a pin as "exact" (a hidden field has no error to show)
    location_precision = forms.CharField(required=False, max_length=8, widget=forms.HiddenInput)
    is_public = forms.BooleanField(
        label=_("Public (recommended): everyone can see the report and its result, never your name or phone"),
        required=False,
        initial=True,
    )
    client_token = forms.CharField(widget=forms.HiddenInput, required=False)
    # for the hotline: the caller
    reporter_name = forms.CharField(label=_("Caller's name"), max_length=120, required=False)
    reporter_phone = forms.CharField(label=_("Caller's phone"), max_length=20, required=False)

    def __init__(self, *args, category: Category | None = None, for_caller: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_token", uuid.uuid4().hex)
        if not for_caller:
            del self.fields["reporter_name"]
            del self.fields["reporter_phone"]
        self.category = category
        self.question_fields = []
        if category is not None:
            for q in category.questions.all():
                name = f"q_{q.code}"
                if q.kind == QuestionKind.TEXT:
                    field = forms.CharField(max_length=500)
                elif q.kind == QuestionKind.NUMBER:
                    field = forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}))
                elif q.kind == QuestionKind.DATE:
                    field = forms.CharField(widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}))
                elif q.kind == QuestionKind.SINGLE:
                    # No pre-ticked "—": a required question starts unanswered; an optional one
                    # offers "Skip this question", ticked, which is the truth until the person chooses.
                    blank = [] if q.required else [("", _("Skip this question"))]
                    field = forms.ChoiceField(choices=[*blank, *q.choice_pairs()], widget=forms.RadioSelect)
                else:
                    field = forms.MultipleChoiceField(choices=q.choice_pairs(), widget=forms.CheckboxSelectMultiple)
                field.label = q.label
                if q.public:  # the reporter knows before answering (policy.can_view_answer)
                    field.help_text = _("Shown publicly with the report.")
                field.required = False  # checked by the service, with the question's own message
                field.question_required = q.required
                self.fields[name] = field
                self.question_fields.append(name)

    def answers(self) -> dict:
        data = getattr(self, "cleaned_data", {})
        return {name[2:]: data.get(name) for name in self.question_fields}

    def questions(self):
        return [self[name] for name in self.question_fields]


RATING_LABELS = {
    1: _("1 star – very dissatisfied"),
    2: _("2 stars – dissatisfied"),
    3: _("3 stars – neither satisfied nor dissatisfied"),
    4: _("4 stars – satisfied"),
    5: _("5 stars – very satisfied"),
}


class RateForm(forms.Form):
    """Each star is a radio whose label a screen reader reads ("1 star – very dissatisfied");
    the template draws the star icon beside the visually hidden text."""

    rating = forms.TypedChoiceField(choices=list(RATING_LABELS.items()), coerce=int, label=_("Your rating"))
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class RejectForm(forms.Form):
    reason = forms.ChoiceField(choices=RejectReason.choices, label=_("Reason"))
    note = forms.CharField(label=_("Public explanation"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
