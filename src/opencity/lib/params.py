"""Reading request parameters that reach the database or a redirect: ids, coordinates and the
``next`` page. One reading for every view, so that a value the database cannot hold (a 30-digit
id overflows PostgreSQL's bigint; SQLite's too) or a redirect off the site never gets through.
"""

from __future__ import annotations

import math

from django import forms
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from opencity.errors import ValidationError, error_format_for, error_response
from opencity.lib.text import NUL, nul_error

# The largest primary key a database column can hold (a signed 64-bit integer).
MAX_ID = 2**63 - 1


class BadParameter(ValidationError):
    """A parameter that no form of ours sends: not a number, beyond what the database holds, not
    a place on earth. Pages answer it with a 400 and its message, not as a rule of the city
    that the form shows again."""

    code = "bad_parameter"


def parse_id(raw) -> int | None:
    """A database id from a parameter: an int, or ASCII digits (no sign, at most 19 of them),
    from 1 to ``MAX_ID``; None for anything else ("²".isdigit() is true, int("²") fails)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 1 <= raw <= MAX_ID else None
    text = str(raw or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def require_id(raw, *, field: str, required: bool = True) -> int | None:
    """:func:`parse_id`, or BadParameter (400) naming ``field``; empty is None unless
    ``required``."""
    if raw in (None, "") and not required:
        return None
    value = parse_id(raw)
    if value is None:
        raise BadParameter(_("“%(field)s” is not a valid number.") % {"field": field}, field=field)
    return value


def require_int(raw, *, field: str, digits: int = 9, required: bool = True) -> int | None:
    """A whole number of at most ``digits`` ASCII digits (no sign), or BadParameter (400)."""
    text = str(raw if raw is not None else "").strip()
    if not text and not required:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > digits:
        raise BadParameter(_("“%(field)s” is not a valid number.") % {"field": field}, field=field)
    return int(text)


def parse_coordinate(raw, *, field: str, limit: float) -> float:
    """A finite number within ±``limit`` (90 for a latitude, 180 for a longitude), or
    BadParameter (400): "inf", "nan" and 1e308 are not places on earth."""
    try:
        value = float(str(raw).strip())
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value) or abs(value) > limit:
        raise BadParameter(_("The position on the map is not valid."), field=field)
    return value


def safe_next(request: HttpRequest, raw: str | None, fallback: str) -> str:
    """``raw`` if it is a path of this site ("/reports/5/"), otherwise ``fallback``: a posted
    ``next`` must never send people to another site (an open redirect)."""
    raw = (raw or "").strip()
    if (
        raw.startswith("/")
        and not raw.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(raw, allowed_hosts={request.get_host()},
                                            require_https=request.is_secure())
    ):
        return raw
    return fallback


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField whose ids are read with :func:`parse_id` before they reach the
    database: a 30-digit id is "not one of the choices", not an OverflowError (SQLite) or a
    DataError (PostgreSQL) inside ``… IN (…)``."""

    def _check_values(self, value):
        for raw in value:
            if parse_id(raw) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": raw}
                )
        return super()._check_values(value)


DATETIME_FORMAT = "%d/%m/%Y %H:%M"
DATETIME_INPUTS = [DATETIME_FORMAT, "%d/%m/%Y %H:%M:%S", "%d/%m/%Y", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def vn_datetime_field(label, *, required=False, help_text=""):
    """A date and time field as people here write them (dd/mm/yyyy hh:mm), also taking the
    browser's and ISO forms."""
    return forms.DateTimeField(
        label=label, required=required, input_formats=DATETIME_INPUTS, help_text=help_text,
        widget=forms.DateTimeInput(format=DATETIME_FORMAT,
                                   attrs={"placeholder": "dd/mm/yyyy hh:mm", "inputmode": "numeric",
                                          "autocomplete": "off"}),
        error_messages={"invalid": _("Enter a date and time as dd/mm/yyyy hh:mm.")},
    )


def posted_version(request: HttpRequest) -> int | None:
    """The ``version`` a form was drawn with (its hidden input), for the optimistic lock of a
    lifecycle step: None when absent or not a number (the step then checks only the state)."""
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError):
        return None


def first_nul(request: HttpRequest) -> str | None:
    """The name of the first part of a page request holding a NUL character — "path", a query
    or form field's name — or None. PostgreSQL cannot store or even compare a text with a NUL
    (psycopg refuses the query), so one sent anywhere a view reads would be a 500."""
    if NUL in request.path:
        return "path"
    fields = list(request.GET.lists())
    if request.method == "POST" and request.content_type in ("application/x-www-form-urlencoded",
                                                               "multipart/form-data"):
        fields += list(request.POST.lists())  # the uploaded files' names are checked by lib.uploads
    for name, values in fields:
        if NUL in name or any(NUL in value for value in values):
            return name.replace(NUL, "") or "?"
    return None


class RefuseNulMiddleware:
    """Pages refuse a request with a NUL character in its path, query or form with a 400 and a
    message, before any view reads it. Not the API (``lib.api``) nor Open311, which answer it
    in their own error formats."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if request.path.startswith("/api/") or error_format_for(request) is not None:
            return None  # the API and Open311 refuse a NUL themselves, in their own error format
        field = first_nul(request)
        if field is None:
            return None
        return error_response(request, nul_error(field))
