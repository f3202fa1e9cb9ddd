"""Counts per local day, direction and topic against hand-computed fixtures, across midnight in
Huế (UTC+7), and the caller history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.loader import render_to_string

from opencity.errors import PermissionDeniedError
from opencity.hotline import selectors, services
from opencity.hotline.models import Call

from .conftest import VN

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def _call(hotline, at: dt.datetime, *, direction="inbound", topic="rescue", missed=False):
    return Call.objects.create(direction=direction, phone="+84905123456", operator=hotline, started_at=at,
                               answered_at=None if missed else at, ended_at=at + dt.timedelta(minutes=2),
                               state="missed" if missed else "ended", topic=topic)


@pytest.fixture
def fixtures(hotline):
    """Around local midnight 27→28 Oct 2025 (= 17:00 UTC on the 27th):

    27/10 local: 16:59:59 UTC inbound rescue; 10:00 local inbound missed (no topic); 09:00 local outbound
    28/10 local: 17:00:00 UTC inbound rescue; 17:30 UTC inbound field report; 23:59 local outbound complaint
    29/10 local: 00:00 local inbound other (outside a 27–28 period)
    26/10 local: 23:59 local inbound (outside)
    """
    _call(hotline, dt.datetime(2025, 10, 27, 16, 59, 59, tzinfo=UTC))
    _call(hotline, dt.datetime(2025, 10, 27, 10, 0, tzinfo=VN), topic="", missed=True)
    _call(hotline, dt.datetime(2025, 10, 27, 9, 0, tzinfo=VN), direction="outbound", topic="rescue")
    _call(hotline, dt.datetime(2025, 10, 27, 17, 0, 0, tzinfo=UTC))
    _call(hotline, dt.datetime(2025, 10, 27, 17, 30, tzinfo=UTC), topic="field_report")
    _call(hotline, dt.datetime(2025, 10, 28, 23, 59, tzinfo=VN), direction="outbound", topic="complaint")
    _call(hotline, dt.datetime(2025, 10, 29, 0, 0, tzinfo=VN), topic="other")
    _call(hotline, dt.datetime(2025, 10, 26, 23, 59, tzinfo=VN), topic="other")


def test_counts_per_local_day_and_direction(hotline, fixtures):
    counts = selectors.call_counts(user=hotline, start=dt.date(2025, 10, 27), end=dt.date(2025, 10, 28))
    days = {d.day: (d.inbound, d.outbound, d.missed) for d in counts.days}
    assert days == {dt.date(2025, 10, 27): (2, 1, 1), dt.date(2025, 10, 28): (2, 1, 0)}
    assert (counts.inbound, counts.outbound, counts.missed, counts.total) == (4, 2, 1, 6)


def test_counts_per_topic(hotline, fixtures):
    counts = selectors.call_counts(user=hotline, start=dt.date(2025, 10, 27), end=dt.date(2025, 10, 28))
    assert [(code, n) for code, _label, n in counts.topics] == [
        ("field_report", 1), ("rescue", 3), ("complaint", 1), ("", 1)]


def test_a_single_day_and_empty_days_are_listed(hotline, fixtures):
    one = selectors.call_counts(user=hotline, start=dt.date(2025, 10, 29), end=dt.date(2025, 10, 29))
    assert [(d.day, d.inbound) for d in one.days] == [(dt.date(2025, 10, 29), 1)]
    empty = selectors.call_counts(user=hotline, start=dt.date(2025, 11, 1), end=dt.date(2025, 11, 3))
    assert [d.total for d in empty.days] == [0, 0, 0] and empty.topics == []


def test_a_reversed_period_is_read_the_right_way_round(hotline, fixtures):
    a = selectors.call_counts(user=hotline, start=dt.date(2025, 10, 28), end=dt.date(2025, 10, 27))
    assert a.start == dt.date(2025, 10, 27) and a.total == 6


def test_leaders_read_counts_and_citizens_officers_do_not(leader, citizen, officer, fixtures):
    assert selectors.call_counts(user=leader, start=dt.date(2025, 10, 27), end=dt.date(2025, 10, 27)).total == 3
    for user in (citizen, officer, None):
        with pytest.raises(PermissionDeniedError):
            selectors.call_counts(user=user, start=dt.date(2025, 10, 27), end=dt.date(2025, 10, 27))


def test_leaders_do_not_see_callers_history(leader):
    with pytest.raises(PermissionDeniedError):
        selectors.caller_history(user=leader, phone="+84905123456")


def test_the_partial_renders_the_figures(hotline, fixtures):
    counts = selectors.call_counts(user=hotline, start=dt.date(2025, 10, 27), end=dt.date(2025, 10, 28))
    html = render_to_string("hotline/partials/counts.html", {"counts": counts})
    assert 'data-testid="count-inbound">4<' in html and 'data-testid="count-outbound">2<' in html
    assert 'data-testid="count-missed">1<' in html and "27/10/2025" in html and "+84" not in html


def test_history_collects_calls_reports_and_rescues_newest_first(hotline, citizen, make_report, log_call):
    from opencity.conftest import STORY_LAT, STORY_LON
    from opencity.emergency.services import rescue_request_create

    phone = citizen.phone  # +84905000001: the citizen's own reports count too
    own = make_report(reporter=citizen)
    filed = make_report(reporter=None, filed_by=hotline, reporter_phone="0905000001", channel="hotline")
    other = make_report(reporter=None, filed_by=hotline, reporter_phone="0905999999", channel="hotline")
    rescue = rescue_request_create(actor=citizen, lat=STORY_LAT, lon=STORY_LON, people=1, needs=["medical"],
                                   client_token="history-0001")[0]
    older = log_call(phone=phone, started_at=dt.datetime.now(VN) - dt.timedelta(days=2))
    newer = log_call(phone=phone)
    history = selectors.caller_history(user=hotline, phone=phone)
    assert history.caller == citizen
    assert history.calls == [newer, older]
    assert set(history.reports) == {own, filed} and other not in history.reports
    assert history.rescues == [rescue]
    assert selectors.caller_history(user=hotline, phone=phone, exclude_call_id=newer.pk).calls == [older]


def test_the_missed_calls_list_forgets_those_called_back(hotline):
    from django.utils import timezone

    from .conftest import event

    missed = services.exchange_event_receive(payload=event("ended"))[0]
    assert selectors.call_list_missed(user=hotline) == [missed]
    services.callback_schedule(actor=hotline, call_id=missed.pk, due_at=timezone.now())
    assert selectors.call_list_missed(user=hotline) == []
