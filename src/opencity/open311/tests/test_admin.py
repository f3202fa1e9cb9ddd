"""API keys in the admin: issued with the raw key shown once, stored hashed, rotated with a grace
period, revoked (not deleted)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from opencity.lib.models import AuditLog
from opencity.open311.models import ApiKey

pytestmark = pytest.mark.django_db

ADD = "/admin/open311/apikey/add/"
CHANGELIST = "/admin/open311/apikey/"


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def _raw_key(response) -> str:
    found = {
        k
        for m in get_messages(response.wsgi_request)
        for k in re.findall(r"[A-Za-z0-9_\-]{40}", str(m))
    }
    assert len(found) == 1, found
    return found.pop()


def test_an_admin_issues_a_key_and_sees_it_once(admin_client):
    response = admin_client.post(
        ADD,
        {
            "name": "Đối tác",
            "application": "Mark-a-Spot",
            "contact": "it@example.vn",
            "is_active": "on",
            "rate_limit_per_minute": "5",
        },
        follow=True,
    )
    assert response.status_code == 200
    raw = _raw_key(response)
    key = ApiKey.objects.get()
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert key.prefix == raw[:8]
    assert key.rate_limit_per_minute == 5
    assert raw.encode() not in admin_client.get(CHANGELIST).content
    assert raw.encode() not in admin_client.get(f"{CHANGELIST}{key.pk}/change/").content
    assert AuditLog.objects.filter(action="admin.add", target_type="open311.apikey").exists()
    assert raw not in repr(list(AuditLog.objects.values()))


def test_a_rotation_issues_a_successor_and_the_old_key_works_for_its_grace(admin_client, api_key, admin_user):
    response = admin_client.post(
        CHANGELIST, {"action": "rotate_selected", "_selected_action": [api_key.pk]}, follow=True
    )
    raw = _raw_key(response)
    new = ApiKey.objects.get(key_hash=hashlib.sha256(raw.encode()).hexdigest())
    old = ApiKey.objects.get(pk=api_key.pk)
    assert new.rotated_from_id == old.pk and new.created_by == admin_user
    assert (new.name, new.application, new.rate_limit_per_minute) == (
        old.name, old.application, old.rate_limit_per_minute)
    assert old.state() == "rotating" and old.revoked_at - timezone.now() > dt.timedelta(days=6)
    assert AuditLog.objects.filter(action="open311_key_rotate", target_id=str(new.pk)).exists()
    assert raw.encode() not in admin_client.get(f"{CHANGELIST}{new.pk}/change/").content


def test_keys_can_be_revoked(admin_client, api_key, admin_user):
    admin_client.post(CHANGELIST, {"action": "revoke_selected", "_selected_action": [api_key.pk]})
    key = ApiKey.objects.get(pk=api_key.pk)
    assert key.state() == "revoked" and key.revoked_by == admin_user
    assert AuditLog.objects.filter(action="open311_key_revoke", actor=admin_user).exists()


def test_keys_are_revoked_not_deleted(admin_client, api_key):
    admin_client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [api_key.pk]})
    assert ApiKey.objects.filter(pk=api_key.pk).exists()


def test_the_rate_limit_must_be_positive(admin_client):
    response = admin_client.post(
        ADD, {"name": "X", "application": "Y", "rate_limit_per_minute": "0"}
    )
    assert response.status_code == 200  # the form again, with its error
    assert not ApiKey.objects.exists()


def test_only_admins_manage_keys(operator, citizen):
    for user in (operator, citizen):
        client = Client()
        client.force_login(user)
        assert client.get(CHANGELIST).status_code == 302  # to the login page
