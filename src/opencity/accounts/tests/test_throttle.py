"""The limits module: counting per key and window, refusing with Retry-After, blocks staff can lift."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from opencity.accounts import throttle
from opencity.accounts.models import ThrottleBlock
from opencity.errors import RateLimitedError
from opencity.lib.models import AuditLog


@pytest.fixture
def tight(settings):
    settings.OPENCITY_LIMITS = "report.submit.account=2/600"
    return "report.submit.account"


def test_it_allows_up_to_the_limit_then_refuses_with_retry_after(db, tight):
    throttle.hit(tight, "user:1")
    throttle.hit(tight, "user:1")
    with pytest.raises(RateLimitedError) as caught:
        throttle.hit(tight, "user:1")
    assert caught.value.http_status == 429
    assert 1 <= caught.value.retry_after <= 600
    assert "minute" in caught.value.message or "phút" in caught.value.message


def test_it_counts_each_key_apart(db, tight):
    throttle.hit(tight, "user:1")
    throttle.hit(tight, "user:1")
    throttle.hit(tight, "user:2")  # another account is not held back


def test_check_refuses_without_counting(db, tight):
    throttle.check(tight, "user:1")
    throttle.check(tight, "user:1")
    throttle.check(tight, "user:1")  # checking alone never uses the allowance
    throttle.hit(tight, "user:1")
    throttle.hit(tight, "user:1")
    with pytest.raises(RateLimitedError):
        throttle.check(tight, "user:1")


def test_crossing_a_limit_records_one_block_per_window(db, tight):
    for _ in range(2):
        throttle.hit(tight, "user:7")
    for _ in range(3):
        with pytest.raises(RateLimitedError):
            throttle.hit(tight, "user:7")
    block = ThrottleBlock.objects.get()
    assert (block.limit, block.key, block.hits) == (tight, "user:7", 3)
    assert block.in_force


def test_an_administrator_lifts_a_block(db, tight, admin_user):
    for _ in range(2):
        throttle.hit(tight, "user:7")
    with pytest.raises(RateLimitedError):
        throttle.hit(tight, "user:7")
    block = ThrottleBlock.objects.get()
    throttle.lift(block, by=admin_user)
    block.refresh_from_db()
    assert not block.in_force and block.lifted_by == admin_user
    throttle.hit(tight, "user:7")  # allowed again
    assert AuditLog.objects.filter(action="throttle.lift", actor=admin_user).exists()


def test_hit_all_advances_every_counter_and_refuses_if_any_is_over(db, settings):
    settings.OPENCITY_LIMITS = "report.submit.account=1/600,report.submit.client=5/600"
    throttle.hit_all([("report.submit.account", "user:1"), ("report.submit.client", "client:a")])
    with pytest.raises(RateLimitedError):
        throttle.hit_all([("report.submit.account", "user:1"), ("report.submit.client", "client:a")])
    # the client's counter advanced on the refused attempt too: 2 of 5 used
    for _ in range(3):
        throttle.hit("report.submit.client", "client:a")
    with pytest.raises(RateLimitedError):
        throttle.hit("report.submit.client", "client:a")


def test_reset_forgets_the_count(db, tight):
    throttle.hit(tight, "user:1")
    throttle.hit(tight, "user:1")
    throttle.reset(tight, "user:1")
    throttle.hit(tight, "user:1")


def test_it_can_be_turned_off(db, tight, settings):
    settings.OPENCITY_THROTTLE_ENABLED = False
    for _ in range(5):
        throttle.hit(tight, "user:1")


def test_an_unknown_or_malformed_override_fails_loudly(db, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.OPENCITY_LIMITS = "report.submit.account=lots"
    with pytest.raises(ImproperlyConfigured):
        throttle.limit("report.submit.account")
    settings.OPENCITY_LIMITS = "no.such.limit=1/60"
    with pytest.raises(ImproperlyConfigured):
        throttle.limit("report.submit.account")


@pytest.mark.parametrize(
    "remote, forwarded, proxies, expected",
    [
        ("203.0.113.5", "", 0, "203.0.113.5"),
        ("203.0.113.5", "198.51.100.1", 0, "203.0.113.5"),  # no proxy trusted: header ignored
        ("10.0.0.2", "1.2.3.4, 198.51.100.1", 1, "198.51.100.1"),  # the proxy saw this client
        ("10.0.0.2", "198.51.100.1", 2, "10.0.0.2"),  # fewer hops than proxies: not trusted
        ("2001:db8:1:2:3:4:5:6", "", 0, "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.9", "", 0, "203.0.113.9"),
    ],
)
def test_the_client_address_respects_trusted_proxies(settings, remote, forwarded, proxies, expected):
    settings.OPENCITY_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert throttle.client_address(request) == expected


def test_a_rate_limited_page_answers_429_with_retry_after(client, db):
    """The page error mapping turns the error into a readable page with Retry-After."""
    from django.http import HttpRequest

    from opencity.errors import DomainErrorMiddleware

    request = HttpRequest()
    request.method = "GET"
    request.path = "/reports/new/"
    request.META["SERVER_NAME"] = "testserver"
    request.META["SERVER_PORT"] = "80"
    response = DomainErrorMiddleware(lambda r: None).process_exception(
        request, RateLimitedError(retry_after=90)
    )
    assert response.status_code == 429
    assert response["Retry-After"] == "90"


def test_a_failure_that_uses_up_the_allowance_records_the_block(db, settings):
    settings.OPENCITY_LIMITS = "signin.fail.account=3/900"
    assert not throttle.fail("signin.fail.account", "account:+84905000001")
    assert not throttle.fail("signin.fail.account", "account:+84905000001")
    assert not ThrottleBlock.objects.exists()
    assert throttle.fail("signin.fail.account", "account:+84905000001")  # the third: held back
    block = ThrottleBlock.objects.get()
    assert (block.limit, block.key, block.hits) == ("signin.fail.account", "account:+84905000001", 3)
    with pytest.raises(RateLimitedError):
        throttle.check("signin.fail.account", "account:+84905000001")
    assert throttle.fail("signin.fail.account", "account:+84905000001")
    assert ThrottleBlock.objects.count() == 1  # one row per window


def test_lifting_a_sign_in_block_lets_the_account_try_again(db, settings, admin_user):
    settings.OPENCITY_LIMITS = "signin.fail.account=1/900"
    throttle.fail("signin.fail.account", "account:+84905000001")
    with pytest.raises(RateLimitedError):
        throttle.check("signin.fail.account", "account:+84905000001")
    throttle.lift(ThrottleBlock.objects.get(), by=admin_user)
    throttle.check("signin.fail.account", "account:+84905000001")
