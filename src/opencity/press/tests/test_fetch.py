"""The fetcher against a local server: conditional GET, size limit, redirects (each hop checked),
non-public addresses."""

import pytest

from opencity.press import fetch


def test_it_fetches_and_then_asks_conditionally(press_server):
    url = press_server.serve("/feed.xml", "<rss/>", etag='"v1"', headers={"Last-Modified": "Thu, 03 Dec 2026 10:00:00 GMT"})
    first = fetch.get(url)
    assert first.status == 200 and first.content == b"<rss/>" and first.header("etag") == '"v1"'
    again = fetch.get(url, etag='"v1"', last_modified="Thu, 03 Dec 2026 10:00:00 GMT")
    assert again.not_modified
    sent = press_server.hits("/feed.xml")[1]
    assert sent["If-None-Match"] == '"v1"' and sent["If-Modified-Since"] == "Thu, 03 Dec 2026 10:00:00 GMT"


def test_a_page_larger_than_the_limit_is_refused_by_its_length(press_server, settings):
    settings.OPENCITY_PRESS_MAX_BYTES = 1000
    url = press_server.serve("/big", b"x" * 5000)
    with pytest.raises(fetch.FetchError) as refused:
        fetch.get(url)
    assert refused.value.code == "too_large"


def test_a_50_mb_page_without_a_length_is_cut_off_and_refused(press_server, settings):
    settings.OPENCITY_PRESS_MAX_BYTES = 1024 * 1024
    url = press_server.serve("/endless", endless=True)
    with pytest.raises(fetch.FetchError) as refused:
        fetch.get(url)
    assert refused.value.code == "too_large"


def test_a_server_that_hangs_is_given_up_at_the_deadline(press_server, settings):
    settings.OPENCITY_PRESS_TIMEOUT_SECONDS = 0.3
    url = press_server.serve("/slow", b"<rss/>", stall=1.5)
    with pytest.raises(fetch.FetchError) as refused:
        fetch.get(url)
    assert refused.value.code == "timeout"


def test_a_redirect_loop_ends_as_an_error(press_server):
    press_server.serve("/a", status=302, headers={"Location": "/b"})
    press_server.serve("/b", status=302, headers={"Location": "/a"})
    with pytest.raises(fetch.FetchError) as refused:
        fetch.get(press_server.url("/a"))
    assert refused.value.code == "redirects"
    assert len(press_server.requests) == 2


def test_redirects_are_followed_up_to_the_limit(press_server, settings):
    settings.OPENCITY_PRESS_MAX_REDIRECTS = 2
    for i in range(4):
        press_server.serve(f"/r{i}", status=301, headers={"Location": f"/r{i + 1}"})
    press_server.serve("/r4", "ok")
    with pytest.raises(fetch.FetchError) as refused:
        fetch.get(press_server.url("/r0"))
    assert refused.value.code == "redirects"
    settings.OPENCITY_PRESS_MAX_REDIRECTS = 5
    assert fetch.get(press_server.url("/r0")).content == b"ok"


def test_a_redirect_to_a_non_public_address_is_refused_at_that_hop(press_server):
    press_server.serve("/out", status=302, headers={"Location": "http://10.1.2.3/admin"})
    with pytest.raises(fetch.FetchError) as refused:
        fetch.get(press_server.url("/out"))
    assert refused.value.code == "refused"


def test_a_loopback_address_is_refused_unless_a_setting_allows_it(press_server, settings):
    url = press_server.serve("/feed.xml", "<rss/>")
    settings.OPENCITY_PRESS_ALLOWED_NETWORKS = []
    with pytest.raises(fetch.FetchError) as refused:
        fetch.get(url)
    assert refused.value.code == "refused"
    assert press_server.requests == []


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "file:///etc/passwd", "http://user:pw@127.0.0.1/", "nonsense"])
def test_only_plain_http_and_https_addresses_are_fetched(url, settings):
    settings.OPENCITY_PRESS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    with pytest.raises(fetch.FetchError) as refused:
        fetch.get(url)
    assert refused.value.code == "refused"


def test_an_error_status_is_an_error(press_server):
    with pytest.raises(fetch.FetchError) as refused:
        fetch.get(press_server.url("/missing"))
    assert refused.value.code == "http"


def test_the_host_clock_spaces_requests_to_one_host(monkeypatch):
    slept = []
    monkeypatch.setattr(fetch.time, "sleep", slept.append)
    clock = fetch.HostClock()
    clock.wait("a.vn", 2.0)
    clock.wait("b.vn", 2.0)
    clock.wait("a.vn", 2.0)
    assert len(slept) == 1 and 1.5 < slept[0] <= 2.0
