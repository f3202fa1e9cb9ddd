"""The press cast: a local HTTP server standing for the newspapers (threaded ``http.server`` on
127.0.0.1, routes set by each test, every request recorded), the settings that let the fetcher
reach it, and the topics an administrator would write."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = Path(__file__).parent.parent / "samples"


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict = field(default_factory=dict)
    etag: str = ""  # answer 304 to a request with this If-None-Match
    endless: bool = False  # stream without a length, forever (a 50 MB page and more)
    stall: float = 0  # seconds to wait after the headers before the body (a server that hangs)


@dataclass
class Server:
    base: str
    routes: dict[str, Route]
    requests: list[tuple[str, dict]]

    def url(self, path: str) -> str:
        return self.base + path

    def serve(self, path: str, body: bytes | str = b"", **kwargs) -> str:
        self.routes[path] = Route(body.encode() if isinstance(body, str) else body, **kwargs)
        return self.url(path)

    def hits(self, path: str) -> list[dict]:
        return [h for p, h in self.requests if p == path]


@pytest.fixture
def press_server(settings):
    routes: dict[str, Route] = {}
    requests: list[tuple[str, dict]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802 - http.server's name
            requests.append((self.path, dict(self.headers)))
            route = routes.get(self.path)
            if route is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if route.etag and self.headers.get("If-None-Match") == route.etag:
                self.send_response(304)
                self.send_header("ETag", route.etag)
                self.end_headers()
                return
            self.send_response(route.status)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if route.etag:
                self.send_header("ETag", route.etag)
            if route.endless:
                self.send_header("Connection", "close")
                self.end_headers()
                chunk = b"<p>" + b"x" * 65536 + b"</p>"
                try:
                    for _ in range(1000):  # ~65 MB, far beyond any limit
                        self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                return
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            if route.stall:
                import time

                self.wfile.flush()
                time.sleep(route.stall)
            try:
                self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    settings.OPENCITY_PRESS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.OPENCITY_PRESS_HOST_INTERVAL_SECONDS = 0
    settings.OPENCITY_PRESS_TIMEOUT_SECONDS = 5
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_address[1]}", routes, requests)
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def flooding(db):
    from opencity.reports.models import Category

    return Category.objects.create(code="ngap-ung", name_vi="Ngập úng", name_en="Flooding", deadline_hours=8)


@pytest.fixture
def topics(db, flooding, lighting):
    from opencity.press.models import Topic

    return {
        "flood": Topic.objects.create(code="ngap", name="Ngập úng", keywords="ngập\nngập úng\ntriều cường",
                                      category=flooding, weight=15),
        "light": Topic.objects.create(code="chieu-sang", name="Chiếu sáng", keywords="đèn đường, chiếu sáng công cộng",
                                      category=lighting, weight=15),
    }


@pytest.fixture
def feed_source(db):
    from opencity.press.models import PressSource

    def make(url: str, **kwargs):
        return PressSource.objects.create(code=kwargs.pop("code", "thoisu"), name=kwargs.pop("name", "Thời sự Huế"),
                                          kind=kwargs.pop("kind", "feed"), url=url, **kwargs)

    return make


@pytest.fixture
def import_source(db):
    from opencity.press.models import PressSource

    return PressSource.objects.create(code="social", name="Công cụ lắng nghe MXH", kind="import", is_social=True)


@pytest.fixture
def rss() -> bytes:
    return (SAMPLES / "thoisu-hue.rss").read_bytes()


@pytest.fixture
def stored_item(db, topics, import_source):
    """One post about the broken street lights of Kiệt 32 Lê Văn Hưu, phường Thuận Hóa, through
    the ingest service."""
    from opencity.press.parse import Entry
    from opencity.press.services import entries_store

    entry = Entry(url="https://social.example.vn/p/1", author="thuanhoa.people", reach=25000,
                  text="Đèn đường hỏng cả tuần trên kiệt 32 Lê Văn Hưu, phường Thuận Hóa, tối om nguy hiểm, "
                       "người dân bức xúc mong sửa sớm.")
    return entries_store(source=import_source, entries=[entry]).items[0]
