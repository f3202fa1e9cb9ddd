"""Bytes → entries: feeds, sitemaps, exports and pages; and what is refused."""

import datetime as dt

import pytest
from django.utils import translation

from opencity.press import parse

from .conftest import FIXTURES, SAMPLES


@pytest.fixture(autouse=True)
def _english():
    """The messages are read in English here; the Vietnamese ones are checked once below."""
    with translation.override("en"):
        yield


def test_the_errors_are_in_vietnamese_too():
    with translation.override("vi"), pytest.raises(parse.ParseError) as refused:
        parse.parse_export(b"user,post\n", fmt="csv")
    assert refused.value.message.startswith("Dòng tiêu đề CSV phải có author, text, link, time, reach")


def test_it_reads_an_rss_feed():
    entries = parse.parse_feed((SAMPLES / "thoisu-hue.rss").read_bytes())
    assert len(entries) == 6
    first = entries[0]
    assert first.title.startswith("Đường Trần Phú ngập sâu")
    assert "phường An Cựu" in first.summary
    assert first.author == "Minh Tâm"
    assert first.published_at == dt.datetime(2026, 12, 3, 10, 20, tzinfo=dt.UTC)


def test_a_billion_laughs_feed_is_refused_before_any_entity_expands():
    with pytest.raises(parse.ParseError) as refused:
        parse.parse_feed((FIXTURES / "billion-laughs.rss").read_bytes())
    assert "entities" in refused.value.message


def test_a_billion_laughs_sitemap_is_refused_too():
    with pytest.raises(parse.ParseError):
        parse.parse_sitemap((FIXTURES / "billion-laughs.rss").read_bytes())


def test_a_page_that_is_not_a_feed_is_a_clear_error():
    with pytest.raises(parse.ParseError) as refused:
        parse.parse_feed((FIXTURES / "malformed.rss").read_bytes())
    assert refused.value.message


def test_it_reads_a_news_sitemap():
    entries = parse.parse_sitemap((SAMPLES / "tin-mien-trung-sitemap.xml").read_bytes())
    assert [e.title[:8] for e in entries] == ["Rác thải", "Đường Tr", "Quán xá "]
    assert entries[0].published_at == dt.datetime(2026, 12, 4, 3, 30, tzinfo=dt.UTC)


def test_a_sitemap_index_is_refused_with_a_clear_error():
    index = b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' \
            b'<sitemap><loc>https://x.vn/s1.xml</loc></sitemap></sitemapindex>'
    with pytest.raises(parse.ParseError) as refused:
        parse.parse_sitemap(index)
    assert "index" in refused.value.message


def test_it_reads_a_json_export():
    entries, errors = parse.parse_export((SAMPLES / "social-export.json").read_bytes(), fmt="json")
    assert errors == []
    assert len(entries) == 6
    row, first = entries[0]
    assert row == 1 and first.author == "hue.dailylife" and first.reach == 48200


def test_a_csv_with_a_wrong_header_is_refused_whole():
    with pytest.raises(parse.ParseError) as refused:
        parse.parse_export(b"user,message,url,date\nan,x,https://x.vn,01/12/2026\n", fmt="csv")
    assert "missing: author, text, link, time, reach" in refused.value.message


def test_a_row_dated_31_february_is_an_error_of_that_row_only():
    content = ("author,text,link,time,reach\n"
               "a,Ngập đường Lê Lợi,https://x.vn/1,31/02/2026 10:00,10\n"
               "b,Đèn đường hỏng,https://x.vn/2,28/02/2026 10:00,20\n").encode()
    entries, errors = parse.parse_export(content, fmt="csv")
    assert [(n, e.author) for n, e in entries] == [(2, "b")]
    assert errors[0].row == 1 and "31/02/2026" in errors[0].message


@pytest.mark.parametrize(("row", "reason"), [
    ({"author": "a", "text": "x", "link": "ftp://x.vn", "time": "01/12/2026", "reach": 1}, "http"),
    ({"author": "a", "text": " ", "link": "https://x.vn", "time": "01/12/2026", "reach": 1}, "empty"),
    ({"author": "a", "text": "x", "link": "https://x.vn", "time": "01/12/2026", "reach": "many"}, "whole number"),
    ({"author": "a", "text": "x", "link": "https://x.vn", "time": "01/12/2999", "reach": 1}, "future"),
])
def test_bad_json_rows_are_refused_one_by_one(row, reason):
    import json

    entries, errors = parse.parse_export(json.dumps([row]).encode(), fmt="json")
    assert entries == [] and reason in errors[0].message


def test_a_file_that_is_not_utf8_or_json_is_a_clear_error():
    with pytest.raises(parse.ParseError):
        parse.parse_export(b"\xff\xfe\x00x", fmt="csv")
    with pytest.raises(parse.ParseError):
        parse.parse_export(b"{not json", fmt="json")


def test_it_reads_an_articles_text_from_its_page():
    page = parse.extract_page((FIXTURES / "article.html").read_bytes(), "https://x.vn/bai")
    assert page.title == "Triều cường gây ngập đường Chi Lăng"
    assert "phường Phú Xuân ngập sâu" in page.text
    assert "Trang chủ" not in page.text
