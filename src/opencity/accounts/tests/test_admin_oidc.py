"""The identity provider in the admin: clients with their connected-service part, and the
consent ledger read-only."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from opencity.accounts.consent import consent_grant, release_record
from opencity.accounts.models import ServiceClient

from .oidc_helpers import make_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def test_an_administrator_registers_a_service_with_its_purpose(admin):
    response = admin.post("/admin/oauth2_provider/application/add/", {
        "client_id": "hospital-booking", "client_secret": "a-long-secret-for-the-hospital-0123456789",
        "hash_client_secret": "on", "client_type": "confidential", "authorization_grant_type": "authorization-code",
        "redirect_uris": "https://datlich.example.vn/cb", "post_logout_redirect_uris": "", "allowed_origins": "",
        "name": "Đặt lịch khám", "algorithm": "RS256",
        "service-TOTAL_FORMS": "1", "service-INITIAL_FORMS": "0", "service-MIN_NUM_FORMS": "1",
        "service-MAX_NUM_FORMS": "1", "service-0-first_party": "", "service-0-sector": "",
        "service-0-allowed_scopes": "openid profile phone", "service-0-purpose": "Đặt lịch khám bệnh.",
        "service-0-purpose_version": "1", "service-0-operator": "Bệnh viện",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    service = ServiceClient.objects.get(application__client_id="hospital-booking")
    assert service.allowed_scopes == "openid profile phone" and not service.first_party


def test_unknown_scopes_and_a_missing_openid_are_refused():
    service = make_client("X", "https://x.example.vn/cb").service
    for scopes in ("openid everything", "profile phone"):
        service.allowed_scopes = scopes
        with pytest.raises(ValidationError) as info:
            service.full_clean()
        assert "allowed_scopes" in info.value.message_dict


def test_the_ledger_is_read_only(admin, citizen):
    app = make_client("Điện lực", "https://evn.example.vn/cb")
    consent = consent_grant(user=citizen, application=app, scopes=["openid"])
    release_record(user=citizen, application=app, claims=["sub"], via="id_token")
    assert admin.get("/admin/accounts/consent/").status_code == 200
    assert admin.get("/admin/accounts/claimrelease/").status_code == 200
    assert admin.get("/admin/accounts/consent/add/").status_code == 403
    assert admin.post(f"/admin/accounts/consent/{consent.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin.get("/admin/oauth2_provider/application/").status_code == 200
