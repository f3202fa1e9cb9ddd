"""One credentials module (``opencity.lib.credentials``): issue, verify, rotate with a grace
period, expire, revoke, the audit rows, the encrypted kind and ``manage.py credentials`` —
exercised on the real kinds (Open311 keys, API tokens, the exchange's secret)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from cryptography.fernet import InvalidToken
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from opencity.accounts.models import ApiToken
from opencity.errors import ConflictError, ValidationError
from opencity.hotline.models import ExchangeSecret
from opencity.lib.credentials import (
    CredentialRefused,
    credential_issue,
    credential_kinds,
    credential_revoke,
    credential_rotate,
    credential_verify,
    credentials_revoke,
    decrypt_secret,
    encrypt_secret,
    hash_secret,
    live_secrets,
)
from opencity.lib.models import AuditLog
from opencity.open311.models import ApiKey

pytestmark = pytest.mark.django_db


def issue_key(**kw):
    fields = {"name": "Đối tác", "application": "App"}
    fields.update(kw)
    return credential_issue(ApiKey, expires_at=None, **fields)


def refused(raw, model=ApiKey) -> str:
    with pytest.raises(CredentialRefused) as info:
        credential_verify(model, raw)
    return info.value.reason


# --- issue and verify ------------------------------------------------------------------------


def test_an_issued_secret_is_returned_once_and_only_its_hash_is_kept(admin_user):
    key, raw = issue_key(actor=admin_user)
    stored = ApiKey.objects.get(pk=key.pk)
    assert stored.key_hash == hash_secret(raw) and stored.prefix == raw[:8] and len(raw) == 40
    assert raw not in repr(ApiKey.objects.filter(pk=key.pk).values().get())
    assert stored.created_by == admin_user and stored.state() == "active"
    entry = AuditLog.objects.get(action="open311_key_issue")
    assert entry.actor == admin_user and entry.target_id == str(key.pk) and raw not in repr(entry.data)


def test_verify_finds_the_credential_and_stamps_its_last_use_at_most_once_a_minute():
    key, raw = issue_key()
    assert credential_verify(ApiKey, raw).pk == key.pk
    first = ApiKey.objects.get(pk=key.pk).last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as queries:
        credential_verify(ApiKey, raw)
    assert len(queries) == 1  # the lookup only: no write within the minute
    assert ApiKey.objects.get(pk=key.pk).last_used_at == first


@pytest.mark.parametrize("raw", ["", "   ", "nope", "x" * 10_000, None])
def test_unknown_secrets_are_refused(raw):
    issue_key()
    assert refused(raw) == "unknown"


def test_an_existing_hash_from_before_the_credentials_module_still_verifies():
    """Rows written by the old code (SHA-256 hex of the raw key) verify unchanged."""
    raw = "an-old-open311-key-issued-before-the-move-0001"
    key = ApiKey.objects.create(name="Cũ", application="Old", prefix=raw[:8], key_hash=hash_secret(raw))
    assert credential_verify(ApiKey, raw).pk == key.pk


# --- expiry and revocation ---------------------------------------------------------------------


def test_an_expired_credential_is_refused_and_audited_once_an_hour():
    key, raw = issue_key()
    ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert refused(raw) == "expired"
    assert refused(raw) == "expired"
    rows = AuditLog.objects.filter(action="open311_key_refused", target_id=str(key.pk))
    assert rows.count() == 1 and rows.get().data == {"reason": "expired"}


def test_a_revoked_credential_is_refused_and_the_revocation_audited(admin_user):
    key, raw = issue_key()
    assert credential_revoke(key, actor=admin_user) is True
    assert refused(raw) == "revoked"
    assert credential_revoke(key, actor=admin_user) is False  # already stopped: nothing more
    assert AuditLog.objects.filter(action="open311_key_revoke", actor=admin_user).count() == 1
    assert ApiKey.objects.get(pk=key.pk).revoked_by == admin_user


def test_revoking_many_audits_each(citizen):
    from opencity.accounts.services import api_token_issue

    raws = [api_token_issue(user=citizen, name=f"t{i}") for i in range(3)]
    assert credentials_revoke(ApiToken.objects.filter(user=citizen), actor=citizen, reason="test") == 3
    assert AuditLog.objects.filter(action="api_token_revoke").count() == 3
    assert all(refused(raw, ApiToken) == "revoked" for raw in raws)


# --- rotation --------------------------------------------------------------------------------


def test_the_old_secret_works_during_the_grace_period_and_not_after(admin_user):
    old, old_raw = issue_key(rate_limit_per_minute=7, contact="it@example.vn")
    new, new_raw = credential_rotate(old, actor=admin_user, grace=dt.timedelta(hours=2))
    assert new.rotated_from == old and new.rate_limit_per_minute == 7 and new.contact == "it@example.vn"
    assert new_raw != old_raw and credential_verify(ApiKey, new_raw).pk == new.pk
    assert credential_verify(ApiKey, old_raw).pk == old.pk  # in its grace period
    assert ApiKey.objects.get(pk=old.pk).state() == "rotating"
    later = timezone.now() + dt.timedelta(hours=2, seconds=1)
    with pytest.raises(CredentialRefused) as info:
        credential_verify(ApiKey, old_raw, now=later)
    assert info.value.reason == "revoked"
    assert credential_verify(ApiKey, new_raw, now=later).pk == new.pk
    entry = AuditLog.objects.get(action="open311_key_rotate")
    assert entry.actor == admin_user and entry.target_id == str(new.pk) and entry.data["replaces"] == old.pk


def test_the_default_grace_is_the_kinds():
    old, _raw = issue_key()
    credential_rotate(old)
    left = ApiKey.objects.get(pk=old.pk).revoked_at - timezone.now()
    assert dt.timedelta(days=6, hours=23) < left <= ApiKey.rotation_grace


def test_the_grace_never_outlives_the_old_expiry():
    soon = timezone.now() + dt.timedelta(hours=1)
    old, _raw = issue_key()
    ApiKey.objects.filter(pk=old.pk).update(expires_at=soon)
    old.refresh_from_db()
    credential_rotate(old)
    assert ApiKey.objects.get(pk=old.pk).revoked_at == soon


def test_a_credential_rotates_once_and_revoking_ends_the_grace_early():
    old, old_raw = issue_key()
    credential_rotate(old)
    with pytest.raises(ConflictError):
        credential_rotate(ApiKey.objects.get(pk=old.pk))
    assert ApiKey.objects.count() == 2
    credential_revoke(ApiKey.objects.get(pk=old.pk))
    assert refused(old_raw) == "revoked"


def test_a_negative_grace_is_refused():
    old, _raw = issue_key()
    with pytest.raises(ValidationError):
        credential_rotate(old, grace=dt.timedelta(hours=-1))


# --- the encrypted kind ----------------------------------------------------------------------


def test_an_encrypted_secret_is_not_stored_in_plain_and_reads_back():
    secret, raw = credential_issue(ExchangeSecret)
    row = ExchangeSecret.objects.get(pk=secret.pk)
    assert raw not in row.secret_encrypted and raw.encode() not in row.secret_encrypted.encode()
    assert row.secret() == raw and row.key_hash == hash_secret(raw)
    assert live_secrets(ExchangeSecret) == [(row, raw)]


def test_secrets_stay_readable_while_secret_key_changes(settings):
    token = encrypt_secret("s" * 40)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    with pytest.raises(InvalidToken):
        decrypt_secret(token)
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert decrypt_secret(token) == "s" * 40


def test_an_undecryptable_secret_is_skipped_not_a_crash(settings, caplog):
    credential_issue(ExchangeSecret)
    settings.SECRET_KEY = "another-key-" + "y" * 40
    assert live_secrets(ExchangeSecret) == []
    assert "cannot be decrypted" in caplog.text


def test_a_brought_in_secret_must_be_long_enough():
    with pytest.raises(ValidationError):
        credential_issue(ExchangeSecret, secret="short")


# --- the registry and the management command ---------------------------------------------------


def test_every_kind_is_registered():
    kinds = credential_kinds()
    assert kinds["api_token"] is ApiToken and kinds["open311_key"] is ApiKey
    assert kinds["exchange_secret"] is ExchangeSecret


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("credentials", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_issues_rotates_lists_and_revokes():
    out, err = run("issue", "open311_key", "--set", "name=Đối tác", "--set", "application=App",
                   "--set", "rate_limit_per_minute=5")
    raw = out.strip().splitlines()[-1]
    key = credential_verify(ApiKey, raw)
    assert key.rate_limit_per_minute == 5 and "not be shown again" in err
    # "--": a prefix may begin with "-" (URL-safe base64)
    out, _err = run("rotate", "open311_key", "--grace-hours", "1", "--", key.prefix)
    new_raw = out.strip().splitlines()[-1]
    assert credential_verify(ApiKey, new_raw).rotated_from_id == key.pk
    listing, _err = run("list", "open311_key")
    assert key.prefix in listing and new_raw[:8] in listing and raw not in listing
    run("revoke", "open311_key", str(key.pk))
    assert refused(raw) == "revoked"
    assert key.prefix not in run("list", "open311_key")[0] and key.prefix in run("list", "open311_key", "--all")[0]


def test_the_command_brings_in_the_exchange_setting(settings):
    settings.OPENCITY_HOTLINE_WEBHOOK_SECRET = "the-secret-configured-on-the-exchange-0001"
    out, _err = run("issue", "exchange_secret", "--from-setting")
    assert settings.OPENCITY_HOTLINE_WEBHOOK_SECRET not in out  # already known: not printed
    assert ExchangeSecret.objects.get().secret() == settings.OPENCITY_HOTLINE_WEBHOOK_SECRET


def test_the_command_refuses_what_it_cannot_do(citizen):
    with pytest.raises(CommandError):
        run("issue", "api_token", "--set", f"user={citizen.pk}")  # issued at sign-in only
    with pytest.raises(CommandError):
        run("list", "no_such_kind")
    with pytest.raises(CommandError):
        run("revoke", "open311_key", "nothing")
    with pytest.raises(CommandError):
        run("reencrypt", "open311_key")


def test_the_command_reencrypts_after_a_key_change(settings):
    _row, raw = credential_issue(ExchangeSecret)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "k" * 50, [old_key]
    run("reencrypt", "exchange_secret")
    settings.SECRET_KEY_FALLBACKS = []
    assert ExchangeSecret.objects.get().secret() == raw
