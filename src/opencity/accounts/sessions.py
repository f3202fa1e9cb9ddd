"""The browsers signed in to an account (issue 18, "sessions list and sign-out everywhere").

``django-user-sessions`` would do this, but it declares Django 3.2 and 4.0 only and replaces
the session backend; a small table beside Django's own sessions does what the security page
needs (docs/security.md#sessions):

- :func:`browser_session_started` at every sign-in (the ``user_logged_in`` signal), and
  :func:`browser_session_seen` at most once a minute per session (the middleware);
- :func:`browser_session_end` signs out one of the person's other browsers;
  :func:`browser_sessions_end_others` every other one, and revokes every API token;
- a password change, reset or an administrator's new password ends them all but the current
  one (:func:`browser_sessions_end_all`, from ``services._password_set``).

Ending a session deletes it from Django's session store (whatever ``SESSION_ENGINE``), so the
browser is signed out on its next request; our row goes with it.
"""

from __future__ import annotations

import datetime as dt
import re
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opencity.errors import NotFoundError
from opencity.lib.audit import audit
from opencity.lib.credentials import credentials_revoke

from .models import ApiToken, BrowserSession, User

SEEN_EVERY = dt.timedelta(minutes=1)


def _store(session_key: str):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)


def browser_session_started(*, user: User, session_key: str, user_agent: str = "") -> BrowserSession:
    now = timezone.now()
    row, _created = BrowserSession.objects.update_or_create(
        session_key=session_key,
        defaults={"user": user, "user_agent": (user_agent or "")[:300], "created_at": now, "last_seen_at": now})
    return row


def browser_session_seen(*, user: User, session_key: str, user_agent: str = "") -> None:
    """The session was used now. A session without a row (signed in before this existed, or
    whose key changed with a password change) gets one."""
    now = timezone.now()
    updated = BrowserSession.objects.filter(session_key=session_key, user=user).update(
        last_seen_at=now, user_agent=(user_agent or "")[:300])
    if not updated:
        BrowserSession.objects.filter(session_key=session_key).delete()  # another person's, ended
        BrowserSession.objects.create(session_key=session_key, user=user, user_agent=(user_agent or "")[:300],
                                      created_at=now, last_seen_at=now)


def browser_session_moved(*, old_key: str | None, new_key: str | None) -> None:
    """The session's key changed (Django changes it after a password change): the row follows."""
    if old_key and new_key and old_key != new_key:
        BrowserSession.objects.filter(session_key=old_key).update(session_key=new_key)


def browser_session_ended(*, session_key: str | None) -> None:
    """Signed out in this browser (the ``user_logged_out`` signal)."""
    if session_key:
        BrowserSession.objects.filter(session_key=session_key).delete()


def browser_session_list(*, user: User) -> list[BrowserSession]:
    """The person's own browsers, most recently used first."""
    return list(BrowserSession.objects.filter(user=user).order_by("-last_seen_at"))


def _end(rows) -> int:
    keys = [r.session_key for r in rows]
    for key in keys:
        _store(key).delete()
    BrowserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


def browser_session_end(*, user: User, session_id: int, current_key: str | None) -> None:
    """Sign out one of the person's browsers. Another person's, or one that is gone: 404 (not
    403: whether a session id exists is nobody else's business). This browser: use sign-out."""
    with transaction.atomic():
        row = BrowserSession.objects.filter(pk=session_id, user=user).first()
        if row is None:
            raise NotFoundError(_("This session has already ended."))
        if row.session_key == current_key:
            raise NotFoundError(_("This is the browser you are using: sign out with the menu."))
        _end([row])
        audit(user, "session_end", user, data={"session": row.pk})


def browser_sessions_end_others(*, user: User, current_key: str | None) -> tuple[int, int]:
    """Sign out every other browser of the person and revoke every API token (apps signed in):
    "sign out everywhere". Returns (sessions ended, tokens revoked)."""
    with transaction.atomic():
        ended = _end(BrowserSession.objects.filter(user=user).exclude(session_key=current_key or ""))
        revoked = credentials_revoke(ApiToken.objects.filter(user=user), actor=user, reason="signout_everywhere")
        audit(user, "signout_everywhere", user, data={"sessions": ended, "tokens_revoked": revoked})
    return ended, revoked


def browser_sessions_end_all(*, user: User, keep_key: str | None = None) -> int:
    """Every session of the person but ``keep_key`` ends (a new password). Django would refuse
    them on their next request anyway (the password hash in them no longer matches); this also
    takes them off the list at once and out of the session store."""
    return _end(BrowserSession.objects.filter(user=user).exclude(session_key=keep_key or ""))


# --- the browser in plain words --------------------------------------------------------------

_BROWSERS = [  # the first that matches wins: in-app and rebranded browsers before their engine
    ("Zalo", r"Zalo"), ("Cốc Cốc", r"coc_coc_browser"), ("Samsung Internet", r"SamsungBrowser"),
    ("Edge", r"Edg(e|A|iOS)?/"), ("Opera", r"OPR/|Opera"), ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/"), ("Safari", r"Safari/"),
]
_SYSTEMS = [
    ("Android", r"Android"), ("iPhone", r"iPhone"), ("iPad", r"iPad"), ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"), ("ChromeOS", r"CrOS"), ("Linux", r"Linux"),
]


def describe_user_agent(user_agent: str) -> str:
    """"Chrome on Android", "Safari on iPhone"; "Unknown browser" when nothing is recognised."""
    ua = user_agent or ""
    browser = next((name for name, pattern in _BROWSERS if re.search(pattern, ua)), None)
    system = next((name for name, pattern in _SYSTEMS if re.search(pattern, ua)), None)
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or _("Unknown browser")


def active_words(when: dt.datetime, now: dt.datetime | None = None) -> str:
    """When a session was last used, roughly: "just now", "5 minutes ago", "3 hours ago",
    "2 days ago" (it is written at most once a minute)."""
    seconds = max(0, int(((now or timezone.now()) - when).total_seconds()))
    if seconds < 120:
        return _("active just now")
    if seconds < 3600:
        n = seconds // 60
        return ngettext("active %(n)d minute ago", "active %(n)d minutes ago", n) % {"n": n}
    if seconds < 86400:
        n = seconds // 3600
        return ngettext("active %(n)d hour ago", "active %(n)d hours ago", n) % {"n": n}
    n = seconds // 86400
    return ngettext("active %(n)d day ago", "active %(n)d days ago", n) % {"n": n}
