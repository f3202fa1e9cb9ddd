"""The triage queue shows how long each report has waited, oldest first within a priority
(issue #14, operators 7)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from opencity.reports import services
from opencity.reports.templatetags.list_tags import waited_text
from opencity.reports.templatetags.report_tags import vn_datetime
from opencity.reports.tests.helpers import received_at

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 20, 10, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("ago, vi, en", [
    (dt.timedelta(seconds=30), "chờ chưa đến 1 phút", "waiting under a minute"),
    (dt.timedelta(minutes=7), "chờ 7 phút", "waiting 7 min"),
    (dt.timedelta(hours=3, minutes=20, seconds=59), "chờ 3 giờ 20 phút", "waiting 3 h 20 min"),
    (dt.timedelta(hours=5), "chờ 5 giờ", "waiting 5 h"),
    (dt.timedelta(days=2, hours=4, minutes=10), "chờ 2 ngày 4 giờ", "waiting 2 d 4 h"),
    (dt.timedelta(days=3), "chờ 3 ngày", "waiting 3 d"),
    (-dt.timedelta(minutes=5), "chờ chưa đến 1 phút", "waiting under a minute"),  # clocks a little apart
])
def test_the_wait_reads_naturally(ago, vi, en):
    with override("vi"):
        assert waited_text(NOW - ago, NOW) == vi
    with override("en"):
        assert waited_text(NOW - ago, NOW) == en


def test_each_triage_row_shows_the_wait_with_the_exact_time(client, make_report, operator):
    report = received_at(make_report(), timezone.now() - dt.timedelta(hours=1, minutes=20, seconds=5))
    client.force_login(operator)
    response = client.get(reverse("reports:triage"))
    body = response.content.decode()
    assert f'title="Nhận lúc {vn_datetime(report.created_at)}">chờ 1 giờ 20 phút</time>' in body
    assert response.context["late"] == 0 and 'data-testid="triage-late"' not in body


def test_reports_past_the_verification_target_are_marked_in_words(client, make_report, operator, settings):
    """Past OPENCITY_TRIAGE_TARGET_MINUTES (2 h by default) a row says so — not only in colour —
    and the header counts them."""
    now = timezone.now()
    late = received_at(make_report(), now - dt.timedelta(hours=3, minutes=20, seconds=5))
    received_at(make_report(), now - dt.timedelta(minutes=30))
    client.force_login(operator)
    response = client.get(reverse("reports:triage"))
    body = response.content.decode()
    assert (f'<time class="waited late" datetime="{late.created_at.isoformat()}" '
            f'title="Nhận lúc {vn_datetime(late.created_at)}" data-late="1">chờ 3 giờ 20 phút · '
            f'quá mục tiêu xác minh 2 giờ</time>') in body
    assert body.count('data-late="1"') == 1 and response.context["late"] == 1
    assert "1 phản ánh quá mục tiêu xác minh 2 giờ" in body
    settings.OPENCITY_TRIAGE_TARGET_MINUTES = 90
    body = client.get(reverse("reports:triage"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "over the 1 h 30 min target" in body


def test_triage_puts_the_oldest_first_within_a_priority(client, make_report, operator):
    now = timezone.now()
    newer = received_at(make_report(), now - dt.timedelta(minutes=5))
    older = received_at(make_report(), now - dt.timedelta(hours=2))
    urgent = received_at(make_report(), now - dt.timedelta(minutes=1))
    services.report_set_priority(report_id=urgent.pk, actor=operator, priority=3)
    client.force_login(operator)
    rows = [r.pk for r in client.get(reverse("reports:triage")).context["page"]]
    assert rows == [urgent.pk, older.pk, newer.pk]
