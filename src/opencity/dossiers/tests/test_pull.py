"""The scheduled pull, against a one-stop system faked by a local HTTP server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from opencity.dossiers.models import Dossier, ImportRun
from opencity.dossiers.services import dossiers_pull, pull_due
from opencity.dossiers.tasks import pull_one_stop

from .conftest import row


class FakeOneStop:
    def __init__(self):
        self.pages: list = []  # what each page answers: (status, body bytes) or "sleep"
        self.requests: list[dict] = []


@pytest.fixture
def one_stop(settings, ward_unit, urban_works):
    fake = FakeOneStop()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            query = parse_qs(urlsplit(self.path).query)
            fake.requests.append({"query": query, "auth": self.headers.get("Authorization", "")})
            page = int(query.get("page", ["1"])[0])
            answer = fake.pages[min(page, len(fake.pages)) - 1]
            if answer == "sleep":
                time.sleep(1.5)
                answer = (200, b"[]")
            status, body = answer
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.OPENCITY_DOSSIERS_URL = f"http://127.0.0.1:{server.server_address[1]}/api/hoso"
    settings.OPENCITY_DOSSIERS_TOKEN = "s3cret"
    settings.OPENCITY_DOSSIERS_TIMEOUT = 1
    yield fake
    server.shutdown()
    server.server_close()


def _json(obj) -> tuple[int, bytes]:
    return 200, json.dumps(obj).encode()


def test_it_is_off_without_a_url(db, settings):
    settings.OPENCITY_DOSSIERS_URL = ""
    assert pull_due() is False
    assert pull_one_stop.call_local() == ""


def test_a_pull_imports_every_page_and_keeps_the_cursor(one_stop):
    one_stop.pages = [_json({"data": [row("P-0001")], "page": 1, "total_pages": 2}),
                      _json({"data": [row("P-0002")], "page": 2, "total_pages": 2, "cursor": "20261106080000"})]
    run = dossiers_pull()
    assert (run.status, run.created, run.cursor) == ("done", 2, "20261106080000")
    assert Dossier.objects.count() == 2
    assert one_stop.requests[0]["auth"] == "Bearer s3cret"
    one_stop.pages = [_json([])]
    dossiers_pull()
    assert one_stop.requests[-1]["query"]["since"] == ["20261106080000"]


def test_the_same_answer_twice_changes_nothing(one_stop):
    one_stop.pages = [_json([row("P-0001"), row("P-0002")])]
    dossiers_pull()
    run = dossiers_pull()
    assert (run.created, run.changed, run.unchanged) == (0, 0, 2)


@pytest.mark.parametrize(("answer", "reason"), [
    ((200, b"<html>oops</html>"), "not JSON"),
    ((200, b'{"data": "nope"}'), "not a list of dossiers"),
    ((503, b"busy"), "HTTP 503"),
    ("sleep", "timeout"),
])
def test_a_bad_answer_marks_the_pull_failed_and_retries_later(one_stop, answer, reason):
    one_stop.pages = [answer]
    run = dossiers_pull()
    assert run.status == "failed" and reason in run.reason
    assert run.retry_after > run.started_at
    assert Dossier.objects.count() == 0
    assert pull_due() is False  # backing off
    assert pull_due(now=run.retry_after + dt.timedelta(seconds=1)) is True
    second = dossiers_pull(now=run.retry_after + dt.timedelta(seconds=1))
    assert second.attempt == 2
    assert second.retry_after - second.started_at > run.retry_after - run.started_at  # longer each time


def test_the_periodic_task_runs_a_due_pull(one_stop):
    one_stop.pages = [_json([row("P-0001")])]
    assert pull_one_stop.call_local() == "done"
    assert pull_one_stop.call_local() == ""  # not due again before the interval
    assert ImportRun.objects.filter(kind="pull").count() == 1


def test_row_errors_of_a_pull_are_kept_on_the_run(one_stop):
    one_stop.pages = [_json([row("P-0001"), row("P-0002", status="42")])]
    run = dossiers_pull()
    assert run.status == "done" and run.created == 1
    assert run.errors[0]["line"] == 2 and "42" in run.errors[0]["en"]
