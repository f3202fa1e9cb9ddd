"""The sign-up page (issue #14, citizens 8): "send the code again" with a countdown from the
limits, and the phone number shown as people write it (0905 123 456), stored in E.164."""

from __future__ import annotations

import datetime as dt
import re
import time
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from opencity.accounts import throttle
from opencity.accounts.models import PhoneCode, User
from opencity.conftest import PASSWORD
from opencity.notifications.sms import ConsoleBackend

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def steady_clock(monkeypatch):
    """The limits count in fixed windows of their clock: pin it just after a day's start (where
    every window starts), so a test that counts hits cannot straddle two windows."""
    moment = (time.time() // 86400) * 86400 + 1
    monkeypatch.setattr(throttle, "time", SimpleNamespace(time=lambda: moment))

SIGNUP, RESET = "/accounts/signup/", "/accounts/password/reset/"


@pytest.fixture
def sms():
    ConsoleBackend.outbox.clear()
    yield ConsoleBackend.outbox
    ConsoleBackend.outbox.clear()


@pytest.fixture
def post(sms, django_capture_on_commit_callbacks):
    def run(client, url, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return run


def sent_to(response) -> str:
    return re.search(r'data-testid="code-sent-to">(.*?)</p>', response.content.decode()).group(1)


def wait_of(response) -> int:
    return int(re.search(r'data-wait="(\d+)"', response.content.decode()).group(1))


def age_codes() -> None:
    PhoneCode.objects.update(created_at=timezone.now() - dt.timedelta(minutes=2))


def test_the_code_step_shows_the_phone_as_people_write_it(post):
    page = post(Client(), SIGNUP, {"step": "phone", "phone": "+84 912 345 678"})
    assert page.status_code == 200
    assert "0912 345 678" in sent_to(page) and "+84" not in sent_to(page)


def test_resend_sends_a_new_code_and_keeps_what_was_typed(post, sms):
    client = Client()
    post(client, SIGNUP, {"step": "phone", "phone": "0912345678"})
    too_soon = post(client, SIGNUP, {"step": "resend", "phone": "+84912345678", "full_name": "Lê Thị Mai"})
    assert too_soon.status_code == 400 and 'data-testid="code-error"' in too_soon.content.decode()
    assert 'value="Lê Thị Mai"' in too_soon.content.decode() and len(sms) == 1
    assert 0 < wait_of(too_soon) <= 60
    age_codes()
    again = post(client, SIGNUP, {"step": "resend", "phone": "+84912345678", "full_name": "Lê Thị Mai"})
    assert again.status_code == 200 and len(sms) == 2 and wait_of(again) == 60
    second = re.search(r"\d{6}", sms[-1].body).group(0)
    done = client.post(SIGNUP, {"step": "details", "phone": "+84912345678", "code": second,
                                "full_name": "Lê Thị Mai", "password": PASSWORD})
    assert done.status_code == 302
    assert User.objects.get(phone="+84912345678").full_name == "Lê Thị Mai"  # stored E.164


def test_the_countdown_follows_the_limits_retry_after(post, sms):
    client = Client()
    for _ in range(3):
        age_codes()
        post(client, SIGNUP, {"step": "resend" if _ else "phone", "phone": "+84912345678"})
    assert len(sms) == 3
    age_codes()
    refused = post(client, SIGNUP, {"step": "resend", "phone": "+84912345678"})
    assert refused.status_code == 429
    retry = int(refused["Retry-After"])
    assert retry > 60 and wait_of(refused) == retry  # the button waits as long as the limit


def test_the_reset_page_has_the_same_resend(citizen, post, sms):
    client = Client()
    post(client, RESET, {"step": "phone", "phone": citizen.phone})
    age_codes()
    again = post(client, RESET, {"step": "resend", "phone": citizen.phone})
    assert again.status_code == 200 and len(sms) == 2
    assert "0905 000 001" in sent_to(again)


def test_a_resend_for_a_bad_number_is_a_clear_400(client):
    response = client.post(SIGNUP, {"step": "resend", "phone": "abc"})
    assert response.status_code == 400 and 'data-testid="code-error"' in response.content.decode()
