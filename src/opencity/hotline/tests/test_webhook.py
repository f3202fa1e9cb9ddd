"""POST /hotline/exchange/events: signed, fresh, valid JSON, applied once; never a 500."""

from __future__ import annotations

import json
import time

import pytest

from opencity.hotline.exchange import sign
from opencity.hotline.models import Call, CallState

from .conftest import SECRET, URL, event

pytestmark = pytest.mark.django_db


def test_a_signed_event_opens_the_call(send):
    r = send(event("started"))
    assert r.status_code == 200, r.content
    body = r.json()
    call = Call.objects.get()
    assert body["ok"] and body["call"] == call.pk and body["state"] == "ringing" and not body["duplicate"]
    assert call.external_id == "pbx-1001" and call.phone == "+84905123456"
    assert body["url"].endswith(f"/hotline/calls/{call.pk}/")


def test_a_replay_within_the_window_is_acknowledged_and_changes_nothing(send):
    payload = event("started")
    ts = int(time.time())
    first, second = send(payload, ts=ts), send(payload, ts=ts)
    assert first.status_code == second.status_code == 200
    assert second.json()["duplicate"] is True and Call.objects.count() == 1


def test_the_whole_call_in_any_order(send):
    for kind in ("ended", "started", "answered"):
        assert send(event(kind)).status_code == 200
    assert Call.objects.get().state == CallState.ENDED


def test_a_wrong_signature_is_403(send):
    r = send(event("started"), key="not-the-secret")
    assert r.status_code == 403 and r.json()["error"] == "signature_invalid"
    assert not Call.objects.exists()


def test_a_changed_body_is_403(send, client):
    ts = int(time.time())
    good = json.dumps(event("started")).encode()
    tampered = json.dumps(event("started", **{"from": "0905999999"})).encode()
    r = client.generic("POST", URL, tampered, content_type="application/json",
                       HTTP_X_OPENCITY_TIMESTAMP=str(ts), HTTP_X_OPENCITY_SIGNATURE=sign(SECRET, ts, good))
    assert r.status_code == 403 and not Call.objects.exists()


def test_a_changed_timestamp_is_403(send, client):
    ts = int(time.time())
    body = json.dumps(event("started")).encode()
    r = client.generic("POST", URL, body, content_type="application/json",
                       HTTP_X_OPENCITY_TIMESTAMP=str(ts + 1), HTTP_X_OPENCITY_SIGNATURE=sign(SECRET, ts, body))
    assert r.status_code == 403


def test_a_stale_request_is_refused_even_with_a_good_signature(send):
    r = send(event("started"), ts=int(time.time()) - 301)
    assert r.status_code == 403 and r.json()["error"] == "timestamp_stale" and not Call.objects.exists()
    assert send(event("started"), ts=int(time.time()) + 400).status_code == 403  # a clock far ahead too


@pytest.mark.parametrize("headers", [
    {}, {"HTTP_X_OPENCITY_SIGNATURE": "sha256=00"}, {"HTTP_X_OPENCITY_TIMESTAMP": "1700000000"},
])
def test_missing_signature_headers_are_401(send, headers):
    r = send(event("started"), headers=headers)
    assert r.status_code == 401 and r.json()["error"] == "signature_missing"


def test_a_timestamp_that_is_not_seconds_is_401(send):
    r = send(event("started"), headers={"HTTP_X_OPENCITY_TIMESTAMP": "2025-10-27T08:00",
                                        "HTTP_X_OPENCITY_SIGNATURE": "sha256=00"})
    assert r.status_code == 401 and r.json()["error"] == "timestamp_invalid"


def test_without_a_secret_the_webhook_refuses_everything_with_503(client, settings):
    settings.OPENCITY_HOTLINE_WEBHOOK_SECRET = ""
    body = json.dumps(event("started")).encode()
    ts = int(time.time())
    r = client.generic("POST", URL, body, content_type="application/json",
                       HTTP_X_OPENCITY_TIMESTAMP=str(ts), HTTP_X_OPENCITY_SIGNATURE=sign("", ts, body))
    assert r.status_code == 503 and not Call.objects.exists()


@pytest.mark.parametrize("body, code", [
    (b"{not json", "json_invalid"), (b"\xff\xfe", "json_invalid"), (b"[1, 2]", "body_invalid"),
    (b"", "json_invalid"), (b'"call.started"', "body_invalid"), (b"[" * 8000 + b"]" * 8000, "json_invalid"),
    (b'{"event": NaN}', "event_invalid"),
])
def test_bad_json_is_a_clear_400(send, body, code):
    r = send(body)
    assert r.status_code == 400 and r.json()["error"] == code and r.json()["message"]


@pytest.mark.parametrize("change, field", [
    ({"event": "call.held"}, "event"), ({"call_id": None}, "call_id"), ({"at": "27/10/2025"}, "at"),
    ({"from": "hello"}, "from"), ({"to": ["x"]}, "to"), ({"at": 1730000000}, "at"), ({"direction": 1}, "direction"),
])
def test_bad_fields_are_a_400_naming_the_field(send, change, field):
    r = send({**event("started"), **change})
    assert r.status_code == 400 and r.json()["field"] == field, r.content
    assert not Call.objects.exists()


def test_a_missing_from_is_a_400(send):
    payload = event("started")
    del payload["from"]
    r = send(payload)
    assert r.status_code == 400 and r.json()["field"] == "from"


def test_a_body_too_large_is_413(send):
    r = send({**event("started"), "padding": "x" * 20000})
    assert r.status_code == 413


@pytest.mark.parametrize("length", ["abc", "1e3", "²"])
def test_a_content_length_that_is_not_a_number_is_400(send, length):
    r = send(event("started"), headers={"CONTENT_LENGTH": length})  # Django's request.body raised (a 500)
    assert r.status_code == 400 and r.json()["error"] == "bad_request"


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_other_methods_are_405(client, method):
    r = getattr(client, method)(URL)
    assert r.status_code == 405 and r["Allow"] == "POST"


def test_it_needs_no_csrf_token_but_only_here(secret, hotline):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    body = json.dumps(event("started")).encode()
    ts = int(time.time())
    r = strict.generic("POST", URL, body, content_type="application/json",
                       HTTP_X_OPENCITY_TIMESTAMP=str(ts), HTTP_X_OPENCITY_SIGNATURE=sign(SECRET, ts, body))
    assert r.status_code == 200
    strict.force_login(hotline)
    assert strict.post("/hotline/presence/", {"available": "1"}).status_code == 403  # CSRF still on
