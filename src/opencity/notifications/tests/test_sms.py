"""The SMS gateway backend against a real local HTTP receiver (no mocks), and the text helpers."""

from __future__ import annotations

import base64
import time

import pytest
from django.core.exceptions import ImproperlyConfigured

from opencity.notifications import sms

from .smsgateway import SmsGateway


@pytest.fixture
def gateway(settings):
    with SmsGateway() as receiver:
        settings.OPENCITY_SMS_BACKEND = "opencity.notifications.sms.GatewayBackend"
        settings.OPENCITY_SMS_GATEWAY_URL = receiver.url
        settings.OPENCITY_SMS_GATEWAY_USER = "hue-city"
        settings.OPENCITY_SMS_GATEWAY_PASSWORD = "s3cret"
        settings.OPENCITY_SMS_SENDER = "TP.HUE"
        settings.OPENCITY_SMS_UNACCENTED = False
        settings.OPENCITY_SMS_TIMEOUT = 5.0
        yield receiver


def test_a_message_is_posted_to_the_gateway_with_credentials_and_sender(gateway):
    sms.send_sms("+84905123456", "Mã xác nhận: 123456")
    [request] = gateway.received
    assert request["path"] == "/api/sms/send"
    assert request["json"] == {"to": "+84905123456", "sender": "TP.HUE", "text": "Mã xác nhận: 123456",
                               "unicode": True}
    assert request["headers"]["Authorization"] == "Basic " + base64.b64encode(b"hue-city:s3cret").decode()


def test_the_unaccented_option_sends_the_text_without_diacritics(gateway, settings):
    settings.OPENCITY_SMS_UNACCENTED = True
    sms.send_sms("+84905123456", "Đội cứu hộ Đà Nẵng đang đến: mã 123456")
    [request] = gateway.received
    assert request["json"]["text"] == "Doi cuu ho Da Nang dang den: ma 123456"
    assert request["json"]["unicode"] is False  # 160 characters a part, not 70


def test_a_refusal_by_the_gateway_is_a_clear_error(gateway, caplog):
    gateway.behaviour = "refuse"
    with pytest.raises(sms.SmsDeliveryError) as raised:
        sms.send_sms("+84905123456", "Mã xác nhận: 654321")
    assert raised.value.http_status == 503 and raised.value.code == "sms_unavailable"
    assert "HTTP 401" in caplog.text and "bad credentials" in caplog.text
    assert "654321" not in caplog.text and "+84905123456" not in caplog.text  # no code, no number


def test_a_failure_the_gateway_reports_in_a_success_answer_is_an_error(gateway, caplog):
    gateway.behaviour = "fail"
    with pytest.raises(sms.SmsDeliveryError):
        sms.send_sms("+84905123456", "Mã xác nhận: 111222")
    assert "brandname not registered" in caplog.text


def test_a_gateway_that_does_not_answer_in_time_is_an_error(gateway, settings):
    gateway.behaviour, gateway.delay = "slow", 3.0
    settings.OPENCITY_SMS_TIMEOUT = 0.5
    started = time.monotonic()
    with pytest.raises(sms.SmsDeliveryError):
        sms.send_sms("+84905123456", "Mã xác nhận: 333444")
    assert time.monotonic() - started < 2.5


def test_a_gateway_that_cannot_be_reached_is_an_error(gateway, settings):
    settings.OPENCITY_SMS_GATEWAY_URL = "http://127.0.0.1:9/api/sms/send"  # nobody listens (discard)
    with pytest.raises(sms.SmsDeliveryError):
        sms.send_sms("+84905123456", "Mã xác nhận: 555666")


def test_the_gateway_backend_without_an_address_refuses_to_start(settings):
    settings.OPENCITY_SMS_BACKEND = "opencity.notifications.sms.GatewayBackend"
    settings.OPENCITY_SMS_GATEWAY_URL = ""
    settings.OPENCITY_SMS_SENDER = "TP.HUE"
    with pytest.raises(ImproperlyConfigured, match="OPENCITY_SMS_GATEWAY_URL"):
        sms.send_sms("+84905123456", "x")


@pytest.mark.parametrize("text, plain", [
    ("Phản ánh PA000123 đã được xử lý", "Phan anh PA000123 da duoc xu ly"),
    ("ĐƯỜNG LÊ LỢI, Huế", "DUONG LE LOI, Hue"),
    ("Ở, ậ, ữ, ỹ, ơ, ư", "O, a, u, y, o, u"),
    ("plain ascii 123", "plain ascii 123"),
])
def test_unaccented_strips_vietnamese_diacritics(text, plain):
    assert sms.unaccented(text) == plain


def test_the_console_backend_prints_and_keeps_the_message(settings, capsys):
    settings.OPENCITY_SMS_BACKEND = "opencity.notifications.sms.ConsoleBackend"
    sms.ConsoleBackend.outbox.clear()
    sms.send_sms("+84905123456", "Mã: 999000")
    assert sms.ConsoleBackend.outbox[-1] == sms.SmsMessage(to="+84905123456", body="Mã: 999000")
    assert "[SMS to +84905123456] Mã: 999000" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_chunk_retried_after_the_gateway_refused_one_text_sends_only_the_rest(gateway, citizen, citizen2):
    """Each text is paid for and read on a phone: the channel marks what it sent, so the
    outbox's retry of a chunk that failed half-way does not send the first texts again."""
    from opencity.notifications import channels
    from opencity.notifications.models import Notification
    from opencity.notifications.services import notify

    notify([citizen, citizen2], verb="sos", title="Đội cứu hộ đang đến", via=(channels.SMS,))
    ids = list(Notification.objects.order_by("pk").values_list("pk", flat=True))
    first, second = (n.user.phone for n in Notification.objects.order_by("pk").select_related("user"))
    gateway.refuse_to = {second}
    with pytest.raises(sms.SmsDeliveryError):
        channels.get(channels.SMS).deliver(ids=ids)
    gateway.refuse_to = set()
    assert channels.get(channels.SMS).deliver(ids=ids) == 1  # the retry
    assert [r["json"]["to"] for r in gateway.received] == [first, second, second]
    assert Notification.objects.filter(texted_at__isnull=True).count() == 0
