"""The hotline's cast: a second hotline operator, a caller with an account, helpers to log calls
and to send signed events from the telephone exchange, and English messages."""

from __future__ import annotations

import datetime as dt
import json
import time
from zoneinfo import ZoneInfo

import pytest

from opencity.accounts.models import Role, User
from opencity.conftest import PASSWORD
from opencity.hotline import services
from opencity.hotline.exchange import sign

SECRET = "test-exchange-secret-0123456789"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
URL = "/hotline/exchange/events"


@pytest.fixture
def hotline2(db) -> User:
    return User.objects.create_user("0905000014", PASSWORD, full_name="Đặng Tổng Đài Hai", role=Role.HOTLINE)


@pytest.fixture
def caller(db) -> User:
    return User.objects.create_user("0905123456", PASSWORD, full_name="Trần Thị Gọi", role=Role.CITIZEN)


@pytest.fixture
def log_call(hotline):
    def make(**kwargs):
        params = {"actor": hotline, "direction": "inbound", "phone": "0905 123 456",
                  "started_at": dt.datetime.now(VN) - dt.timedelta(minutes=10), "duration_seconds": 125,
                  "topic": "field_report", "outcome": "resolved", "note": "Hỏi về đèn đường"}
        params.update(kwargs)
        return services.call_log(**params)

    return make


@pytest.fixture
def secret(settings):
    settings.OPENCITY_HOTLINE_WEBHOOK_SECRET = SECRET
    return SECRET


def event(kind: str, call_id: str = "pbx-1001", *, at: dt.datetime | None = None, **extra) -> dict:
    payload = {"event": f"call.{kind}", "call_id": call_id, "from": "0905123456", "to": "19001075",
               "at": (at or dt.datetime.now(VN)).isoformat()}
    payload.update(extra)
    return payload


@pytest.fixture
def send(client, secret):
    """POST one event (a dict, or raw bytes) signed like the exchange; returns the response."""
    def post(payload, *, ts: int | None = None, key: str | None = None, signature: str | None = None,
             headers: dict | None = None):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        ts = int(time.time()) if ts is None else ts
        h = {"HTTP_X_OPENCITY_TIMESTAMP": str(ts),
             "HTTP_X_OPENCITY_SIGNATURE": signature or sign(key or secret, ts, body)}
        if headers is not None:
            h = headers
        return client.generic("POST", URL, body, content_type="application/json", **h)

    return post


@pytest.fixture(autouse=True)
def _english(client):
    from django.utils import translation

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield
