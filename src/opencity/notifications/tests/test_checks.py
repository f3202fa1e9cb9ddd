"""The start-up check that refuses the console SMS backend in production (``checks.py``)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

from django.conf import settings as django_settings

from opencity.notifications.checks import sms_backend_check

CONSOLE = "opencity.notifications.sms.ConsoleBackend"
GATEWAY = "opencity.notifications.sms.GatewayBackend"


def _ids(errors) -> list[str]:
    return [e.id for e in errors]


def test_the_console_backend_is_refused_while_debug_is_off(settings):
    settings.OPENCITY_SMS_BACKEND, settings.DEBUG, settings.OPENCITY_SMS_ALLOW_CONSOLE = CONSOLE, False, False
    assert _ids(sms_backend_check()) == ["notifications.E001"]


def test_the_console_backend_is_accepted_when_allowed_or_in_debug(settings):
    settings.OPENCITY_SMS_BACKEND, settings.DEBUG, settings.OPENCITY_SMS_ALLOW_CONSOLE = CONSOLE, False, True
    assert sms_backend_check() == []
    settings.DEBUG, settings.OPENCITY_SMS_ALLOW_CONSOLE = True, False
    assert sms_backend_check() == []


def test_a_gateway_needs_its_address_and_sender_name(settings):
    settings.OPENCITY_SMS_BACKEND, settings.DEBUG = GATEWAY, False
    settings.OPENCITY_SMS_GATEWAY_URL, settings.OPENCITY_SMS_SENDER = "", ""
    [error] = sms_backend_check()
    assert error.id == "notifications.E002"
    assert "OPENCITY_SMS_GATEWAY_URL and OPENCITY_SMS_SENDER" in error.msg
    settings.OPENCITY_SMS_GATEWAY_URL, settings.OPENCITY_SMS_SENDER = "https://sms.example.vn/send", "TP.HUE"
    assert sms_backend_check() == []


def test_a_backend_that_cannot_be_imported_is_refused(settings):
    settings.OPENCITY_SMS_BACKEND = "opencity.notifications.sms.NoSuchBackend"
    assert _ids(sms_backend_check()) == ["notifications.E003"]


def _manage(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """``manage.py`` in a fresh process with only these OPENCITY_* settings, as production
    starts it."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OPENCITY_", "DJANGO_"))}
    clean.update(OPENCITY_VAR_DIR=str(tmp_path), OPENCITY_SECRET_KEY=secrets.token_urlsafe(48), **env)
    return subprocess.run([sys.executable, str(django_settings.BASE_DIR / "manage.py"), *args],
                          env=clean, capture_output=True, text=True, timeout=120)


def test_a_deploy_check_with_the_default_console_backend_is_refused_unless_allowed(tmp_path):
    refused = _manage(tmp_path, "check", "--deploy")
    assert refused.returncode != 0 and "notifications.E001" in refused.stderr
    assert "OPENCITY_SMS_ALLOW_CONSOLE" in refused.stderr  # the hint says how
    allowed = _manage(tmp_path, "check", "--deploy", OPENCITY_SMS_ALLOW_CONSOLE="True")
    assert allowed.returncode == 0, allowed.stderr
    gateway = _manage(tmp_path, "check", "--deploy", OPENCITY_SMS_BACKEND=GATEWAY,
                      OPENCITY_SMS_GATEWAY_URL="https://sms.example.vn/send", OPENCITY_SMS_SENDER="TP.HUE")
    assert gateway.returncode == 0, gateway.stderr


def test_a_developers_commands_are_not_stopped_by_it(tmp_path):
    """``makemigrations``/``migrate`` start nothing that sends a message: they run with the
    defaults (the web process refuses instead: ``tests/test_startup.py``)."""
    result = _manage(tmp_path, "makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr


def test_the_worker_refuses_to_start_with_the_console_backend_and_starts_when_allowed(settings, monkeypatch):
    """``manage.py run_huey`` is this app's: a host running only workers (the SMS channel's
    senders) would otherwise print every code to its log."""
    import pytest
    from django.core.management import CommandError, call_command
    from huey.contrib.djhuey.management.commands.run_huey import Command as HueyCommand

    started = []
    monkeypatch.setattr(HueyCommand, "handle", lambda self, *args, **options: started.append(True))
    settings.OPENCITY_SMS_BACKEND, settings.DEBUG, settings.OPENCITY_SMS_ALLOW_CONSOLE = CONSOLE, False, False
    with pytest.raises(CommandError, match="notifications.E001"):
        call_command("run_huey")
    assert started == []
    settings.OPENCITY_SMS_ALLOW_CONSOLE = True
    call_command("run_huey")
    assert started == [True]
