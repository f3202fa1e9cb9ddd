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
    report = received_at(make_report(), timezone.now() - dt.timedelta(hours=3, minutes=20, seconds=5))
    client.force_login(operator)
    body = client.get(reverse("reports:triage")).content.decode()
    assert f'title="Nhận lúc {vn_datetime(report.created_at)}">chờ 3 giờ 20 phút</time>' in body


def test_triage_puts_the_oldest_first_within_a_priority(client, make_report, operator):
    now = timezone.now()
    newer = received_at(make_report(), now - dt.timedelta(minutes=5))
    older = received_at(make_report(), now - dt.timedelta(hours=2))
    urgent = received_at(make_report(), now - dt.timedelta(minutes=1))
    services.report_set_priority(report_id=urgent.pk, actor=operator, priority=3)
    client.force_login(operator)
    rows = [r.pk for r in client.get(reverse("reports:triage")).context["page"]]
    assert rows == [urgent.pk, older.pk, newer.pk]
