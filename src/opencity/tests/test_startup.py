"""A web process refuses to start on a configuration the system checks call an error (the
WSGI/ASGI server never runs them by itself)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from opencity.startup import refuse_unsafe_start


def test_a_production_start_with_the_console_sms_backend_is_refused(settings):
    settings.DEBUG = False
    settings.OPENCITY_SMS_BACKEND = "opencity.notifications.sms.ConsoleBackend"
    settings.OPENCITY_SMS_ALLOW_CONSOLE = False
    with pytest.raises(ImproperlyConfigured, match="notifications.E001"):
        refuse_unsafe_start()


def test_a_start_that_says_the_console_backend_is_meant_goes_on(settings):
    settings.DEBUG = False
    settings.OPENCITY_SMS_BACKEND = "opencity.notifications.sms.ConsoleBackend"
    settings.OPENCITY_SMS_ALLOW_CONSOLE = True
    refuse_unsafe_start()
