"""The exchange's webhook secret as a credential (``hotline.ExchangeSecret``): issued, rotated
with a day's grace (both secrets verify meanwhile), revoked; the setting only until one exists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from opencity.hotline.models import Call, ExchangeSecret
from opencity.lib.credentials import credential_issue, credential_revoke, credential_rotate
from opencity.lib.models import AuditLog

from .conftest import SECRET, event

pytestmark = pytest.mark.django_db


def test_the_setting_signs_until_a_secret_is_issued(send):
    assert send(event("started")).status_code == 200  # the bootstrap: OPENCITY_HOTLINE_WEBHOOK_SECRET
    _row, raw = credential_issue(ExchangeSecret)
    r = send(event("answered"))  # still signed with the setting
    assert r.status_code == 403 and r.json()["error"] == "signature_invalid"
    assert send(event("answered"), key=raw).status_code == 200


def test_a_rotated_secret_verifies_and_the_old_one_works_until_its_grace_ends(send):
    old, old_raw = credential_issue(ExchangeSecret)
    new, new_raw = credential_rotate(old)
    assert send(event("started", "pbx-1"), key=new_raw).status_code == 200
    assert send(event("started", "pbx-2"), key=old_raw).status_code == 200  # the exchange not switched yet
    assert ExchangeSecret.objects.get(pk=old.pk).last_used_at is not None
    assert ExchangeSecret.objects.get(pk=old.pk).revoked_at - timezone.now() > dt.timedelta(hours=23)
    ExchangeSecret.objects.filter(pk=old.pk).update(revoked_at=timezone.now() - dt.timedelta(seconds=1))
    assert send(event("started", "pbx-3"), key=old_raw).status_code == 403
    assert send(event("started", "pbx-4"), key=new_raw).status_code == 200
    assert Call.objects.count() == 3


def test_the_setting_brought_in_then_rotated_keeps_the_exchange_working(send, settings):
    settings.OPENCITY_HOTLINE_WEBHOOK_SECRET = SECRET + "-long-enough"
    call_command("credentials", "issue", "exchange_secret", "--from-setting", stdout=None, stderr=None)
    first = ExchangeSecret.objects.get()
    _new, new_raw = credential_rotate(first)
    settings.OPENCITY_HOTLINE_WEBHOOK_SECRET = ""  # the setting no longer matters
    assert send(event("started", "pbx-1"), key=SECRET + "-long-enough").status_code == 200
    assert send(event("started", "pbx-2"), key=new_raw).status_code == 200


def test_with_every_secret_revoked_the_webhook_refuses_everything(send):
    row, raw = credential_issue(ExchangeSecret)
    credential_revoke(row)
    r = send(event("started"), key=raw)
    assert r.status_code == 503 and not Call.objects.exists()
    assert send(event("started")).status_code == 503  # nor does the setting come back


def test_an_admin_issues_a_secret_and_sees_it_once(admin_user):
    client = Client()
    client.force_login(admin_user)
    response = client.post("/admin/hotline/exchangesecret/add/", {"name": "Tổng đài"}, follow=True)
    assert response.status_code == 200
    row = ExchangeSecret.objects.get()
    raw = row.secret()
    assert raw in response.content.decode()
    assert raw not in client.get(f"/admin/hotline/exchangesecret/{row.pk}/change/").content.decode()
    assert raw not in client.get("/admin/hotline/exchangesecret/").content.decode()
    assert AuditLog.objects.filter(action="exchange_secret_issue", actor=admin_user).exists()
