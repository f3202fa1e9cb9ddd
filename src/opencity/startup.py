"""What a web process checks before it serves: the system checks (which a WSGI/ASGI server,
granian, never runs by itself) and the start-up checks of the outbound channels — the console
SMS backend in production (``notifications.E001``: one-time codes printed instead of sent) is
refused here, not in every developer's ``manage.py`` command."""

from __future__ import annotations

from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def refuse_unsafe_start() -> None:
    """Raise ImproperlyConfigured, naming each problem, when a system check finds an error."""
    from opencity.notifications.checks import sms_backend_check

    serious = [e for e in [*checks.run_checks(), *sms_backend_check()] if e.is_serious()]
    if serious:
        raise ImproperlyConfigured("OpenCity refuses to start:\n" + "\n".join(
            f"- {e.id}: {e.msg}" + (f" ({e.hint})" if e.hint else "") for e in serious))
