"""API tokens: expiry, rotation (idempotent with an Idempotency-Key), and the second factor
for staff tokens."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from opencity.accounts.models import ApiToken
from opencity.accounts.services import api_token_issue
from opencity.conftest import PASSWORD
from opencity.lib.models import AuditLog

pytestmark = pytest.mark.django_db

ROTATE = "/api/v1/auth/token/rotate"


def auth(raw: str, **extra) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}", **extra}


def error_code(response) -> str:
    return response.json()["error"]["code"]


def test_a_token_lives_for_the_configured_days(citizen, settings, client):
    settings.OPENCITY_API_TOKEN_DAYS = 7
    response = client.post("/api/v1/auth/token", json.dumps({"phone": citizen.phone, "password": PASSWORD}),
                           content_type="application/json")
    token = ApiToken.objects.get()
    assert dt.timedelta(days=6) < token.expires_at - timezone.now() <= dt.timedelta(days=7)
    assert response.json()["expires_at"]
    assert not token.second_factor  # a citizen without an authenticator app


def test_expired_tokens_are_not_listed(citizen, client):
    raw = api_token_issue(user=citizen, name="now")
    api_token_issue(user=citizen, name="old")
    ApiToken.objects.filter(name="old").update(expires_at=timezone.now() - dt.timedelta(days=1))
    assert [t["name"] for t in client.get("/api/v1/auth/tokens", **auth(raw)).json()] == ["now"]


def test_rotation_without_a_key_gives_a_new_token_once(citizen, client):
    raw = api_token_issue(user=citizen, name="Pixel")
    response = client.post(ROTATE, **auth(raw))
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Pixel" and body["token"] != raw and body["expires_at"]
    assert error_code(client.post(ROTATE, **auth(raw))) == "invalid_token"
    old = ApiToken.objects.get(prefix=raw[:8])
    assert old.revoked_at is not None and ApiToken.objects.get(pk=body["id"]).rotated_from_id == old.pk


def test_a_retry_with_another_key_does_not_rotate_again(citizen, client):
    raw = api_token_issue(user=citizen)
    assert client.post(ROTATE, **auth(raw, HTTP_IDEMPOTENCY_KEY="a")).status_code == 201
    assert error_code(client.post(ROTATE, **auth(raw, HTTP_IDEMPOTENCY_KEY="b"))) == "invalid_token"
    assert ApiToken.objects.count() == 2


def test_an_expired_token_cannot_be_rotated(citizen, client):
    raw = api_token_issue(user=citizen)
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.post(ROTATE, **auth(raw))
    assert response.status_code == 401 and error_code(response) == "token_expired"


def test_a_revoked_token_cannot_be_rotated(citizen, client):
    raw = api_token_issue(user=citizen)
    ApiToken.objects.update(revoked_at=timezone.now())
    assert error_code(client.post(ROTATE, **auth(raw, HTTP_IDEMPOTENCY_KEY="k"))) == "invalid_token"


def test_rotation_needs_a_token_not_a_session(citizen):
    client = Client()
    client.force_login(citizen)
    response = client.post(ROTATE)
    assert response.status_code == 401 and error_code(response) == "unauthenticated"


def test_rotation_rejects_get(citizen, client):
    assert client.get(ROTATE, **auth(api_token_issue(user=citizen))).status_code == 405


def test_a_staff_token_keeps_its_second_factor_through_rotation(operator, client):
    raw = api_token_issue(user=operator, second_factor=True)
    new = client.post(ROTATE, **auth(raw)).json()["token"]
    assert ApiToken.objects.get(prefix=new[:8]).second_factor
    assert client.get("/api/v1/auth/tokens", **auth(new)).status_code == 200
    assert AuditLog.objects.filter(actor=operator, action="api_token_rotate").exists()


def test_a_staff_token_without_the_second_factor_cannot_be_rotated_into_one(operator, client):
    raw = api_token_issue(user=operator)
    assert error_code(client.post(ROTATE, **auth(raw))) == "second_factor_required"


def test_without_the_requirement_staff_tokens_need_no_second_factor(operator, settings, client):
    settings.OPENCITY_STAFF_2FA_REQUIRED = False
    response = client.post("/api/v1/auth/token", json.dumps({"phone": operator.phone, "password": PASSWORD}),
                           content_type="application/json")
    assert response.status_code == 201
    assert client.get("/api/v1/auth/tokens", **auth(response.json()["token"])).status_code == 200


def test_wrong_api_codes_are_limited(operator, client, settings):
    settings.OPENCITY_LIMITS = "totp.fail.account=2/900"
    device = TOTPDevice.objects.create(user=operator, name="app", confirmed=True)
    right = f"{totp(device.bin_key):06d}"
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    def sign_in(otp):
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
        body = {"phone": operator.phone, "password": PASSWORD, "otp": otp}
        return client.post("/api/v1/auth/token", json.dumps(body), content_type="application/json")

    assert error_code(sign_in(wrong)) == "invalid_otp"
    assert error_code(sign_in(wrong)) == "invalid_otp"
    response = sign_in(right)
    assert response.status_code == 429 and response["Retry-After"]
    assert not ApiToken.objects.exists()


def test_the_openapi_document_describes_rotation_and_expiry(client):
    doc = client.get("/api/openapi.json").json()
    rotate = doc["paths"]["/api/v1/auth/token/rotate"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in rotate["parameters"]]
    assert "expires_at" in json.dumps(doc["components"]["schemas"]["TokenCreatedOut"])
    assert "429" in doc["paths"]["/api/v1/auth/token"]["post"]["responses"]


# --- tokens as credentials (opencity.lib.credentials) -------------------------------------------


def test_issue_rotation_and_revocation_are_audited_for_everyone(citizen, client):
    response = client.post("/api/v1/auth/token", json.dumps({"phone": citizen.phone, "password": PASSWORD}),
                           content_type="application/json")
    raw = response.json()["token"]
    new = client.post(ROTATE, **auth(raw)).json()
    assert client.delete(f"/api/v1/auth/tokens/{new['id']}", **auth(new["token"])).status_code == 204
    actions = set(AuditLog.objects.filter(actor=citizen).values_list("action", flat=True))
    assert {"api_token_issue", "api_token_rotate", "api_token_revoke"} <= actions
    assert raw not in repr(list(AuditLog.objects.values()))
    assert ApiToken.objects.get(pk=new["id"]).created_by == citizen


def test_an_admin_revokes_a_token_and_it_stops_at_once(citizen, admin_user, client):
    raw = api_token_issue(user=citizen)
    token = ApiToken.objects.get()
    admin = Client()
    admin.force_login(admin_user)
    admin.post("/admin/accounts/apitoken/", {"action": "revoke_selected", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_by == admin_user
    assert error_code(client.get("/api/v1/auth/tokens", **auth(raw))) == "invalid_token"


def test_the_admin_does_not_issue_tokens(admin_user):
    admin = Client()
    admin.force_login(admin_user)
    assert admin.get("/admin/accounts/apitoken/add/").status_code == 403
    assert admin.get("/admin/accounts/apitoken/").status_code == 200
