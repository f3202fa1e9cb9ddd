"""Pages and JSON go out gzip-compressed to browsers that accept it; server-sent events do not;
static files go out as compressed once, at collectstatic (lib/staticfiles.py)."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest
from django.core.management import call_command
from django.http import HttpResponse, StreamingHttpResponse
from django.templatetags.static import static
from django.test import Client, RequestFactory
from django.urls import reverse

from opencity.lib.compression import GZipMiddleware
from opencity.lib.staticfiles import StaticFirst

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


@pytest.fixture
def collected(settings, tmp_path):
    """The static files collected as `make setup` does, into a directory of the test's own."""
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", interactive=False, verbosity=0)
    yield settings.STATIC_ROOT


def test_static_files_are_served_pre_compressed_under_hashed_names(collected):
    url = static("opencity/map.js")
    assert re.fullmatch(r"/static/opencity/map\.[0-9a-f]{12}\.js", url)
    assert (collected / url.removeprefix("/static/")).with_suffix(".js.br").exists()
    client = Client()
    for accept, encoding, decode in (("gzip", "gzip", gzip.decompress), ("gzip, deflate, br", "br", brotli.decompress)):
        response = client.get(url, HTTP_ACCEPT_ENCODING=accept)
        assert response.status_code == 200 and response["Content-Encoding"] == encoding
        assert b"publicMap" in decode(b"".join(response.streaming_content))
        assert "immutable" in response["Cache-Control"] and response["X-Content-Type-Options"] == "nosniff"


def test_static_files_are_answered_before_django(collected):
    """The WSGI application (wsgi.py) answers a static file without entering Django."""
    entered = []

    def django(environ, start_response):
        entered.append(environ["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"django"]

    app = StaticFirst(django)
    seen = {}

    def start_response(status, headers):
        seen.update(status=status, headers=dict(headers))

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": static("opencity/app.css"), "HTTP_ACCEPT_ENCODING": "br",
               "wsgi.url_scheme": "http", "SERVER_NAME": "testserver", "SERVER_PORT": "80", "QUERY_STRING": ""}
    body = b"".join(app(environ, start_response))
    assert entered == [] and seen["status"].startswith("200") and seen["headers"]["Content-Encoding"] == "br"
    assert b"--" in brotli.decompress(body)  # the stylesheet's custom properties
    b"".join(app({**environ, "PATH_INFO": "/healthz"}, start_response))
    assert entered == ["/healthz"]


def test_before_collectstatic_the_plain_names_are_served(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "empty"
    settings.STATIC_ROOT.mkdir()
    assert static("opencity/map.js") == "/static/opencity/map.js"
    assert Client().get("/static/opencity/map.js").status_code == 200


def test_server_sent_events_pass_uncompressed():
    request = RequestFactory().get("/live", HTTP_ACCEPT_ENCODING="gzip")
    stream = StreamingHttpResponse(iter([b"data: 1\n\n"]), content_type="text/event-stream; charset=utf-8")
    assert not GZipMiddleware(lambda r: stream)(request).has_header("Content-Encoding")
    page = HttpResponse(b"<p>" + b"x" * 500 + b"</p>", content_type="text/html")
    assert GZipMiddleware(lambda r: page)(request)["Content-Encoding"] == "gzip"
