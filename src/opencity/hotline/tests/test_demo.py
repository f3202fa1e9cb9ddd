"""The demo's hotline calls: about 300 in October–November of last year, peaking with the flood,
linked to what the hotline filed, deterministic and idempotent."""

from __future__ import annotations

import datetime as dt
import time

from django.utils import timezone

from opencity.emergency.demo import demo_load_rescue
from opencity.emergency.models import RescueRequest
from opencity.hotline.demo import demo_load_calls
from opencity.hotline.models import Call, CallBack, CallState, Topic
from opencity.hotline.selectors import call_counts


def _snapshot():
    # call-backs have no exchange id: order them by time, then number (NULLs sort anywhere on PostgreSQL)
    return list(Call.objects.order_by("external_id", "started_at", "phone")
                .values_list("external_id", "phone", "topic", "outcome", "state"))


def test_the_flood_calls_are_loaded_once_linked_and_weighted_to_the_peak(db, hotline, operator, make_report):
    demo_load_rescue()
    started = time.monotonic()
    result = demo_load_calls()
    assert time.monotonic() - started < 10
    assert result.loaded and demo_load_calls().loaded is False
    year = timezone.localtime().year - 1
    flood = Call.objects.filter(started_at__year=year, started_at__month__in=[10, 11])
    assert 280 <= flood.count() <= 380
    assert flood.filter(direction="inbound").count() > 4 * flood.filter(direction="outbound").count()
    hotline_filed = RescueRequest.objects.filter(filed_by__isnull=False).count()
    assert result.linked_rescues == hotline_filed > 0
    assert Call.objects.filter(rescue_requests__isnull=False, outcome="rescue_created").count() == hotline_filed
    # the peak days are busiest and mostly about rescue
    peak = call_counts(user=hotline, start=dt.date(year, 10, 26), end=dt.date(year, 10, 29))
    calm = call_counts(user=hotline, start=dt.date(year, 10, 5), end=dt.date(year, 10, 8))
    assert peak.total > 3 * calm.total
    topics = {code: n for code, _label, n in peak.topics}
    assert topics.get(Topic.RESCUE, 0) == max(n for code, n in topics.items() if code)
    # every call-back of the floods was made (an outbound call), none left a year overdue
    old = CallBack.objects.filter(call__started_at__year=year)
    assert old.exists() and not old.filter(done_at__isnull=True).exists()
    assert all(cb.result_call is None or cb.result_call.parent_id == cb.call_id for cb in old)
    # this week: a few calls and one overdue call-back for the console
    assert CallBack.objects.filter(done_at__isnull=True, due_at__lt=timezone.now()).count() == 1
    for call in Call.objects.all():
        call.full_clean(validate_unique=False)
        assert call.state == call.derive_state() or call.state == CallState.MISSED


def test_the_demo_is_deterministic(db, hotline, operator):
    demo_load_rescue()
    demo_load_calls()
    first = _snapshot()
    Call.objects.all().delete()
    demo_load_calls()
    assert _snapshot() == first
