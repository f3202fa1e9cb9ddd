"""The production push backend (pywebpush + VAPID) against a local HTTP receiver standing in
for the browser vendor's push service: it checks the VAPID header and decrypts the payload
with the subscriber's keys, as the browser would."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import http_ece
import pytest
from django.core.management import call_command

from opencity.alerts import delivery
from opencity.alerts.models import Delivery, PushSubscription
from opencity.alerts.push import WebPushBackend, send_push_to_user
from opencity.alerts.vapid import new_vapid_keys

from .factories import browser_keys

pytestmark = pytest.mark.django_db


class Receiver(BaseHTTPRequestHandler):
    status = 201
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 — http.server's naming
        length = int(self.headers.get("Content-Length", 0))
        Receiver.received.append({"path": self.path, "headers": dict(self.headers), "body": self.rfile.read(length)})
        self.send_response(Receiver.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def push_service():
    Receiver.received = []
    Receiver.status = 201
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def vapid(settings):
    public, private = new_vapid_keys()
    settings.OPENCITY_PUSH_BACKEND = "opencity.alerts.push.WebPushBackend"
    settings.OPENCITY_VAPID_PUBLIC_KEY = public
    settings.OPENCITY_VAPID_PRIVATE_KEY = private
    settings.OPENCITY_VAPID_SUBJECT = "mailto:ioc@hue.gov.vn"
    return public


def test_a_warning_is_pushed_encrypted_and_signed(publish, resident_thuan_an, push_service, vapid):
    private, p256dh, auth_secret, auth = browser_keys()
    PushSubscription.objects.create(user=resident_thuan_an, endpoint=f"{push_service}/push/device-1",
                                    p256dh=p256dh, auth=auth)
    message = publish(severity="Extreme")
    delivery.message_deliver(message_id=message.pk)

    [request] = Receiver.received
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert request["path"] == "/push/device-1"
    assert headers["content-encoding"] == "aes128gcm" and int(headers["ttl"]) > 0
    assert headers["authorization"].startswith("vapid t=") and f"k={vapid}" in headers["authorization"]
    claims = json.loads(base64.urlsafe_b64decode(headers["authorization"].split("t=")[1].split(".")[1] + "=="))
    assert claims["aud"] == push_service and claims["sub"] == "mailto:ioc@hue.gov.vn"
    payload = json.loads(http_ece.decrypt(request["body"], private_key=private, auth_secret=auth_secret,
                                          version="aes128gcm"))
    assert payload["url"] == f"/warnings/{message.alert_id}/" and payload["severity"] == "Extreme"
    assert payload["title"].endswith("Cảnh báo lũ trên sông Hương")
    assert Delivery.objects.get(user=resident_thuan_an).pushed_at is not None


def test_one_persons_devices_get_a_generic_push(resident_thuan_an, push_service, vapid):
    """``send_push_to_user`` (a rescue request's steps) goes through the same signed, encrypted path."""
    private, p256dh, auth_secret, auth = browser_keys()
    PushSubscription.objects.create(user=resident_thuan_an, endpoint=f"{push_service}/push/phone",
                                    p256dh=p256dh, auth=auth)
    sent = send_push_to_user(resident_thuan_an, title="Đội cứu hộ đang trên đường đến.", body="Đội Phú Vang",
                             url="/sos/7/", tag="sos-7")
    assert sent == 1
    [request] = Receiver.received
    payload = json.loads(http_ece.decrypt(request["body"], private_key=private, auth_secret=auth_secret,
                                          version="aes128gcm"))
    assert payload == {"title": "Đội cứu hộ đang trên đường đến.", "body": "Đội Phú Vang", "url": "/sos/7/",
                       "tag": "sos-7", "renotify": True, "lang": "vi"}
    assert PushSubscription.objects.get(user=resident_thuan_an).last_success_at is not None


def test_a_subscription_the_push_service_forgot_is_removed(publish, resident_thuan_an, push_service, vapid):
    _private, p256dh, _secret, auth = browser_keys()
    sub = PushSubscription.objects.create(user=resident_thuan_an, endpoint=f"{push_service}/push/old",
                                          p256dh=p256dh, auth=auth)
    Receiver.status = 410
    assert WebPushBackend().send(sub, {"title": "x"}) == "gone"
    Receiver.status = 500
    assert WebPushBackend().send(sub, {"title": "x"}) == "failed"


def test_an_unreachable_push_service_is_a_failure_not_a_crash(resident_thuan_an, vapid):
    _private, p256dh, _secret, auth = browser_keys()
    sub = PushSubscription(user=resident_thuan_an, endpoint="http://127.0.0.1:9/push/none", p256dh=p256dh, auth=auth)
    assert WebPushBackend().send(sub, {"title": "x"}) == "failed"


def test_vapid_keys_command_prints_a_usable_pair(capsys):
    call_command("vapid_keys")
    out = capsys.readouterr().out
    assert "OPENCITY_VAPID_PUBLIC_KEY=" in out and "OPENCITY_VAPID_PRIVATE_KEY=" in out
