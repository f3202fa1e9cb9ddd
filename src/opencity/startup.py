"""What a web process checks before it serves: the system checks that ``manage.py migrate``,
``runserver`` and the worker run, which a WSGI/ASGI server (granian) never runs by itself.

Without this, a web process would start with, say, the console SMS backend in production
(``notifications.E001``: one-time codes printed instead of sent) as long as nobody ran a
management command on that machine."""

from __future__ import annotations

from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def refuse_unsafe_start() -> None:
    """Raise ImproperlyConfigured, naming each problem, when a system check finds an error."""
    serious = [e for e in checks.run_checks() if e.is_serious()]
    if serious:
        raise ImproperlyConfigured("OpenCity refuses to start:\n" + "\n".join(
            f"- {e.id}: {e.msg}" + (f" ({e.hint})" if e.hint else "") for e in serious))
