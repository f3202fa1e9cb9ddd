"""The home of services on a phone: a citizen searches "dien" without diacritics, finds the
electricity company, stars it, and after a reload it is first on the home of services; then
reads a news item."""

from __future__ import annotations

from playwright.sync_api import expect

from opencity.catalog.models import Favourite
from opencity.demo.catalog import demo_load_catalog


def test_a_citizen_finds_stars_and_keeps_a_service_and_reads_the_news(login, citizen):
    demo_load_catalog()
    page = login(citizen)  # 390 px wide

    # From the first screen to the home of services.
    page.goto("/")
    page.get_by_test_id("home-services").get_by_role("link", name="Tất cả dịch vụ").click()
    page.wait_for_url("**/services/")
    expect(page.get_by_test_id("favourites")).to_have_count(0)

    # Typing without diacritics finds the electricity company (search as you type, htmx).
    page.get_by_test_id("service-search").fill("dien")
    results = page.locator("#service-results [data-testid=service-tile]")
    expect(results.first).to_contain_text("Điện lực Huế")
    expect(page.locator("#service-results")).not_to_contain_text("Cấp nước Huế")
    results.first.locator(".svc-link").click()
    page.wait_for_url("**/services/dien-luc-hue/")

    # Star it on its page.
    card = page.get_by_test_id("service-card")
    expect(card.get_by_role("heading")).to_have_text("Điện lực Huế")
    card.get_by_test_id("star").click()
    expect(card.get_by_test_id("star")).to_have_attribute("aria-pressed", "true")
    assert list(Favourite.objects.filter(user=citizen).values_list("service__code", flat=True)) == ["dien-luc-hue"]

    # After a reload it is the first tile of the home of services.
    page.goto("/services/")
    page.reload()
    favourites = page.get_by_test_id("favourites")
    expect(favourites.get_by_test_id("service-tile").first).to_have_attribute("data-code", "dien-luc-hue")
    box = favourites.bounding_box()
    results_box = page.locator("#service-results").bounding_box()
    assert box and results_box and box["y"] < results_box["y"]

    # The news: open the latest item.
    page.goto("/news/")
    first = page.get_by_test_id("news-item").first
    title = first.get_by_role("link").inner_text()
    first.get_by_role("link").click()
    expect(page.get_by_test_id("news-article").get_by_role("heading", level=1)).to_have_text(title)
    assert page.js_errors == []
