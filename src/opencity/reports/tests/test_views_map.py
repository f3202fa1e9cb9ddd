"""The public map's data: reports in a viewport, as points or as server-side clusters."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opencity.conftest import STORY_LAT, STORY_LON
from opencity.reports import selectors

URL = reverse("reports:points")
AROUND_STORY = f"{STORY_LAT - 0.01},{STORY_LON - 0.01},{STORY_LAT + 0.01},{STORY_LON + 0.01}"


@pytest.fixture(autouse=True)
def _no_cluster_cache(settings):
    settings.OPENCITY_MAP_CLUSTER_CACHE_SECONDS = 0


@pytest.fixture
def spread(make_report, thuan_hoa):
    """Three public reports at the story's point, two near Thuận Hóa's centre, one private."""
    near = [make_report(description=f"Đèn hỏng {i}") for i in range(3)]
    far = [make_report(description=f"Ổ gà {i}", lat=thuan_hoa.lat, lon=thuan_hoa.lon, address="") for i in range(2)]
    private = make_report(description="Riêng tư", is_public=False)
    return near, far, private


def test_it_returns_the_points_in_the_viewport_only(client, spread):
    near, far, private = spread
    data = client.get(URL, {"bbox": AROUND_STORY, "zoom": 16}).json()
    assert data["mode"] == "points" and data["more"] is False
    assert {f["properties"]["id"] for f in data["features"]} == {r.pk for r in near}
    assert data["count"] == 3
    for feature in data["features"]:  # nothing about the reporter
        assert set(feature["properties"]) == {"id", "status", "category", "icon", "created", "approx"}


def test_without_a_bbox_it_answers_for_the_whole_city(client, spread):
    near, far, private = spread
    data = client.get(URL).json()
    assert {f["properties"]["id"] for f in data["features"]} == {r.pk for r in near + far}
    assert private.pk not in {f["properties"]["id"] for f in data["features"]}


def test_zoomed_out_with_more_than_the_cap_it_returns_clusters(client, spread, monkeypatch):
    near, far, private = spread
    monkeypatch.setattr(selectors, "MAP_POINTS_MAX", 2)
    data = client.get(URL, {"zoom": 12}).json()
    assert data["mode"] == "clusters"
    counts = sorted(f["properties"]["count"] for f in data["features"])
    assert counts == [2, 3]  # the private report is never counted
    assert data["count"] == 5
    story = next(f for f in data["features"] if f["properties"]["count"] == 3)
    assert story["geometry"]["coordinates"] == pytest.approx([STORY_LON, STORY_LAT])
    assert set(story["properties"]) == {"cluster", "count"}


def test_clusters_are_cut_to_the_viewport_and_follow_the_filters(client, spread, monkeypatch, settings):
    monkeypatch.setattr(selectors, "MAP_POINTS_MAX", 1)
    settings.OPENCITY_MAP_CLUSTER_CACHE_SECONDS = 60  # the cached whole-city grid, cut per viewport
    from django.core.cache import cache

    cache.clear()
    data = client.get(URL, {"zoom": 14, "bbox": AROUND_STORY}).json()
    assert data["mode"] == "clusters" and [f["properties"]["count"] for f in data["features"]] == [3]
    data = client.get(URL, {"zoom": 14, "bbox": AROUND_STORY, "status": "resolved"}).json()
    assert data["mode"] == "points" and data["features"] == []
    cache.clear()


def test_at_street_level_it_caps_the_points_and_says_there_are_more(client, spread, monkeypatch):
    monkeypatch.setattr(selectors, "MAP_POINTS_MAX", 2)
    data = client.get(URL, {"zoom": 17, "bbox": AROUND_STORY}).json()
    assert data["mode"] == "points" and data["more"] is True and len(data["features"]) == 2


def test_the_cell_shrinks_as_the_zoom_grows():
    assert selectors.map_cell_degrees(12) == pytest.approx(2 * selectors.map_cell_degrees(13))
    assert selectors.map_cell_degrees(12) == pytest.approx(360 / 4096 * 80 / 256)  # ~80 px


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "17,107,16,108", "0,0,0,200"])
def test_it_rejects_a_bad_bbox(client, db, bbox):
    response = client.get(URL, {"bbox": bbox})
    assert response.status_code == 400 and response.json()["error"] == "bad_bbox"


def test_it_rejects_post(client, db):
    assert client.post(URL).status_code == 405


def test_points_carry_the_category_in_the_readers_language_and_the_day_in_hue(client, spread):
    import datetime as dt

    from opencity.reports.models import Report

    near, _far, _private = spread
    # 23:30 UTC on 31/12/2025 is already 1 January 2026 in Huế
    Report.objects.filter(pk=near[0].pk).update(created_at=dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC))
    data = client.get(URL, {"bbox": AROUND_STORY, "zoom": 16}).json()
    first = next(f["properties"] for f in data["features"] if f["properties"]["id"] == near[0].pk)
    assert first["created"] == "01/01/2026"
    assert first["category"] == near[0].category.name_vi and first["icon"] == near[0].category.icon
    english = client.get(URL, {"bbox": AROUND_STORY, "zoom": 16}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert {f["properties"]["category"] for f in english["features"]} == {near[0].category.name_en}
