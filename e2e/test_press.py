"""Press monitoring in the browser (issue #19): an operator finds a news item about broken street
lights in the press queue, turns it into a field report, and the urban-works company's officer
finds the report in the unit's inbox with the article's link; the city's response then shows on
the public responses page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

ARTICLE = "https://thoisuhue.example.vn/do-thi/hang-loat-den-duong-hong-tren-kiet-32-le-van-huu.html"


def news_item(lighting):
    """The article as the ingest service stores it from a feed."""
    from opencity.press.models import PressSource, Topic
    from opencity.press.parse import Entry
    from opencity.press.services import entries_store

    Topic.objects.create(code="chieu-sang", name="Chiếu sáng", keywords="đèn đường\nchiếu sáng", category=lighting)
    source = PressSource.objects.create(code="thoisu-hue", name="Thời sự Huế", kind="feed",
                                        url="https://thoisuhue.example.vn/rss", default_reach=20000)
    entry = Entry(url=ARTICLE, title="Hàng loạt đèn đường hỏng trên kiệt 32 Lê Văn Hưu",
                  summary="Nhiều ngày nay, đèn chiếu sáng công cộng trên kiệt 32 Lê Văn Hưu, phường Thuận Hóa bị "
                          "hỏng, cả con kiệt tối om. Người dân bức xúc, mong sớm sửa chữa.", author="Hoài Thu")
    return entries_store(source=source, entries=[entry]).items[0]


@pytest.mark.e2e
def test_an_operator_turns_a_news_item_into_a_report_that_reaches_the_unit(login, operator, officer, lighting,
                                                                          lighting_rule):
    item = news_item(lighting)
    page = login(operator, width=1366)
    page.goto(reverse("press:items"))
    queue = page.get_by_test_id("press-list")
    expect(queue).to_contain_text("Hàng loạt đèn đường hỏng")
    queue.get_by_role("link", name="Hàng loạt đèn đường hỏng trên kiệt 32 Lê Văn Hưu").click()
    page.wait_for_url(f"**/press/{item.pk}/")
    expect(page.get_by_test_id("item-link")).to_have_attribute("href", ARTICLE)
    form = page.get_by_test_id("report-form")
    expect(form.locator("select[name=category]")).to_have_value(str(lighting.pk))  # the topic's category
    page.get_by_test_id("item-to-report").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("item-status")).to_have_attribute("data-status", "reported")
    report_link = page.get_by_test_id("item-report")
    expect(report_link).to_contain_text("PA")
    ref = report_link.inner_text().strip()
    expect(page.get_by_test_id("item-steps")).to_contain_text(operator.full_name)
    assert page.js_errors == []

    unit = login(officer, width=390)
    unit.goto(reverse("reports:inbox"))
    expect(unit.locator("main")).to_contain_text(ref)
    unit.get_by_role("link", name=ref).first.click()
    unit.wait_for_load_state()
    expect(unit.locator("main")).to_contain_text("Hàng loạt đèn đường hỏng")
    link = unit.locator(f'a[href="{ARTICLE}"]')
    expect(link).to_have_count(1)
    assert unit.evaluate("document.documentElement.scrollWidth") <= 390
    assert unit.js_errors == []


@pytest.mark.e2e
def test_a_visitor_reads_the_citys_response_with_the_original_link(new_page, operator, lighting):
    from opencity.press.services import item_answer, item_respond

    item = news_item(lighting)
    item_answer(actor=operator, item_id=item.pk, answer="Công ty đã thay 6 bộ đèn; kiệt 32 đã sáng trở lại.")
    item_respond(actor=operator, item_id=item.pk)
    page = new_page(width=390)
    page.goto(reverse("press_public:responses"))
    card = page.get_by_test_id(f"response-{item.pk}")
    expect(card).to_contain_text("kiệt 32 đã sáng trở lại")
    expect(card.locator(f'a[href="{ARTICLE}"]')).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.js_errors == []
