"""The connected-services page /accounts/services/ ("Dịch vụ đã kết nối"): what each service
received, withdrawing a consent, and nobody else's consents."""

from __future__ import annotations

import pytest
from django.test import Client

from opencity.accounts.consent import consent_grant, release_record
from opencity.accounts.models import Consent

from .oidc_helpers import make_client

pytestmark = pytest.mark.django_db
URL = "/accounts/services/"


@pytest.fixture
def partner(db):
    return make_client("Điện lực Huế", "https://evn.example.vn/cb")


@pytest.fixture
def given(citizen, partner) -> Consent:
    consent = consent_grant(user=citizen, application=partner, scopes=["openid", "profile"], declined=["phone"])
    release_record(user=citizen, application=partner, claims=["sub", "name"], via="id_token")
    return consent


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_lists_what_each_service_received_in_vietnamese(citizen, given):
    city = make_client("Hue-S", "https://hue-s.example.vn/cb", first_party=True)
    release_record(user=citizen, application=city, claims=["sub", "name", "phone_number"], via="id_token")
    page = signed_in(citizen).get(URL).content.decode()
    assert "Dịch vụ đã kết nối" in page and "Điện lực Huế" in page
    assert "họ và tên" in page and "Rút lại đồng ý" in page
    assert "Dịch vụ của thành phố" in page  # the city service, listed and marked


def test_it_withdraws_a_consent(citizen, given):
    response = signed_in(citizen).post(URL, {"consent": given.pk})
    assert response.status_code == 302 and response["Location"] == URL
    given.refresh_from_db()
    assert given.withdrawn_at is not None
    assert "Đã rút lại đồng ý" in signed_in(citizen).get(URL).content.decode()


def test_one_cannot_withdraw_anothers_consent(citizen2, given):
    response = signed_in(citizen2).post(URL, {"consent": given.pk})
    assert response.status_code == 404
    given.refresh_from_db()
    assert given.withdrawn_at is None
    assert "Điện lực Huế" not in signed_in(citizen2).get(URL).content.decode()


def test_a_bad_consent_id_is_a_400_not_a_500(citizen, given):
    assert signed_in(citizen).post(URL, {"consent": "x"}).status_code == 400


def test_it_needs_a_session(given):
    response = Client().get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_rejects_put(citizen):
    assert signed_in(citizen).put(URL).status_code == 405
