"""Fetch-or-refuse for the dossier pages: 403 for people who may not see the figures at all, 404
for a dossier outside what the policy lets this person see."""

from __future__ import annotations

from django.utils.translation import gettext as _

from opencity import policy
from opencity.errors import NotFoundError, PermissionDeniedError

from .models import Dossier


def require_figures(user) -> None:
    if not policy.can_view_dossier_figures(user):
        raise PermissionDeniedError()


def require_import(user) -> None:
    if not policy.can_import_dossiers(user):
        raise PermissionDeniedError()


def access_dossier(user, code: str) -> Dossier:
    require_figures(user)
    dossier = (Dossier.objects.filter(policy.dossier_scope_q(user), code=code).select_related("unit", "area")
               .first())
    if dossier is None:
        raise NotFoundError(_("This dossier does not exist."))
    return dossier
