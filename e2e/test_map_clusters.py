"""The public map asks for its viewport: clusters counted on the server when zoomed out, a tap
zooms in, points (with their popups) when the viewport holds few reports."""

from __future__ import annotations

from playwright.sync_api import expect

from opencity.reports import selectors


def test_zoomed_out_clusters_then_points_after_zooming_in(new_page, make_report, thuan_hoa, monkeypatch, settings):
    monkeypatch.setattr(selectors, "MAP_POINTS_MAX", 3)  # the live server runs in this process
    settings.OPENCITY_MAP_CLUSTER_CACHE_SECONDS = 0
    for i in range(4):
        make_report(description=f"Đèn đường hỏng {i}")
    make_report(description="Riêng tư", is_public=False)

    page = new_page(width=1366)
    with page.expect_response(lambda r: "points.geojson" in r.url and "bbox=" in r.url and "zoom=12" in r.url):
        page.goto("/reports/map/")
    cluster = page.locator(".leaflet-marker-pane .marker-cluster").first
    expect(cluster).to_have_text("4")  # one cell holds the four public reports, not the private one
    expect(page.locator("[data-map-count]")).to_have_text("4")
    cluster.click()  # zoom in by two levels on the cluster: still more than 3 in view
    expect(page.locator("[data-map-count]")).to_have_text("4")
    monkeypatch.setattr(selectors, "MAP_POINTS_MAX", 10)
    with page.expect_response(lambda r: "points.geojson" in r.url) as answer:
        page.locator(".leaflet-control-zoom-in").click()
    data = answer.value.json()
    assert data["mode"] == "points" and len(data["features"]) == 4
    # the points, grouped on the client by markercluster (all four at one address)
    expect(page.locator(".leaflet-marker-pane .marker-cluster")).to_have_text("4")
    expect(page.locator("[data-map-count]")).to_have_text("4")
    assert not page.js_errors, page.js_errors
