"""The browsers signed in to an account, and signing out one or everywhere else (issue 18,
accounts/sessions.py): only one's own, POST only, API tokens revoked by "everywhere"; a new
password ends the other browsers at once."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from opencity.accounts import services, throttle
from opencity.accounts.models import ApiToken, BrowserSession
from opencity.accounts.sessions import describe_user_agent
from opencity.conftest import PASSWORD
from opencity.lib.models import AuditLog
from opencity.notifications.sms import ConsoleBackend

pytestmark = pytest.mark.django_db
SECURITY = "/accounts/security/"
PHONE_UA = "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"
LAPTOP_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"


def browser(user, user_agent: str) -> Client:
    client = Client(HTTP_USER_AGENT=user_agent)
    assert client.login(phone=user.phone, password=PASSWORD)
    client.get("/")  # its first page: the browser's name is noted (the test sign-in has none)
    return client


def row_of(client: Client) -> BrowserSession:
    return BrowserSession.objects.get(session_key=client.session.session_key)


def signed_in(client: Client) -> bool:
    return client.get(SECURITY).status_code == 200


def test_each_sign_in_is_listed_with_its_browser_and_this_one_marked(citizen):
    phone, laptop = browser(citizen, PHONE_UA), browser(citizen, LAPTOP_UA)
    page = phone.get(SECURITY)
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-testid="session-row"') == 2 and html.count('data-testid="session-current"') == 1
    current = re.search(r'session-current".*?</li>', html, re.S)
    assert "Chrome trên Android" in html[:current.end()] and "Firefox trên Windows" in html
    assert row_of(laptop).user == citizen


def test_a_citizen_signs_out_another_of_their_browsers(citizen):
    phone, laptop = browser(citizen, PHONE_UA), browser(citizen, LAPTOP_UA)
    target = row_of(laptop)
    response = phone.post(f"/accounts/security/sessions/{target.pk}/end/")
    assert response.status_code == 302 and response["Location"].endswith("#sessions")
    assert not BrowserSession.objects.filter(pk=target.pk).exists()
    assert not Session.objects.filter(session_key=target.session_key).exists()
    assert not signed_in(laptop) and signed_in(phone)
    assert AuditLog.objects.filter(action="session_end").count() == 1


def test_nobody_ends_another_persons_session(citizen, citizen2):
    mine, theirs = browser(citizen, PHONE_UA), browser(citizen2, LAPTOP_UA)
    response = mine.post(f"/accounts/security/sessions/{row_of(theirs).pk}/end/")
    assert response.status_code == 404
    assert signed_in(theirs)


def test_this_browser_is_not_ended_from_the_list(citizen):
    phone = browser(citizen, PHONE_UA)
    assert phone.post(f"/accounts/security/sessions/{row_of(phone).pk}/end/").status_code == 404
    assert signed_in(phone)


def test_it_rejects_get(citizen):
    phone, laptop = browser(citizen, PHONE_UA), browser(citizen, LAPTOP_UA)
    assert phone.get(f"/accounts/security/sessions/{row_of(laptop).pk}/end/").status_code == 405
    assert phone.get("/accounts/security/sessions/end-others/").status_code == 405
    assert signed_in(laptop)


def test_visitors_are_sent_to_sign_in(citizen):
    laptop = browser(citizen, LAPTOP_UA)
    response = Client().post(f"/accounts/security/sessions/{row_of(laptop).pk}/end/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Client().post("/accounts/security/sessions/end-others/").status_code == 302
    assert signed_in(laptop)


def test_sign_out_everywhere_else_ends_the_other_browsers_and_every_api_token(citizen, citizen2):
    phone, laptop, tablet = browser(citizen, PHONE_UA), browser(citizen, LAPTOP_UA), browser(citizen, LAPTOP_UA)
    other_person = browser(citizen2, PHONE_UA)
    services.api_token_issue(user=citizen, name="app")
    services.api_token_issue(user=citizen2, name="app")
    response = phone.post("/accounts/security/sessions/end-others/")
    assert response.status_code == 302
    assert not signed_in(laptop) and not signed_in(tablet) and signed_in(phone) and signed_in(other_person)
    assert list(BrowserSession.objects.filter(user=citizen).values_list("session_key", flat=True)) == [
        phone.session.session_key]
    assert not ApiToken.objects.filter(user=citizen).filter(ApiToken.usable_q()).exists()
    assert ApiToken.objects.filter(user=citizen2).filter(ApiToken.usable_q()).count() == 1


def test_signing_out_removes_the_browser_from_the_list(citizen):
    phone = browser(citizen, PHONE_UA)
    key = phone.session.session_key
    phone.post("/accounts/logout/")
    assert not BrowserSession.objects.filter(session_key=key).exists()


def test_last_activity_is_written_at_most_once_a_minute(citizen, monkeypatch):
    from opencity.accounts import middleware

    phone = browser(citizen, PHONE_UA)
    clock = [time.time() + 120]
    monkeypatch.setattr(middleware, "time", SimpleNamespace(time=lambda: clock[0]))
    phone.get(SECURITY)
    first = row_of(phone).last_seen_at
    phone.get(SECURITY)
    assert row_of(phone).last_seen_at == first  # within the minute: not written again
    clock[0] += 61
    phone.get(SECURITY)
    assert row_of(phone).last_seen_at > first


def test_a_password_change_ends_the_other_browsers_at_once(citizen, monkeypatch, django_capture_on_commit_callbacks):
    moment = (time.time() // 86400) * 86400 + 1
    monkeypatch.setattr(throttle, "time", SimpleNamespace(time=lambda: moment))
    ConsoleBackend.outbox.clear()
    phone, laptop = browser(citizen, PHONE_UA), browser(citizen, LAPTOP_UA)
    other_key = laptop.session.session_key
    with django_capture_on_commit_callbacks(execute=True):
        phone.post(SECURITY, {"action": "password_code"})
    code = re.search(r"\b(\d{6})\b", ConsoleBackend.outbox[-1].body).group(1)
    response = phone.post(SECURITY, {"action": "password_change", "current_password": PASSWORD, "code": code,
                                     "password": "mat-khau-moi-2026", "password2": "mat-khau-moi-2026"})
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=other_key).exists()  # gone, not only refused later
    assert list(BrowserSession.objects.filter(user=citizen).values_list("session_key", flat=True)) == [
        phone.session.session_key]  # this browser stays listed, under its new key
    assert signed_in(phone) and not signed_in(laptop)


def test_a_password_reset_ends_every_browser(citizen):
    laptop = browser(citizen, LAPTOP_UA)
    from opencity.accounts.sessions import browser_sessions_end_all

    assert browser_sessions_end_all(user=citizen) == 1
    assert not signed_in(laptop) and not BrowserSession.objects.exists()


@pytest.mark.parametrize("ua, words", [
    (PHONE_UA, "Chrome on Android"), (LAPTOP_UA, "Firefox on Windows"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
     "Mobile/15E148 Safari/604.1", "Safari on iPhone"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) coc_coc_browser/120.0 "
     "Chrome/120.0 Safari/537.36", "Cốc Cốc on Windows"),
    ("curl/8.0", "Unknown browser"), ("", "Unknown browser"),
])
def test_the_browser_is_said_in_plain_words(ua, words):
    from django.utils import translation

    with translation.override("en"):
        assert describe_user_agent(ua) == words


def test_the_last_activity_is_said_roughly():
    import datetime as dt

    from django.utils import timezone, translation

    from opencity.accounts.sessions import active_words

    now = timezone.now()
    with translation.override("vi"):
        assert active_words(now - dt.timedelta(seconds=30), now) == "vừa hoạt động"
        assert active_words(now - dt.timedelta(minutes=5), now) == "hoạt động 5 phút trước"
        assert active_words(now - dt.timedelta(hours=3), now) == "hoạt động 3 giờ trước"
        assert active_words(now - dt.timedelta(days=2), now) == "hoạt động 2 ngày trước"
