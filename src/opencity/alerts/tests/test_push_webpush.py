"""The production push backend (pywebpush + VAPID) against a local HTTPS receiver standing in
for the browser vendor's push service: it checks the VAPID header and decrypts the payload
with the subscriber's keys, as the browser would. The receiver is trusted through a test CA and
allowed as a push host (``pushservice``); what is refused is in
``opencity/tests/test_security_mediapush.py``."""

from __future__ import annotations

import base64
import json

import http_ece
import pytest
from django.core.management import call_command

from opencity.alerts import delivery
from opencity.notifications import outbox
from opencity.notifications.models import PushSubscription
from opencity.notifications.push import WebPushBackend, send_push_to_user
from opencity.notifications.vapid import new_vapid_keys

from .factories import browser_keys
from .pushservice import PushService, make_certificates

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="session")
def push_tls(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("push-tls"))


@pytest.fixture
def push_service(push_tls, settings):
    ca, cert, key = push_tls
    settings.OPENCITY_PUSH_ALLOWED_HOSTS = ["localhost"]
    settings.OPENCITY_PUSH_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]
    settings.OPENCITY_PUSH_CA_FILE = str(ca)
    service = PushService(cert, key).start()
    yield service
    service.stop()


@pytest.fixture
def vapid(settings):
    public, private = new_vapid_keys()
    settings.OPENCITY_PUSH_BACKEND = "opencity.notifications.push.WebPushBackend"
    settings.OPENCITY_VAPID_PUBLIC_KEY = public
    settings.OPENCITY_VAPID_PRIVATE_KEY = private
    settings.OPENCITY_VAPID_SUBJECT = "mailto:ioc@hue.gov.vn"
    return public


def test_a_warning_is_pushed_encrypted_and_signed(publish, resident_thuan_an, push_service, vapid):
    private, p256dh, auth_secret, auth = browser_keys()
    PushSubscription.objects.create(user=resident_thuan_an, endpoint=push_service.url("/push/device-1"),
                                    p256dh=p256dh, auth=auth)
    message = publish(severity="Extreme")
    delivery.message_deliver(message_id=message.pk)
    outbox.drain()  # the worker sends the queued batch

    [request] = push_service.received
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert request["path"] == "/push/device-1"
    assert headers["content-encoding"] == "aes128gcm" and int(headers["ttl"]) > 0
    assert headers["authorization"].startswith("vapid t=") and f"k={vapid}" in headers["authorization"]
    claims = json.loads(base64.urlsafe_b64decode(headers["authorization"].split("t=")[1].split(".")[1] + "=="))
    assert claims["aud"] == f"https://localhost:{push_service.port}" and claims["sub"] == "mailto:ioc@hue.gov.vn"
    payload = json.loads(http_ece.decrypt(request["body"], private_key=private, auth_secret=auth_secret,
                                          version="aes128gcm"))
    assert payload["url"] == f"/warnings/{message.alert_id}/" and payload["severity"] == "Extreme"
    assert payload["title"].endswith("Cảnh báo lũ trên sông Hương")
    message.refresh_from_db()
    assert message.pushed_count == 1


def test_one_persons_devices_get_a_generic_push(resident_thuan_an, push_service, vapid):
    """``send_push_to_user`` (a rescue request's steps) goes through the same signed, encrypted path."""
    private, p256dh, auth_secret, auth = browser_keys()
    PushSubscription.objects.create(user=resident_thuan_an, endpoint=push_service.url("/push/phone"),
                                    p256dh=p256dh, auth=auth)
    sent = send_push_to_user(resident_thuan_an, title="Đội cứu hộ đang trên đường đến.", body="Đội Phú Vang",
                             url="/sos/7/", tag="sos-7")
    assert sent == 1
    [request] = push_service.received
    payload = json.loads(http_ece.decrypt(request["body"], private_key=private, auth_secret=auth_secret,
                                          version="aes128gcm"))
    assert payload == {"title": "Đội cứu hộ đang trên đường đến.", "body": "Đội Phú Vang", "url": "/sos/7/",
                       "tag": "sos-7", "renotify": True, "lang": "vi"}
    assert PushSubscription.objects.get(user=resident_thuan_an).last_success_at is not None


def test_a_subscription_the_push_service_forgot_is_removed(publish, resident_thuan_an, push_service, vapid):
    _private, p256dh, _secret, auth = browser_keys()
    sub = PushSubscription.objects.create(user=resident_thuan_an, endpoint=push_service.url("/push/old"),
                                          p256dh=p256dh, auth=auth)
    push_service.status = 410
    assert WebPushBackend().send(sub, {"title": "x"}) == "gone"
    push_service.status = 500
    assert WebPushBackend().send(sub, {"title": "x"}) == "failed"


def test_an_unreachable_push_service_is_a_failure_not_a_crash(resident_thuan_an, push_service, vapid):
    _private, p256dh, _secret, auth = browser_keys()
    sub = PushSubscription(user=resident_thuan_an, endpoint="https://localhost:9/push/none", p256dh=p256dh, auth=auth)
    assert WebPushBackend().send(sub, {"title": "x"}) == "failed"


def test_vapid_keys_command_prints_a_usable_pair(capsys):
    call_command("vapid_keys")
    out = capsys.readouterr().out
    assert "OPENCITY_VAPID_PUBLIC_KEY=" in out and "OPENCITY_VAPID_PRIVATE_KEY=" in out
