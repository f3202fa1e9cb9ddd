"""Property-based tests of the JSON API against its own OpenAPI document (schemathesis).

The schema is read from the WSGI application in-process, and every generated request goes
through the same application, on the test's database connection: nothing to start, and the
ordinary ``django_db`` transaction rolls everything back. For each operation: no generated
input gives a 5xx, and every answer (status, content type, body) is one the document
describes. Bounded (a few examples per operation, no deadline) so that it runs in ``make test``.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from opencity.accounts.services import api_token_issue

# the production WSGI application; its start-up checks refuse the console SMS backend with
# DEBUG off unless it is meant, as it is in tests (opencity/startup.py)
with override_settings(OPENCITY_SMS_ALLOW_CONSOLE=True):
    from opencity.wsgi import application

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# schemathesis asks for gzip, as the requests library does, but its WSGI transport does not
# decode the answer; compression has its own tests (bench/tests/test_compression.py).
PLAIN = {"Accept-Encoding": "identity"}
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same inputs on every run: a failure here is reproducible
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True)
def _keep_the_connection():
    """Django closes the database connection when a request starts and finishes; the test client turns
    that off around its requests, and so must we: the requests share the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def report(make_report):
    """A public report, so that some generated ids exist."""
    return make_report(description="Đèn đường hỏng trước nhà số 12")


@pytest.fixture
def token(citizen) -> str:
    return api_token_issue(user=citizen)


# Read once, at collection (it needs no database). ``schemathesis.pytest.from_fixture`` would
# load it per test, but 4.32 sets ``Item._nodeid``, which pytest 9 no longer has.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@schema.include(method="GET").parametrize()
@SETTINGS
def test_public_reads_hold_to_the_schema(case, report):
    case.call_and_validate(headers=PLAIN, checks=CHECKS)


@schema.include(method="POST").parametrize()
@SETTINGS
def test_posts_with_a_token_hold_to_the_schema(case, report, token):
    case.call_and_validate(headers={**PLAIN, "Authorization": f"Bearer {token}"}, checks=CHECKS)
