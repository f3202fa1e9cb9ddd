"""The demo's identity clients: every catalogue service that says "you sign in with your city
account" names a client registered at the city's identity provider, and the portal, a city
service, signs a citizen in without a consent screen."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from oauth2_provider.models import Application

from opencity.accounts.tests.oidc_helpers import pkce_pair
from opencity.catalog.models import Service
from opencity.demo.catalog import HOSPITAL, PORTAL, demo_load_catalog
from opencity.demo.identity import demo_load_identity

pytestmark = pytest.mark.django_db


def test_every_catalogue_client_is_registered_and_the_portal_signs_in_without_asking(citizen):
    demo_load_catalog()
    assert demo_load_identity() == 2 and demo_load_identity() == 0
    named = set(Service.objects.exclude(client_id="").values_list("client_id", flat=True))
    assert named and named <= set(Application.objects.values_list("client_id", flat=True))
    portal = Application.objects.get(client_id=PORTAL)
    assert portal.service.first_party and not Application.objects.get(client_id=HOSPITAL).service.first_party
    browser = Client()
    browser.force_login(citizen)
    _verifier, challenge = pkce_pair()
    response = browser.get("/o/authorize/", {
        "response_type": "code", "client_id": PORTAL, "redirect_uri": portal.redirect_uris.split()[0],
        "scope": "openid profile", "state": "s", "nonce": "n", "code_challenge": challenge,
        "code_challenge_method": "S256"})
    assert response.status_code == 302, response.content[:300]
    assert "code" in parse_qs(urlsplit(response["Location"]).query)
