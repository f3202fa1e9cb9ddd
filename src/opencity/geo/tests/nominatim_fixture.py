"""A tiny local Nominatim for tests: an HTTP server on 127.0.0.1 answering ``/search`` with
Nominatim-shaped JSON (no network). ``answers`` maps a query (as sent, casefolded) to the list of
results; ``status``/``delay``/``body`` simulate an outage, a slow service or a broken answer;
``requests`` records what was asked (path and headers). Use: import ``nominatim_fixture`` in
the test module and ask for the ``nominatim`` fixture."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


class FakeNominatim:
    def __init__(self) -> None:
        self.answers: dict[str, list[dict]] = {}
        self.status = 200
        self.delay = 0.0
        self.body: bytes | None = None
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 — http.server's name
                parts = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(parts.query).items()}
                fake.requests.append({"path": parts.path, "params": params, "headers": dict(self.headers)})
                if fake.delay:
                    time.sleep(fake.delay)
                if fake.status != 200:
                    self.send_response(fake.status)
                    self.end_headers()
                    return
                body = fake.body if fake.body is not None else json.dumps(
                    fake.answers.get(params.get("q", "").casefold(), [])).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def add(self, query: str, lat: float, lon: float, name: str) -> None:
        self.answers.setdefault(query.casefold(), []).append(
            {"place_id": len(self.answers) + 1, "lat": str(lat), "lon": str(lon), "display_name": name,
             "class": "highway", "type": "residential", "importance": 0.5})

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(name="nominatim")
def nominatim_fixture(settings):
    """The geocoder switched on, pointed at a local fake Nominatim."""
    fake = FakeNominatim()
    settings.OPENCITY_GEOCODER = "nominatim"
    settings.OPENCITY_GEOCODER_URL = fake.url
    settings.OPENCITY_GEOCODER_USER_AGENT = "OpenCity tests"
    settings.OPENCITY_GEOCODER_TIMEOUT = 1.0
    yield fake
    fake.close()
