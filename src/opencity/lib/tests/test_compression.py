"""Pages and JSON go out gzip-compressed to browsers that accept it; server-sent events do not."""

from __future__ import annotations

import gzip

import pytest
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory
from django.urls import reverse

from opencity.lib.compression import GZipMiddleware

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["reports:map", "reports:points", "reports:areas"])
def test_pages_and_json_are_compressed(client, name):
    response = client.get(reverse(name), HTTP_ACCEPT_ENCODING="gzip, br")
    assert response.status_code == 200
    if len(response.content) >= 200:  # smaller ones go out as they are
        assert response["Content-Encoding"] == "gzip" and "Accept-Encoding" in response["Vary"]


def test_without_accept_encoding_nothing_is_compressed(client):
    response = client.get(reverse("reports:map"))
    assert not response.has_header("Content-Encoding")


def test_static_files_are_compressed(client):
    response = client.get("/static/opencity/map.js", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    assert b"publicMap" in gzip.decompress(b"".join(response.streaming_content))


def test_server_sent_events_pass_uncompressed():
    request = RequestFactory().get("/live", HTTP_ACCEPT_ENCODING="gzip")
    stream = StreamingHttpResponse(iter([b"data: 1\n\n"]), content_type="text/event-stream; charset=utf-8")
    assert not GZipMiddleware(lambda r: stream)(request).has_header("Content-Encoding")
    page = HttpResponse(b"<p>" + b"x" * 500 + b"</p>", content_type="text/html")
    assert GZipMiddleware(lambda r: page)(request)["Content-Encoding"] == "gzip"
