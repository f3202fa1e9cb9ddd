"""Reading ids, coordinates and ``next`` from requests (``lib.params``)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from opencity.lib.params import (
    MAX_ID,
    BadParameter,
    parse_coordinate,
    parse_id,
    require_id,
    require_int,
    safe_next,
)


@pytest.mark.parametrize(("raw", "expected"), [
    ("1", 1), (" 42 ", 42), (7, 7), (str(MAX_ID), MAX_ID), (MAX_ID, MAX_ID),
    ("0", None), ("-1", None), ("9" * 30, None), (str(MAX_ID + 1), None), (MAX_ID + 1, None),
    ("²", None), ("１２", None), ("1e3", None), ("abc", None), ("", None), (None, None), (True, None),
])
def test_it_reads_only_ids_a_database_column_can_hold(raw, expected):
    assert parse_id(raw) == expected


def test_require_id_names_the_field():
    assert require_id("", field="unit", required=False) is None
    with pytest.raises(BadParameter) as caught:
        require_id("9" * 30, field="unit")
    assert caught.value.field == "unit" and caught.value.http_status == 400
    with pytest.raises(BadParameter):
        require_id("", field="unit")


def test_require_int_bounds_the_digits():
    assert require_int("400", field="h", digits=4) == 400
    assert require_int("", field="h", required=False) is None
    for raw in ("12345", "-1", "1.5", "²", "abc"):
        with pytest.raises(BadParameter):
            require_int(raw, field="h", digits=4)


@pytest.mark.parametrize("raw", ["inf", "-inf", "nan", "1e308", "91", "-90.0001", "abc", "", None])
def test_a_latitude_is_a_finite_number_on_earth(raw):
    with pytest.raises(BadParameter):
        parse_coordinate(raw, field="lat", limit=90)


def test_a_coordinate_within_bounds_is_read():
    assert parse_coordinate(" 16.47 ", field="lat", limit=90) == 16.47
    assert parse_coordinate("-180", field="lon", limit=180) == -180


@pytest.mark.parametrize(("raw", "kept"), [
    ("/reports/5/", True), ("/reports/?page=2#top", True),
    ("https://evil.example/", False), ("//evil.example/", False), ("/\\evil.example", False),
    ("javascript:alert(1)", False), ("reports/5/", False), ("http://testserver/reports/", False),
    ("", False), (None, False),
])
def test_next_is_a_path_of_this_site_or_the_fallback(raw, kept):
    request = RequestFactory().post("/x/")
    assert safe_next(request, raw, "/fallback/") == (raw if kept else "/fallback/")


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["1" * 30, "-1", "²", "0"])
def test_an_id_choice_the_database_cannot_hold_is_an_invalid_choice(raw):
    """Issue #13 probe: a 30-digit ward id in the warning form was an OverflowError on SQLite."""
    from django import forms

    from opencity.geo.models import Area
    from opencity.lib.params import IdMultipleChoiceField

    field = IdMultipleChoiceField(queryset=Area.objects.all())
    with pytest.raises(forms.ValidationError):
        field.clean([raw])


# --- a NUL character anywhere a page reads (RefuseNulMiddleware) ------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/services/?q=%00", "/news/?q=ab%00c", "/tra-cuu-ho-so/A%00B/",
                                 "/reports/?q%00=x", "/press-responses/?q=%00"])
def test_a_page_asked_with_a_nul_character_answers_400_with_a_message(client, url):
    # /services/?q= reached PostgreSQL with the NUL and was a 500 there before the middleware
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


@pytest.mark.django_db
def test_a_form_sent_with_a_nul_character_answers_400_and_stores_nothing(client):
    from opencity.dossiers.models import Dossier

    response = client.post("/tra-cuu-ho-so/", {"code": "H57\x00", "last4": "1234"})
    assert response.status_code == 400
    assert not Dossier.objects.exists()


@pytest.mark.django_db
def test_staff_pages_refuse_a_nul_character_in_a_filter(client, leader):
    client.force_login(leader)
    for url in ("/dossiers/list/?figure=%00", "/dossiers/?period=%00", "/dossiers/d/A%00B/", "/press/?q=%00abc"):
        assert client.get(url).status_code == 400, url


@pytest.mark.django_db
def test_the_api_keeps_its_own_answer_to_a_nul_character(client):
    response = client.get("/api/v1/services?q=%00")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_a_clean_request_goes_through(client):
    assert client.get("/services/?q=%C4%91i%E1%BB%87n").status_code == 200
