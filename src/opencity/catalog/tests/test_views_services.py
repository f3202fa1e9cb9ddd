"""The home of services, a service's page, the counting redirect and favourites."""

from __future__ import annotations

import pytest
from django.utils import timezone

from opencity.catalog.models import Favourite, RecentService, ServiceOpen

pytestmark = pytest.mark.django_db


def test_the_home_of_services_lists_the_groups_for_a_visitor(client, electricity, sos):
    response = client.get("/services/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Điện lực Huế" in body and "SOS cứu hộ" in body and "Tiện ích" in body
    assert 'data-testid="favourites"' not in body


def test_search_without_diacritics_finds_the_service(client, electricity, water, sos):
    body = client.get("/services/", {"q": "dien"}).content.decode()
    assert "Điện lực Huế" in body and "Cấp nước" not in body and "SOS cứu hộ" not in body


def test_search_as_you_type_returns_only_the_results(client, electricity, water):
    response = client.get("/services/", {"q": "nuoc"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="service-results")
    body = response.content.decode()
    assert "Cấp nước Huế" in body and "<html" not in body


def test_a_citizens_favourites_come_first(client, citizen, electricity, water, sos):
    Favourite.objects.create(user=citizen, service=sos, order=1)
    client.force_login(citizen)
    body = client.get("/services/").content.decode()
    favourites = body.index('data-testid="favourites"')
    assert favourites < body.index("Điện lực Huế")
    assert body.index("SOS cứu hộ", favourites) < body.index('id="service-results"')


def test_a_citizen_stars_and_unstars_a_service(client, citizen, electricity):
    client.force_login(citizen)
    response = client.post("/services/dien-luc-hue/favourite/", {"favourite": "1", "next": "/services/?q=dien"})
    assert response.status_code == 302 and response.url == "/services/?q=dien"
    assert list(Favourite.objects.filter(user=citizen).values_list("service__code", flat=True)) == ["dien-luc-hue"]
    client.post("/services/dien-luc-hue/favourite/", {"favourite": "1"})  # again: still one
    assert Favourite.objects.filter(user=citizen).count() == 1
    client.post("/services/dien-luc-hue/favourite/", {"favourite": "0"})
    assert not Favourite.objects.filter(user=citizen).exists()


def test_starring_with_htmx_returns_the_star_pressed(client, citizen, electricity):
    client.force_login(citizen)
    response = client.post("/services/dien-luc-hue/favourite/", {"favourite": "1"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and 'aria-pressed="true"' in body and "<html" not in body


def test_unstarring_touches_only_ones_own_favourites(client, citizen, citizen2, electricity):
    Favourite.objects.create(user=citizen2, service=electricity)
    client.force_login(citizen)
    client.post("/services/dien-luc-hue/favourite/", {"favourite": "0"})
    assert Favourite.objects.filter(user=citizen2, service=electricity).exists()


def test_a_foreign_next_address_is_not_followed(client, citizen, electricity):
    client.force_login(citizen)
    response = client.post("/services/dien-luc-hue/favourite/", {"favourite": "1", "next": "https://evil.example/"})
    assert response.url == "/services/"


def test_starring_refuses_get(client, citizen, electricity):
    client.force_login(citizen)
    assert client.get("/services/dien-luc-hue/favourite/").status_code == 405
    assert not Favourite.objects.exists()


def test_a_visitor_starring_is_sent_to_log_in(client, electricity):
    response = client.post("/services/dien-luc-hue/favourite/", {"favourite": "1"})
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=/services/dien-luc-hue/")
    assert not Favourite.objects.exists()


def test_starring_an_unknown_service_is_a_404(client, citizen):
    client.force_login(citizen)
    assert client.post("/services/nope/favourite/", {"favourite": "1"}).status_code == 404


def test_opening_counts_and_redirects_to_the_external_service(client, electricity):
    response = client.get("/services/dien-luc-hue/open/")
    assert response.status_code == 302 and response.url == "https://cskh.dienluchue.example/hoa-don"
    assert response["Referrer-Policy"] == "no-referrer"
    client.get("/services/dien-luc-hue/open/")
    opens = ServiceOpen.objects.get(service=electricity)
    assert opens.count == 2 and opens.day == timezone.localdate()
    assert not RecentService.objects.exists()  # a visitor: nothing about who


def test_opening_an_internal_module_goes_to_our_page(client, sos):
    response = client.get("/services/sos-cuu-ho/open/")
    assert response.status_code == 302 and response.url == "/sos/"


def test_a_citizens_openings_make_their_recent_list(client, citizen, electricity, sos):
    client.force_login(citizen)
    client.get("/services/dien-luc-hue/open/")
    client.get("/services/sos-cuu-ho/open/")
    client.get("/services/dien-luc-hue/open/")
    assert [r.service.code for r in RecentService.objects.filter(user=citizen)] == ["dien-luc-hue", "sos-cuu-ho"]
    body = client.get("/services/").content.decode()
    recent = body.index('id="svc-recent-title"')
    assert recent < body.index("Điện lực Huế", recent) < body.index('id="service-results"')


def test_opening_an_unknown_service_is_a_404(client, db):
    assert client.get("/services/nope/open/").status_code == 404
    assert not ServiceOpen.objects.exists()


def test_opening_an_inactive_service_is_a_404_and_not_counted(client, electricity):
    electricity.active = False
    electricity.save()
    assert client.get("/services/dien-luc-hue/open/").status_code == 404
    assert client.get("/services/dien-luc-hue/").status_code == 404
    assert not ServiceOpen.objects.exists()


def test_opening_refuses_post(client, electricity):
    assert client.post("/services/dien-luc-hue/open/").status_code == 405


def test_the_service_page_has_its_description_and_open_button(client, electricity):
    body = client.get("/services/dien-luc-hue/").content.decode()
    assert "Hóa đơn tiền điện" in body and 'href="/services/dien-luc-hue/open/"' in body
    assert 'rel="noopener noreferrer"' in body


def test_the_first_screen_links_the_services(client, electricity):
    body = client.get("/").content.decode()
    assert 'data-testid="home-services"' in body and 'href="/services/"' in body
