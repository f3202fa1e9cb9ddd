"""Tokens and Open311 keys issued before the credentials module keep working after its
migrations (accounts 0008–0010, open311 0002–0004): the same hashes verify, a rotation's link is
turned around, a deactivated key stays refused."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.usefixtures("at_latest_migrations")

BEFORE = [("accounts", "0007_auditlog_idempotencyrecord_to_lib"), ("open311", "0001_initial")]
AFTER = [("accounts", "0010_remove_apitoken_replaced_by"), ("open311", "0004_remove_apikey_is_active")]


def sha(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_tokens_and_keys_keep_working(citizen):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    Token = old_apps.get_model("accounts", "ApiToken")
    Key = old_apps.get_model("open311", "ApiKey")
    now = timezone.now()
    old_raw, new_raw = "token-before-rotation-000000000000000000001", "token-after-rotation-0000000000000000000002"
    new = Token.objects.create(user_id=citizen.pk, name="phone", key_hash=sha(new_raw), prefix=new_raw[:8],
                               expires_at=now + dt.timedelta(days=30))
    old = Token.objects.create(user_id=citizen.pk, name="phone", key_hash=sha(old_raw), prefix=old_raw[:8],
                               expires_at=now + dt.timedelta(days=30), revoked_at=now, replaced_by_id=new.pk)
    key_raw, off_raw = "open311-key-of-a-partner-000000000000001", "open311-key-deactivated-0000000000000002"
    key = Key.objects.create(name="Đối tác", application="App", prefix=key_raw[:8], key_hash=sha(key_raw))
    off = Key.objects.create(name="Cũ", application="Old", prefix=off_raw[:8], key_hash=sha(off_raw), is_active=False)

    executor = MigrationExecutor(connection)  # a fresh graph: the one above saw the old state
    # Through AFTER to every app's latest migration: the checks below use today's models, which a
    # later migration (accounts 0011's User columns) may have changed.
    executor.migrate(executor.loader.graph.leaf_nodes())
    applied = executor.recorder.applied_migrations()
    assert all(node in applied for node in AFTER)

    from opencity.accounts.models import ApiToken
    from opencity.lib.credentials import CredentialRefused, credential_verify
    from opencity.open311.models import ApiKey

    successor = ApiToken.objects.get(pk=new.pk)
    assert successor.rotated_from_id == old.pk and successor.created_by_id == citizen.pk
    assert credential_verify(ApiToken, new_raw).pk == new.pk
    with pytest.raises(CredentialRefused):
        credential_verify(ApiToken, old_raw)
    response = Client().get("/api/v1/auth/tokens", HTTP_AUTHORIZATION=f"Bearer {new_raw}")
    assert response.status_code == 200 and [t["id"] for t in response.json()] == [new.pk]
    assert credential_verify(ApiKey, key_raw).pk == key.pk
    with pytest.raises(CredentialRefused) as info:
        credential_verify(ApiKey, off_raw)
    assert info.value.reason == "revoked" and ApiKey.objects.get(pk=off.pk).state() == "revoked"
