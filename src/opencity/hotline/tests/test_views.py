"""The console, a call's page, call-backs, history and counts: happy path, wrong method, wrong
user, and bad input answered with a 4xx."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from opencity.hotline import services
from opencity.hotline.models import Call, CallBack, CallState, OperatorPresence
from opencity.lib.models import AuditLog

from .conftest import event

pytestmark = pytest.mark.django_db


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def _log_data(**extra):
    data = {"direction": "inbound", "phone": "0905 123 456", "started_at": _local(timezone.now() - dt.timedelta(minutes=3)),
            "duration": "2:05", "topic": "public_service", "outcome": "resolved", "note": "Hỏi thủ tục"}
    data.update(extra)
    return data


# --- who may use it --------------------------------------------------------------------------

GETS = ["hotline:console", "hotline:incoming", "hotline:history"]


@pytest.mark.parametrize("name", GETS + ["hotline:counts"])
def test_visitors_are_sent_to_log_in(client, name):
    r = client.get(reverse(name))
    assert r.status_code == 302 and "/accounts/login" in r["Location"]


@pytest.mark.parametrize("who", ["citizen", "officer", "ward_official", "leader"])
@pytest.mark.parametrize("name", GETS)
def test_people_outside_the_hotline_are_refused(client, request, who, name):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("who", ["citizen", "officer", "leader"])
def test_people_outside_the_hotline_cannot_post(client, request, who, log_call):
    call = log_call()
    client.force_login(request.getfixturevalue(who))
    for url, data in [(reverse("hotline:call_new"), _log_data()), (reverse("hotline:presence"), {"available": "1"}),
                      (reverse("hotline:take", args=[call.pk]), {}),
                      (reverse("hotline:wrap_up", args=[call.pk]), {"topic": "other", "outcome": "resolved"}),
                      (reverse("hotline:callback_new", args=[call.pk]), {"due_at": _local(timezone.now())})]:
        assert client.post(url, data).status_code == 403, url
    assert client.get(reverse("hotline:call", args=[call.pk])).status_code == 403
    assert Call.objects.count() == 1 and not CallBack.objects.exists()


@pytest.mark.parametrize("who", ["hotline", "operator", "admin_user"])
def test_hotline_and_ioc_operators_use_the_console(client, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    r = client.get(reverse("hotline:console"))
    assert r.status_code == 200 and b'hx-trigger="every 3s"' in r.content and b"<script>" not in r.content
    assert f'href="{reverse("hotline:console")}"'.encode() in r.content  # the nav link


def test_the_nav_link_is_only_for_the_console_users(client, citizen, leader):
    for user in (citizen, leader):
        client.force_login(user)
        assert b'href="/hotline/"' not in client.get("/").content


@pytest.mark.parametrize("name", GETS + ["hotline:counts"])
def test_get_pages_reject_post(client, hotline, name):
    client.force_login(hotline)
    assert client.post(reverse(name)).status_code == 405


@pytest.mark.parametrize("name", ["hotline:call_new", "hotline:presence"])
def test_post_endpoints_reject_get(client, hotline, name):
    client.force_login(hotline)
    assert client.get(reverse(name)).status_code == 405


def test_call_endpoints_reject_get(client, hotline, log_call):
    call = log_call()
    cb = services.callback_schedule(actor=hotline, call_id=call.pk, due_at=timezone.now() + dt.timedelta(hours=1))
    client.force_login(hotline)
    for url in (reverse("hotline:take", args=[call.pk]), reverse("hotline:wrap_up", args=[call.pk]),
                reverse("hotline:callback_new", args=[call.pk]), reverse("hotline:callback_log", args=[cb.pk])):
        assert client.get(url).status_code == 405, url
    assert client.post(reverse("hotline:call", args=[call.pk])).status_code == 405


# --- logging a call ---------------------------------------------------------------------------

def test_logging_a_call_goes_to_its_page(client, hotline, caller):
    client.force_login(hotline)
    r = client.post(reverse("hotline:call_new"), _log_data())
    call = Call.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("hotline:call", args=[call.pk])
    assert call.duration_seconds == 125 and call.caller == caller and call.topic == "public_service"
    page = client.get(r["Location"])
    assert page.status_code == 200 and "0905 123 456" in page.content.decode() and caller.full_name in page.content.decode()


@pytest.mark.parametrize("change, field", [
    ({"phone": "123"}, "phone"), ({"direction": "x"}, "direction"), ({"started_at": "hôm qua"}, "started_at"),
    ({"duration": "abc"}, "duration"), ({"duration": "3:75"}, "duration"), ({"topic": ""}, "topic"),
    ({"outcome": "nope"}, "outcome"),
    ({"started_at": _local(timezone.now() + dt.timedelta(days=1))}, "started_at"),
])
def test_bad_input_to_the_log_form_is_a_400_with_the_field(client, hotline, change, field):
    client.force_login(hotline)
    r = client.post(reverse("hotline:call_new"), _log_data(**change))
    assert r.status_code == 400 and r.context["log_form"].errors.get(field), r.context["log_form"].errors
    assert not Call.objects.exists()


# --- the incoming panel, taking a call, wrapping up -------------------------------------------

def test_the_incoming_panel_shows_the_offered_call_with_the_callers_history(client, hotline, caller, log_call):
    earlier = log_call(topic="complaint")
    client.force_login(hotline)
    client.post(reverse("hotline:presence"), {"available": "1"})
    assert OperatorPresence.objects.get(user=hotline).available
    call = services.exchange_event_receive(payload=event("started"))[0]
    r = client.get(reverse("hotline:incoming"), HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and 'data-testid="incoming-call"' in html
    assert "0905 123 456" in html and caller.full_name in html and earlier.ref in html
    assert reverse("hotline:take", args=[call.pk]) in html
    assert AuditLog.objects.filter(action="hotline.caller_history", actor=hotline, target_id=str(call.pk)).count() == 1
    client.get(reverse("hotline:incoming"), HTTP_HX_REQUEST="true")  # the next poll: not audited again
    assert AuditLog.objects.filter(action="hotline.caller_history", actor=hotline).count() == 1


def test_an_operator_sets_their_extension_and_stays_away(client, hotline):
    client.force_login(hotline)
    r = client.post(reverse("hotline:presence"), {"available": "0", "extension": "101"})
    assert r.status_code == 302
    presence = OperatorPresence.objects.get(user=hotline)
    assert presence.extension == "101" and not presence.available
    assert 'data-testid="extension-form"' in client.get(reverse("hotline:console")).content.decode()


def test_presence_with_bad_input_is_a_400(client, hotline):
    client.force_login(hotline)
    assert client.post(reverse("hotline:presence"), {"available": "maybe"}).status_code == 400
    assert client.post(reverse("hotline:presence"), {"available": "1", "extension": "abc"}).status_code == 400


def test_take_then_wrap_up(client, hotline):
    call = services.exchange_event_receive(payload=event("started"))[0]
    client.force_login(hotline)
    r = client.post(reverse("hotline:take", args=[call.pk]))
    assert r.status_code == 302 and r["Location"] == reverse("hotline:call", args=[call.pk])
    r = client.post(reverse("hotline:wrap_up", args=[call.pk]),
                    {"topic": "warning_info", "outcome": "resolved", "note": "Đã hướng dẫn", "end": "on", "duration": ""})
    assert r.status_code == 302
    call.refresh_from_db()
    assert call.state == CallState.ENDED and call.operator == hotline and call.topic == "warning_info"


def test_taking_a_call_someone_else_has_is_a_409(client, hotline, hotline2):
    call = services.exchange_event_receive(payload=event("started"))[0]
    services.call_take(actor=hotline2, call_id=call.pk)
    client.force_login(hotline)
    assert client.post(reverse("hotline:take", args=[call.pk])).status_code == 409


def test_an_unknown_call_is_a_404(client, hotline):
    client.force_login(hotline)
    assert client.get(reverse("hotline:call", args=[999999])).status_code == 404
    assert client.post(reverse("hotline:take", args=[999999])).status_code == 404


def test_bad_wrap_up_is_a_400(client, hotline, log_call):
    call = log_call()
    client.force_login(hotline)
    r = client.post(reverse("hotline:wrap_up", args=[call.pk]), {"topic": "nope", "outcome": "resolved"})
    assert r.status_code == 400 and r.context["wrap_form"].errors.get("topic")


def test_wrapping_up_a_ringing_call_is_a_409(client, hotline):
    call = services.exchange_event_receive(payload=event("started"))[0]
    client.force_login(hotline)
    r = client.post(reverse("hotline:wrap_up", args=[call.pk]), {"topic": "other", "outcome": "resolved"})
    assert r.status_code == 409


# --- call-backs -------------------------------------------------------------------------------

def test_schedule_and_log_a_call_back(client, hotline, hotline2, log_call):
    call = log_call()
    client.force_login(hotline)
    r = client.post(reverse("hotline:callback_new", args=[call.pk]),
                    {"due_at": _local(timezone.now() + dt.timedelta(hours=1)), "assigned_to": str(hotline2.pk),
                     "note": "Báo kết quả"})
    assert r.status_code == 302
    cb = CallBack.objects.get()
    assert cb.assigned_to == hotline2
    console = client.get(reverse("hotline:console")).content.decode()
    assert 'data-testid="callbacks"' in console and "Báo kết quả" in console
    r = client.post(reverse("hotline:callback_log", args=[cb.pk]), {"outcome": "resolved", "duration": "1:30"})
    assert r.status_code == 302
    cb.refresh_from_db()
    assert cb.done_at and cb.result_call.direction == "outbound" and cb.result_call.duration_seconds == 90


@pytest.mark.parametrize("data, field", [
    ({"due_at": ""}, "due_at"), ({"due_at": "soon"}, "due_at"), ({"due_at": "2001-01-01T08:00"}, "due_at"),
    ({"assigned_to": "abc"}, "assigned_to"),
])
def test_bad_call_back_input_is_a_400(client, hotline, log_call, data, field):
    call = log_call()
    client.force_login(hotline)
    payload = {"due_at": _local(timezone.now() + dt.timedelta(hours=1))}
    payload.update(data)
    r = client.post(reverse("hotline:callback_new", args=[call.pk]), payload)
    assert r.status_code == 400 and r.context["callback_form"].errors.get(field), r.context["callback_form"].errors
    assert not CallBack.objects.exists()


def test_bad_call_back_log_is_a_400_and_a_second_log_a_409(client, hotline, log_call):
    call = log_call()
    cb = services.callback_schedule(actor=hotline, call_id=call.pk, due_at=timezone.now() + dt.timedelta(hours=1))
    client.force_login(hotline)
    assert client.post(reverse("hotline:callback_log", args=[cb.pk]), {"outcome": ""}).status_code == 400
    assert client.post(reverse("hotline:callback_log", args=[cb.pk]), {"outcome": "resolved"}).status_code == 302
    assert client.post(reverse("hotline:callback_log", args=[cb.pk]), {"outcome": "resolved"}).status_code == 409


# --- history and counts ------------------------------------------------------------------------

def test_history_by_phone_lists_calls_reports_and_rescues_and_is_audited(client, hotline, log_call, make_report):
    call = log_call()
    report = make_report(reporter=None, filed_by=hotline, reporter_phone="0905123456", reporter_name="Bà Gọi",
                         channel="hotline")
    client.force_login(hotline)
    r = client.get(reverse("hotline:history"), {"phone": "0905.123.456"})
    html = r.content.decode()
    assert r.status_code == 200 and call.ref in html and report.ref in html
    assert AuditLog.objects.filter(action="hotline.caller_history", actor=hotline, target_id="+84905123456").exists()


def test_history_with_a_bad_number_is_a_400(client, hotline):
    client.force_login(hotline)
    assert client.get(reverse("hotline:history"), {"phone": "12ab"}).status_code == 400


def test_leaders_read_the_counts_but_not_the_console(client, leader, log_call):
    log_call()
    client.force_login(leader)
    r = client.get(reverse("hotline:counts"))
    assert r.status_code == 200 and b'data-testid="hotline-counts"' in r.content
    assert b"0905 123 456" not in r.content and b"+84905123456" not in r.content
    assert client.get(reverse("hotline:counts"), HTTP_HX_REQUEST="true").content.lstrip().startswith(b"<div")


@pytest.mark.parametrize("who", ["citizen", "officer"])
def test_citizens_and_officers_do_not_read_the_counts(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("hotline:counts")).status_code == 403


@pytest.mark.parametrize("params", [{"start": "32/13/2025"}, {"end": "x"}, {"start": "01/01/2020", "end": "01/01/2025"},
                                    # a day's bounds in year 1 or 9999 overflow (these were a 500)
                                    {"start": "0001-01-01", "end": "0001-01-02"},
                                    {"start": "30/12/9999", "end": "31/12/9999"}])
def test_bad_count_periods_are_a_400(client, hotline, params):
    client.force_login(hotline)
    assert client.get(reverse("hotline:counts"), params).status_code == 400


def test_a_count_date_out_of_range_is_named(client, leader):
    client.force_login(leader)
    r = client.get(reverse("hotline:counts"), {"start": "31/12/9999", "end": "31/12/9999"})
    assert r.status_code == 400 and "1900" in r.content.decode()


# --- filing for a caller from a call --------------------------------------------------------------

def test_a_report_filed_from_a_call_is_linked_and_prefilled(client, hotline, caller, lighting, log_call):
    from opencity.conftest import STORY_LAT, STORY_LON

    call = log_call(topic="other", outcome="callback_needed")
    client.force_login(hotline)
    url = reverse("reports:new") + f"?for=caller&call={call.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["reporter_phone"] == "0905 123 456"
    assert page.context["form"].initial["reporter_name"] == caller.full_name
    r = client.post(url, {"category": lighting.pk, "description": "Đèn đường hỏng ở kiệt 32", "lat": STORY_LAT,
                          "lon": STORY_LON, "is_public": "on", "client_token": "from-call-0001",
                          "reporter_name": "Trần Thị Gọi", "reporter_phone": "0905 123 456"})
    assert r.status_code == 302 and r["Location"] == reverse("hotline:call", args=[call.pk])
    call.refresh_from_db()
    report = call.reports.get()
    assert report.channel == "hotline" and report.reporter_phone == "+84905123456"
    assert call.outcome == "report_created"
    assert report.ref in client.get(r["Location"]).content.decode()


def test_a_rescue_request_filed_from_a_call_is_linked(client, hotline, log_call):
    from opencity.conftest import STORY_LAT, STORY_LON

    call = log_call(topic="rescue", outcome="transferred")
    client.force_login(hotline)
    url = reverse("emergency:new_for_caller") + f"?for=caller&call={call.pk}"
    page = client.get(url)
    assert page.status_code == 200 and f"call={call.pk}" in page.content.decode()
    r = client.post(url, {"for": "caller", "lat": STORY_LAT, "lon": STORY_LON, "people": "3", "needs": ["evacuation"],
                          "client_token": "from-call-rescue-1", "caller_name": "Bà Gọi", "caller_phone": "0905123456"})
    assert r.status_code == 302 and r["Location"] == reverse("hotline:call", args=[call.pk])
    assert call.rescue_requests.count() == 1


def test_filing_for_an_unknown_call_is_a_404_and_files_nothing(client, hotline, lighting):
    client.force_login(hotline)
    assert client.get(reverse("reports:new") + "?for=caller&call=999999").status_code == 404
    assert client.get(reverse("emergency:new_for_caller") + "?for=caller&call=abc").status_code == 404


def test_a_citizen_cannot_use_the_call_parameter(client, citizen, log_call):
    call = log_call()
    client.force_login(citizen)
    r = client.get(reverse("reports:new") + f"?for=caller&call={call.pk}")
    assert r.status_code == 200 and "0905 123 456" not in r.content.decode()  # plain citizen form
    assert client.get(reverse("emergency:new_for_caller") + f"?for=caller&call={call.pk}").status_code == 403
