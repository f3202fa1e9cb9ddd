"""``/open-data/`` in a browser (issue #14, operators 6): the index of datasets (it answered
404) on a phone and at a desk, and a download whose file name follows the reader's language."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect


@pytest.mark.parametrize("width", [390, 1366])
def test_the_open_data_index_lists_the_datasets(new_page, make_report, width):
    make_report()
    page = new_page(width=width)
    response = page.goto("/open-data/")
    assert response.status == 200
    expect(page.locator("h1")).to_have_text("Dữ liệu mở")
    for dataset in ("#reports", "#warnings", "#wards", "#apis"):
        expect(page.locator(dataset)).to_be_visible()
    expect(page.locator("#reports a[rel=license]")).to_contain_text("CC-BY-4.0")
    # when the data last changed, as Vietnamese people write dates
    expect(page.locator("#reports time")).to_have_text(re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}$"))
    expect(page.locator("#apis a", has_text="discovery.xml")).to_be_visible()
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert not page.js_errors


@pytest.mark.parametrize(("locale", "name"), [("vi-VN", "phan-anh"), ("en-US", "reports")])
def test_a_download_is_named_in_the_readers_language(new_page, make_report, locale, name):
    make_report()
    page = new_page(width=390, locale=locale)
    page.goto("/open-data/")
    with page.expect_download() as download:
        page.locator("#reports a.od-download", has_text="CSV").click()
    assert download.value.suggested_filename == f"{name}-{timezone.localdate():%Y-%m-%d}.csv"
