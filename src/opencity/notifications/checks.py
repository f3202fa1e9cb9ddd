"""Start-up checks of the outbound channels: run by the web process before it serves
(``opencity/startup.py``, called from ``wsgi.py``/``asgi.py``, so ``runserver`` too) and by
``manage.py check --deploy``; not by the developer's commands (``makemigrations``, ``migrate``,
``shell``), which start nothing that sends a message.

The console SMS backend prints one-time codes instead of sending them. As a silent production
default it let anyone reading the worker's log sign up with any number (issue #15), so a start
with it and ``DEBUG`` off is refused unless ``OPENCITY_SMS_ALLOW_CONSOLE=True`` says it is meant
(the demo: ``make run``). A gateway backend without its address or sender name is refused too:
it would fail on the first code, long after the start.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register
from django.utils.module_loading import import_string


@register(deploy=True)
def sms_backend_check(app_configs=None, **kwargs) -> list[Error]:
    from .sms import ConsoleBackend, GatewayBackend

    try:
        backend = import_string(settings.OPENCITY_SMS_BACKEND)
    except ImportError as exc:
        return [Error(f"OPENCITY_SMS_BACKEND cannot be imported: {exc}", id="notifications.E003")]
    errors = []
    if (isinstance(backend, type) and issubclass(backend, ConsoleBackend) and not settings.DEBUG
            and not settings.OPENCITY_SMS_ALLOW_CONSOLE):
        errors.append(Error(
            "The console SMS backend prints one-time codes instead of sending them.",
            hint="Configure an SMS gateway (OPENCITY_SMS_BACKEND=opencity.notifications.sms.GatewayBackend, "
                 "OPENCITY_SMS_GATEWAY_URL, OPENCITY_SMS_SENDER; docs/configuration.md), or set "
                 "OPENCITY_SMS_ALLOW_CONSOLE=True where printing them is meant (a demo).",
            id="notifications.E001",
        ))
    if isinstance(backend, type) and issubclass(backend, GatewayBackend):
        missing = [name for name in ("OPENCITY_SMS_GATEWAY_URL", "OPENCITY_SMS_SENDER")
                   if not getattr(settings, name)]
        if missing:
            errors.append(Error(f"The SMS gateway backend needs {' and '.join(missing)}.",
                                id="notifications.E002"))
    return errors
