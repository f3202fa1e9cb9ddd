"""One-time form tokens: a form sent twice (a double tap, a retry on a slow network, the
browser's "resend") acts once.

Every state-changing form of the instant group (warnings, rescue requests, dispatch) carries a
hidden ``client_token``, new each time the form is rendered (:func:`token_field` in a Django
form, ``{% form_token %}`` from ``formtoken`` in a template). The service stores it, unique, on
what it creates (the warning message, the rescue request, the rescue event) and, when the
token was already used, answers with that object instead of acting again — the view then
redirects to the same place as the first time. The report submit's ``client_token`` works the
same way. A token used by someone else is a conflict, never their object.

A form without a token (a page loaded before this existed) still works, without the guard.
"""

from __future__ import annotations

import re
import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from opencity.errors import ConflictError, ValidationError

FIELD = "client_token"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_token() -> str:
    return uuid.uuid4().hex


def token_field() -> forms.CharField:
    """The hidden field, with a fresh token each time an unbound form is rendered."""
    return forms.CharField(widget=forms.HiddenInput, required=False, max_length=64, initial=new_token)


def clean_token(value) -> str | None:
    """The token as stored, None when the form sent none; a malformed one is a 400."""
    token = str(value).strip() if value is not None else ""
    if not token:
        return None
    if not _TOKEN.fullmatch(token):
        raise ValidationError(_("The form is out of date. Reload the page and send again."),
                              field=FIELD, code="token_invalid")
    return token


def already_used() -> ConflictError:
    """A token someone else (or another object) used: never answer with their result."""
    return ConflictError(_("This form was already used. Reload the page and try again."),
                         code="token_reused")
