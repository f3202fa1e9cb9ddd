"""Following a dossier: a signed-in person who proved they may see it (its code and the last four
digits of the applicant's phone, ``selectors.dossier_lookup``) is told of each status change
through ``opencity.notifications``."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opencity.errors import PermissionDeniedError
from opencity.notifications.services import Notice, Subject, notify_many

from ..models import Dossier, Follow
from ..statuses import Status


@transaction.atomic
def dossier_follow(*, user, dossier: Dossier) -> Follow:
    """Follow ``dossier`` (already proved by the lookup); following twice is one follow."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDeniedError(_("Sign in to follow a dossier."))
    follow, _created = Follow.objects.get_or_create(user=user, dossier=dossier)
    return follow


@transaction.atomic
def dossier_unfollow(*, user, dossier: Dossier) -> None:
    Follow.objects.filter(user=user, dossier=dossier).delete()


def tell_followers(dossier: Dossier, *, old_status: str) -> int:
    """One inbox notice per follower for the dossier's new status (in the import's transaction)."""
    users = [f.user for f in Follow.objects.filter(dossier=dossier).select_related("user")]
    if not users:
        return 0
    title = _("Dossier %(code)s: %(status)s") % {"code": dossier.code, "status": Status(dossier.status).label}
    body = _("%(procedure)s — was “%(old)s”, now “%(new)s”.") % {
        "procedure": dossier.procedure_name, "old": Status(old_status).label if old_status else "—",
        "new": Status(dossier.status).label}
    url = reverse("dossiers_public:followed", args=[dossier.code])
    return notify_many([Notice(users=users, verb="dossier_status", title=title, body=body, url=url,
                               subject=Subject("dossier", dossier.pk, dossier.code))])
