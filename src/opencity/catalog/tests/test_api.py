"""``/api/v1/services`` and ``/api/v1/news``."""

from __future__ import annotations

import pytest

from opencity.catalog.models import Favourite, NewsStatus

pytestmark = pytest.mark.django_db


def test_the_catalogue_is_grouped_and_public(client, electricity, sos):
    response = client.get("/api/v1/services")
    assert response.status_code == 200
    (group,) = response.json()["groups"]
    assert group["name"] == "Tiện ích"
    codes = {s["code"] for s in group["services"]}
    assert codes == {"dien-luc-hue", "sos-cuu-ho"}
    electricity_out = next(s for s in group["services"] if s["code"] == "dien-luc-hue")
    assert electricity_out["open_url"] == "http://testserver/services/dien-luc-hue/open/"
    assert electricity_out["kind"] == "external" and electricity_out["favourite"] is False


def test_the_catalogue_is_searched_without_diacritics(client, electricity, water, sos):
    body = client.get("/api/v1/services", {"q": "DIEN"}).json()
    assert [s["code"] for g in body["groups"] for s in g["services"]] == ["dien-luc-hue"]


def test_one_service_and_an_unknown_one(client, electricity):
    assert client.get("/api/v1/services/dien-luc-hue").json()["name"] == "Điện lực Huế"
    response = client.get("/api/v1/services/nope")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_favourites_need_a_signed_in_person(client, electricity):
    assert client.get("/api/v1/services/favourites").status_code == 401
    assert client.put("/api/v1/services/favourites/dien-luc-hue").status_code == 401
    assert not Favourite.objects.exists()


def test_a_citizen_adds_lists_and_removes_favourites(client, citizen, citizen2, electricity, sos):
    Favourite.objects.create(user=citizen2, service=sos)  # someone else's
    client.force_login(citizen)
    assert client.put("/api/v1/services/favourites/dien-luc-hue").json()["favourite"] is True
    assert [s["code"] for s in client.get("/api/v1/services/favourites").json()] == ["dien-luc-hue"]
    listed = client.get("/api/v1/services").json()["groups"][0]["services"]
    assert {s["code"]: s["favourite"] for s in listed} == {"dien-luc-hue": True, "sos-cuu-ho": False}
    assert client.delete("/api/v1/services/favourites/dien-luc-hue").status_code == 204
    assert client.delete("/api/v1/services/favourites/sos-cuu-ho").status_code == 204  # not mine: nothing
    assert Favourite.objects.filter(user=citizen2, service=sos).exists()
    assert client.put("/api/v1/services/favourites/nope").status_code == 404


def test_favourites_refuse_a_wrong_method(client, citizen, electricity):
    client.force_login(citizen)
    assert client.post("/api/v1/services/favourites/dien-luc-hue").status_code == 405


def test_the_news_list_leaves_drafts_out(client, make_news):
    make_news("Tin đã đăng", summary="Tóm tắt")
    make_news("Bản nháp", status=NewsStatus.DRAFT)
    body = client.get("/api/v1/news").json()
    assert [n["title"] for n in body["items"]] == ["Tin đã đăng"] and body["next"] is None


def test_the_news_list_pages_with_a_cursor(client, make_news):
    for i in range(3):
        make_news(f"Tin {i}", days_ago=i + 1)
    first = client.get("/api/v1/news", {"limit": 2}).json()
    assert [n["title"] for n in first["items"]] == ["Tin 0", "Tin 1"]
    second = client.get(first["next"]).json()
    assert [n["title"] for n in second["items"]] == ["Tin 2"]


def test_one_news_item_with_its_text_and_a_draft_is_a_404(client, make_news):
    item = make_news("Tin", body="<b>không phải HTML</b>")
    draft = make_news("Nháp", status=NewsStatus.DRAFT)
    body = client.get(f"/api/v1/news/{item.pk}").json()
    assert body["body"] == "<b>không phải HTML</b>" and body["url"].endswith(f"/news/{item.pk}-tin/")
    assert client.get(f"/api/v1/news/{draft.pk}").status_code == 404


def test_the_openapi_document_describes_the_operations(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/v1/services" in paths and "/api/v1/news/{news_id}" in paths
    assert "/api/v1/services/favourites/{code}" in paths
