"""The API's authentication (tokens, session, CSRF), its error shape and language, tokens,
notifications, and the OpenAPI document."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from opencity.accounts.models import ApiToken
from opencity.accounts.services import api_token_issue
from opencity.conftest import PASSWORD
from opencity.lib.models import AuditLog
from opencity.notifications.models import Notification
from opencity.notifications.services import notify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def post_json(client: Client, url: str, data: dict | None = None, **extra):
    return client.post(url, json.dumps(data or {}), content_type="application/json", **extra)


def assert_error(response, status: int, code: str, field: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}
    assert body["error"]["code"] == code and body["error"]["message"]
    assert body["error"]["field"] == field
    return body["error"]


def sign_in(client: Client, phone: str = "0905000001", password: str = PASSWORD, **data):
    return post_json(client, "/api/v1/auth/token", {"phone": phone, "password": password, **data})


def auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


# --- POST /auth/token ---------------------------------------------------------------------


def test_sign_in_returns_a_working_token(client, citizen):
    response = sign_in(client, "0905 000 001", name="Điện thoại của An")
    assert response.status_code == 201
    body = response.json()
    stored = ApiToken.objects.get(pk=body["id"])
    assert stored.user == citizen and stored.name == "Điện thoại của An"
    assert body["prefix"] == body["token"][:8] == stored.prefix
    assert body["token"] not in stored.key_hash  # only the hash is kept
    tokens = client.get("/api/v1/auth/tokens", **auth(body["token"])).json()
    assert [t["id"] for t in tokens] == [stored.pk]


def test_sign_in_with_a_wrong_password_is_401(client, citizen):
    error = assert_error(sign_in(client, password="sai-mat-khau"), 401, "invalid_credentials")
    assert ApiToken.objects.count() == 0
    assert error["message"]


def test_sign_in_with_an_unknown_phone_is_401(client):
    assert_error(sign_in(client, "0905999999"), 401, "invalid_credentials")


def test_sign_in_of_a_disabled_account_is_401(client, citizen):
    citizen.is_active = False
    citizen.save()
    assert_error(sign_in(client), 401, "invalid_credentials")


def test_sign_in_with_a_malformed_phone_names_the_field(client):
    assert_error(sign_in(client, "12345"), 400, "invalid", "phone")


def test_sign_in_without_a_password_is_a_schema_error(client):
    response = post_json(client, "/api/v1/auth/token", {"phone": "0905000001"})
    assert_error(response, 422, "required", "password")


def test_sign_in_rejects_get(client):
    assert client.get("/api/v1/auth/token").status_code == 405


def test_sign_in_with_two_factor_needs_the_code(client, operator):
    device = TOTPDevice.objects.create(user=operator, name="app", confirmed=True)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    wrong = f"{(int(code) + 500_000) % 1_000_000:06d}"
    assert_error(sign_in(client, "0905000010"), 401, "otp_required", "otp")
    assert ApiToken.objects.count() == 0
    response = sign_in(client, "0905000010", otp=code)
    assert response.status_code == 201
    assert AuditLog.objects.filter(actor=operator, action="api_token_issue").exists()
    assert_error(sign_in(client, "0905000010", otp=wrong), 401, "invalid_otp", "otp")
    assert ApiToken.objects.count() == 1


def test_sign_in_needs_no_csrf_token(citizen):
    assert sign_in(Client(enforce_csrf_checks=True)).status_code == 201


# --- bearer tokens and sessions -----------------------------------------------------------


def test_a_revoked_token_is_refused(client, citizen):
    raw = api_token_issue(user=citizen)
    ApiToken.objects.update(revoked_at=timezone.now())
    response = client.get("/api/v1/auth/tokens", **auth(raw))
    assert_error(response, 401, "invalid_token")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_token_is_refused_even_with_a_session(citizen):
    client = Client()
    client.force_login(citizen)
    assert_error(client.get("/api/v1/auth/tokens", **auth("nope")), 401, "invalid_token")


def test_a_token_of_a_disabled_account_is_refused(client, citizen):
    raw = api_token_issue(user=citizen)
    citizen.is_active = False
    citizen.save()
    assert_error(client.get("/api/v1/auth/tokens", **auth(raw)), 401, "invalid_token")


def test_last_used_is_written_at_most_once_a_minute(client, citizen):
    raw = api_token_issue(user=citizen)
    client.get("/api/v1/auth/tokens", **auth(raw))
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    client.get("/api/v1/auth/tokens", **auth(raw))
    assert ApiToken.objects.get().last_used_at == first
    earlier = timezone.now() - dt.timedelta(minutes=2)
    ApiToken.objects.update(last_used_at=earlier)
    client.get("/api/v1/auth/tokens", **auth(raw))
    assert ApiToken.objects.get().last_used_at > earlier


def test_no_credentials_is_401_with_the_error_shape(client):
    response = client.get("/api/v1/auth/tokens")
    assert_error(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_session_works_for_reads(citizen):
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    assert client.get("/api/v1/auth/tokens").status_code == 200


def test_the_session_needs_the_csrf_token_for_writes(citizen):
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    assert_error(post_json(client, "/api/v1/notifications/read"), 403, "csrf_failed")
    client.cookies["csrftoken"] = "b" * 32
    assert (
        post_json(client, "/api/v1/notifications/read", HTTP_X_CSRFTOKEN="b" * 32).status_code
        == 200
    )


def test_a_token_needs_no_csrf_token_for_writes(citizen):
    client = Client(enforce_csrf_checks=True)
    raw = api_token_issue(user=citizen)
    assert post_json(client, "/api/v1/notifications/read", **auth(raw)).status_code == 200


# --- language -----------------------------------------------------------------------------


def test_messages_follow_accept_language(client):
    en = client.get("/api/v1/auth/tokens", HTTP_ACCEPT_LANGUAGE="en")
    vi = client.get("/api/v1/auth/tokens", HTTP_ACCEPT_LANGUAGE="vi")
    default = client.get("/api/v1/auth/tokens")
    assert (
        en["Content-Language"] == "en"
        and vi["Content-Language"] == default["Content-Language"] == "vi"
    )
    assert en.json()["error"]["message"] == "Sign in to do this."
    assert default.json()["error"]["message"] == vi.json()["error"]["message"]
    with translation.override("vi"):
        translated = translation.gettext("Sign in to do this.") != "Sign in to do this."
    if not translated:
        pytest.skip(
            "No Vietnamese translation of the API's messages is compiled yet (locale/vi, "
            "msgids listed in docs/i18n-api-strings.txt)"
        )
    assert vi.json()["error"]["message"] != en.json()["error"]["message"]


# --- GET/DELETE /auth/tokens --------------------------------------------------------------


def test_tokens_lists_only_my_active_tokens_and_marks_the_current_one(client, citizen, citizen2):
    raw = api_token_issue(user=citizen, name="phone")
    api_token_issue(user=citizen, name="tablet")
    old = api_token_issue(user=citizen, name="old")
    api_token_issue(user=citizen2, name="theirs")
    ApiToken.objects.filter(prefix=old[:8]).update(revoked_at=timezone.now())
    tokens = client.get("/api/v1/auth/tokens", **auth(raw)).json()
    assert sorted(t["name"] for t in tokens) == ["phone", "tablet"]
    assert [t["name"] for t in tokens if t["current"]] == ["phone"]
    assert set(tokens[0]) == {"id", "name", "prefix", "created_at", "expires_at", "last_used_at", "current"}


def test_tokens_rejects_post(client, citizen):
    raw = api_token_issue(user=citizen)
    assert post_json(client, "/api/v1/auth/tokens", **auth(raw)).status_code == 405


def test_revoking_a_token_stops_it(client, citizen):
    raw = api_token_issue(user=citizen)
    token = ApiToken.objects.get()
    response = client.delete(f"/api/v1/auth/tokens/{token.pk}", **auth(raw))
    assert response.status_code == 204
    assert ApiToken.objects.get().revoked_at is not None
    assert_error(client.get("/api/v1/auth/tokens", **auth(raw)), 401, "invalid_token")


def test_revoking_someone_elses_token_is_404(client, citizen, citizen2):
    api_token_issue(user=citizen2)
    theirs = ApiToken.objects.get()
    raw = api_token_issue(user=citizen)
    assert_error(client.delete(f"/api/v1/auth/tokens/{theirs.pk}", **auth(raw)), 404, "not_found")
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None


def test_revoking_needs_a_sign_in(client, citizen):
    api_token_issue(user=citizen)
    assert_error(
        client.delete(f"/api/v1/auth/tokens/{ApiToken.objects.get().pk}"), 401, "unauthenticated"
    )


def test_token_item_rejects_get(client, citizen):
    raw = api_token_issue(user=citizen)
    assert (
        client.get(f"/api/v1/auth/tokens/{ApiToken.objects.get().pk}", **auth(raw)).status_code
        == 405
    )


# --- notifications ------------------------------------------------------------------------


def test_notifications_lists_mine_with_the_unread_count(client, citizen, citizen2):
    notify([citizen], verb="route", title="Phản ánh PA000001 đã được chuyển", url="/reports/1/")
    notify([citizen2], verb="route", title="Của người khác")
    raw = api_token_issue(user=citizen)
    response = client.get("/api/v1/notifications", **auth(raw))
    assert response.status_code == 200
    body = response.json()
    assert [n["title"] for n in body["items"]] == ["Phản ánh PA000001 đã được chuyển"]
    assert body["unread"] == 1 and body["items"][0]["read_at"] is None


def test_notifications_need_a_sign_in(client):
    assert_error(client.get("/api/v1/notifications"), 401, "unauthenticated")
    assert_error(post_json(client, "/api/v1/notifications/read"), 401, "unauthenticated")


def test_notifications_reject_delete(client, citizen):
    raw = api_token_issue(user=citizen)
    assert client.delete("/api/v1/notifications", **auth(raw)).status_code == 405
    assert client.get("/api/v1/notifications/read", **auth(raw)).status_code == 405


def test_mark_all_read(client, citizen):
    notify([citizen], verb="route", title="Một")
    notify([citizen], verb="accept", title="Hai")
    raw = api_token_issue(user=citizen)
    response = post_json(client, "/api/v1/notifications/read", **auth(raw))
    assert response.json() == {"marked": 2}
    assert client.get("/api/v1/notifications", **auth(raw)).json()["unread"] == 0


def test_mark_one_read_cannot_touch_someone_elses(client, citizen, citizen2):
    [theirs] = notify([citizen2], verb="route", title="Của người khác")
    [mine] = notify([citizen], verb="route", title="Của tôi")
    raw = api_token_issue(user=citizen)
    assert post_json(
        client, "/api/v1/notifications/read", {"id": theirs.pk}, **auth(raw)
    ).json() == {"marked": 0}
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert post_json(client, "/api/v1/notifications/read", {"id": mine.pk}, **auth(raw)).json() == {
        "marked": 1
    }


# --- the OpenAPI document -----------------------------------------------------------------


def test_the_openapi_document_describes_the_api(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["info"]["title"] == "OpenCity API" and doc["info"]["version"] == "1"
    assert "422" in doc["info"]["description"]
    paths = doc["paths"]
    for path in (
        "/api/v1/auth/token",
        "/api/v1/reports",
        "/api/v1/reports/{report_id}/route",
        "/api/v1/areas/lookup",
        "/api/v1/notifications/read",
    ):
        assert path in paths
    assert {"TokenAuth", "SessionAuth"} <= set(doc["components"]["securitySchemes"])
    for path, methods in paths.items():
        for method, operation in methods.items():
            if method == "post":
                headers = [
                    p["name"] for p in operation.get("parameters", []) if p["in"] == "header"
                ]
                assert "Idempotency-Key" in headers, path


def test_the_docs_page_is_served(client):
    assert client.get("/api/docs").status_code == 200
