"""The hotline tells the console feed (lib.feed) that a call rang, was answered, ended or was
missed — never who called."""

from __future__ import annotations

import datetime as dt

import pytest

from opencity.hotline import services

from .conftest import event

pytestmark = pytest.mark.django_db



def test_each_change_of_a_calls_state_is_published_once_without_the_caller(published):
    t0 = dt.datetime.now(dt.UTC)
    services.exchange_event_receive(payload=event("started", at=t0))
    services.exchange_event_receive(payload=event("started", at=t0))  # the exchange retries: no news
    services.exchange_event_receive(payload=event("answered", at=t0 + dt.timedelta(seconds=12)))
    call, _dup = services.exchange_event_receive(payload=event("ended", at=t0 + dt.timedelta(seconds=90)))
    calls = [h for h in published if h.subject == "call"]
    assert [h.kind for h in calls] == ["call.ringing", "call.answered", "call.ended"]
    assert {h.subject_id for h in calls} == {call.pk} and calls[0].ref == call.ref
    assert "0905123456" not in str([h.payload for h in calls]) and all(h.area_id is None for h in calls)


def test_a_missed_call_is_a_warning(published):
    services.exchange_event_receive(payload=event("ended", call_id="pbx-2002"))
    calls = [(h.kind, h.severity) for h in published if h.subject == "call"]
    assert calls[-1] == ("call.missed", "warning") and ("call.answered", "info") not in calls
