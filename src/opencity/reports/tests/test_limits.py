"""reports/limits.py: what a report submit counts against, and what it never counts."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.utils import translation

from opencity.accounts import throttle
from opencity.errors import RateLimitedError
from opencity.reports import limits

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_a_window(settings):
    settings.OPENCITY_LIMITS = "report.submit.account=1/600"


def _request(address="203.0.113.5"):
    return RequestFactory().post("/reports/new/", REMOTE_ADDR=address)


def test_the_second_submit_of_an_account_is_refused_with_a_readable_message(citizen, one_a_window):
    limits.count_submit(_request(), user=citizen, client_token="t-1")
    with translation.override("en"), pytest.raises(RateLimitedError) as caught:
        limits.count_submit(_request(), user=citizen, client_token="t-2")
    assert caught.value.limit == "report.submit.account" and caught.value.retry_after <= 600
    assert "minute" in caught.value.message and "1900 1075" in caught.value.message


def test_a_token_this_account_already_used_is_a_free_retry(citizen, make_report, one_a_window):
    make_report(client_token="made-before")
    limits.count_submit(_request(), user=citizen, client_token="fresh")
    for _ in range(3):
        limits.count_submit(_request(), user=citizen, client_token=" made-before ")


def test_someone_elses_token_is_not_a_free_retry(citizen2, make_report, one_a_window):
    make_report(client_token="theirs")  # the citizen's report
    limits.count_submit(_request(), user=citizen2, client_token="theirs")
    with pytest.raises(RateLimitedError):
        limits.count_submit(_request(), user=citizen2, client_token="theirs")


def test_staff_accounts_are_not_counted(operator, one_a_window):
    for i in range(5):
        limits.count_submit(_request(), user=operator, client_token=f"ioc-{i}")


def test_without_an_account_only_the_client_is_counted(settings):
    settings.OPENCITY_LIMITS = "report.submit.client=2/600"
    limits.count_submit(_request())
    limits.count_submit(_request())
    with pytest.raises(RateLimitedError) as caught:
        limits.count_submit(_request())
    assert caught.value.limit == "report.submit.client"
    limits.count_submit(_request("198.51.100.2"))  # another address


def test_it_says_hours_for_a_days_limit():
    with translation.override("en"):
        assert limits.wait_text(90) == "2 minutes"
        assert limits.wait_text(119 * 60) == "119 minutes"
        assert limits.wait_text(5 * 3600 - 30) == "5 hours"
    with translation.override("vi"):
        assert limits.wait_text(600) == "10 phút"


def test_turned_off_nothing_is_counted(citizen, one_a_window, settings):
    settings.OPENCITY_THROTTLE_ENABLED = False
    for i in range(3):
        limits.count_submit(_request(), user=citizen, client_token=f"t-{i}")
    assert throttle.enabled() is False
