"""Shelter services: open and close for an incident, check households in and out, capacity by
day and at night, the over-capacity refusal and its override, idempotent check-ins, the notice
to shelter managers and the console feed."""

from __future__ import annotations

import datetime as dt
import threading
import time
import zoneinfo

import pytest
from django.conf import settings
from django.db import connection, transaction

from opencity.errors import ConflictError, PermissionDeniedError, ValidationError
from opencity.incidents import services
from opencity.incidents.models import Shelter, ShelterStay
from opencity.incidents.services.shelters import capacity_at, is_night, occupancy_of
from opencity.lib import feed
from opencity.lib.models import AuditLog

from .shelter_cast import *  # noqa: F403 — the shelter fixtures
from .shelter_cast import new_token

pytestmark = pytest.mark.django_db
HUE = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def check_in(actor, shelter, people=3, **kwargs):
    params = {"actor": actor, "shelter_id": shelter.pk, "head_name": "Hồ Văn Dân", "people": people}
    params.update(kwargs)
    return services.shelter_check_in(**params)


# --- opening and closing ----------------------------------------------------------------------------


def test_an_operator_opens_a_shelter_of_the_incidents_wards(operator, open_incident, make_shelter):
    incident, shelter = open_incident(), make_shelter()
    services.shelter_open(actor=operator, incident_id=incident.pk, shelter_id=shelter.pk)
    shelter.refresh_from_db()
    assert shelter.is_open and shelter.incident == incident
    assert AuditLog.objects.filter(action="incident.shelter_open", target_id=str(shelter.pk)).exists()
    # opening it again for the same incident changes nothing
    services.shelter_open(actor=operator, incident_id=incident.pk, shelter_id=shelter.pk)
    assert Shelter.objects.get().version == shelter.version


def test_a_shelter_outside_the_incidents_wards_is_refused(operator, open_incident, make_shelter, city):
    from opencity.geo.selectors import wards

    other_ward = wards().exclude(name__in=["Phú Xuân", "Thuận Hóa"]).first()
    incident = open_incident()
    shelter = make_shelter(area=other_ward)
    with pytest.raises(ValidationError) as exc:
        services.shelter_open(actor=operator, incident_id=incident.pk, shelter_id=shelter.pk)
    assert exc.value.field == "shelter"
    assert not Shelter.objects.get().is_open


def test_a_shelter_open_for_another_incident_is_a_conflict(operator, open_incident, opened):
    shelter = opened()
    second = open_incident(name="Bão số 13")
    with pytest.raises(ConflictError):
        services.shelter_open(actor=operator, incident_id=second.pk, shelter_id=shelter.pk)


def test_a_citizen_cannot_open_a_shelter(citizen, open_incident, make_shelter):
    incident, shelter = open_incident(), make_shelter()
    with pytest.raises(PermissionDeniedError):
        services.shelter_open(actor=citizen, incident_id=incident.pk, shelter_id=shelter.pk)


def test_a_ward_commander_opens_only_the_shelters_of_their_ward(open_incident, make_shelter, ward_commander,
                                                                thuan_hoa):
    incident = open_incident()
    commander = ward_commander(incident)
    mine, theirs = make_shelter(), make_shelter(name="Trường THCS Nguyễn Tri Phương", kind="school", area=thuan_hoa)
    services.shelter_open(actor=commander, incident_id=incident.pk, shelter_id=mine.pk)
    with pytest.raises(PermissionDeniedError):
        services.shelter_open(actor=commander, incident_id=incident.pk, shelter_id=theirs.pk)


def test_closing_is_refused_while_households_are_checked_in(operator, opened, manager):
    shelter = opened()
    check_in(manager, shelter, people=4)
    with pytest.raises(ConflictError) as exc:
        services.shelter_close(actor=manager, shelter_id=shelter.pk)
    assert "1" in exc.value.message and "4" in exc.value.message
    assert Shelter.objects.get().is_open
    # once everyone has left, or confirming they all have, it closes
    closed = services.shelter_close(actor=manager, shelter_id=shelter.pk, check_out_all=True)
    assert not closed.is_open and occupancy_of(closed) == 0
    assert ShelterStay.objects.get().checked_out_at is not None


def test_closing_with_a_stale_version_is_a_conflict(operator, opened):
    shelter = opened()
    with pytest.raises(ConflictError):
        services.shelter_close(actor=operator, shelter_id=shelter.pk, expected_version=shelter.version - 1)
    services.shelter_close(actor=operator, shelter_id=shelter.pk, expected_version=shelter.version)
    assert not Shelter.objects.get().is_open


def test_open_and_close_go_to_the_console_feed(operator, opened):
    seen: list[feed.Happening] = []

    def listen(sender, happening, **kwargs):
        seen.append(happening)

    feed.happened.connect(listen)
    try:
        shelter = opened()
        services.shelter_close(actor=operator, shelter_id=shelter.pk)
    finally:
        feed.happened.disconnect(listen)
    kinds = [h.kind for h in seen if h.kind.startswith("incident.shelter_")]
    assert kinds == ["incident.shelter_open", "incident.shelter_close"]
    opening = next(h for h in seen if h.kind == "incident.shelter_open")
    assert opening.subject == "incident" and opening.area_id == shelter.area_id
    assert (opening.lat, opening.lon) == (shelter.lat, shelter.lon)


# --- households -------------------------------------------------------------------------------------


def test_a_manager_registers_and_checks_out_a_household(opened, manager, thuan_hoa):
    shelter = opened()
    stay = check_in(manager, shelter, people=5, phone="0905 123 456", from_area_id=thuan_hoa.pk,
                    needs="Người già, trẻ sơ sinh")
    assert stay.phone == "+84905123456" and stay.from_area == thuan_hoa and stay.incident == shelter.incident
    assert occupancy_of(shelter) == 5
    services.shelter_check_out(actor=manager, stay_id=stay.pk)
    services.shelter_check_out(actor=manager, stay_id=stay.pk)  # a second tap changes nothing
    assert occupancy_of(shelter) == 0  # never below zero


@pytest.mark.parametrize("field, value", [("people", 0), ("people", 101), ("people", "năm"), ("phone", "12345"),
                                          ("head_name", "   "), ("from_area_id", "999999")])
def test_bad_input_is_refused_naming_the_field(opened, manager, field, value):
    shelter = opened()
    with pytest.raises(ValidationError) as exc:
        check_in(manager, shelter, **{field: value})
    assert exc.value.field == field.removesuffix("_id") or exc.value.field == field
    assert not ShelterStay.objects.exists()


def test_a_check_in_past_the_capacity_is_refused_with_the_places_left(opened, manager):
    shelter = opened(capacity_day=10, capacity_night=10)
    check_in(manager, shelter, people=8)
    with pytest.raises(ValidationError) as exc:
        check_in(manager, shelter, people=3)
    assert exc.value.code == "over_capacity" and exc.value.field == "people"
    assert "2" in exc.value.message and "8 / 10" in exc.value.message
    assert occupancy_of(shelter) == 8
    check_in(manager, shelter, people=2)  # exactly full is fine
    assert occupancy_of(shelter) == 10


def test_an_override_reason_registers_over_capacity_and_is_audited(opened, manager):
    shelter = opened(capacity_day=4, capacity_night=4)
    stay = check_in(manager, shelter, people=6, over_capacity_reason="Nước lên nhanh, không còn điểm khác")
    assert stay.over_capacity_reason == "Nước lên nhanh, không còn điểm khác"
    entry = AuditLog.objects.get(action="incident.shelter_over_capacity")
    assert entry.data["people"] == 6 and entry.data["capacity"] == 4
    # a reason given when it fits is not kept
    shelter2 = opened(name="Trường Tiểu học Phú Xuân", capacity_day=50, capacity_night=50)
    assert check_in(manager, shelter2, over_capacity_reason="phòng khi").over_capacity_reason == ""


def test_the_night_capacity_applies_from_18_to_6_in_hue(make_shelter):
    shelter = make_shelter(capacity_day=120, capacity_night=60)
    at = lambda h, m=0: dt.datetime(2026, 11, 2, h, m, tzinfo=HUE)  # noqa: E731
    assert [is_night(at(h)) for h in (5, 6, 12, 17, 18, 23)] == [True, False, False, False, True, True]
    assert capacity_at(shelter, at(17, 59)) == 120 and capacity_at(shelter, at(18)) == 60
    assert capacity_at(shelter, at(5, 59)) == 60 and capacity_at(shelter, at(6)) == 120


def test_the_same_form_sent_twice_registers_once(opened, manager, operator):
    shelter = opened()
    token = new_token()
    first = check_in(manager, shelter, people=3, client_token=token)
    again = check_in(manager, shelter, people=3, client_token=token)
    assert first.pk == again.pk and ShelterStay.objects.count() == 1
    with pytest.raises(ConflictError):  # someone else's token is never their stay
        check_in(operator, shelter, client_token=token)


def test_a_closed_shelter_takes_no_household(operator, opened, manager):
    shelter = opened()
    services.shelter_close(actor=operator, shelter_id=shelter.pk)
    with pytest.raises(ConflictError):
        check_in(manager, shelter)


@pytest.mark.parametrize("who, allowed", [("manager", True), ("operator", True), ("leader", True),
                                          ("commander_here", True), ("commander_there", False),
                                          ("citizen", False), ("officer", False)])
def test_who_registers_households(request, opened, ward_commander, th_official, who, allowed):
    shelter = opened()
    if who == "commander_here":
        actor = ward_commander(shelter.incident)
    elif who == "commander_there":
        actor = ward_commander(shelter.incident, user=th_official)
    else:
        actor = request.getfixturevalue(who)
    if allowed:
        assert check_in(actor, shelter).pk
    else:
        with pytest.raises(PermissionDeniedError):
            check_in(actor, shelter)


# --- the notice to shelter managers --------------------------------------------------------------


def test_the_notice_reaches_the_managers_of_the_open_shelters_once(operator, opened, manager, citizen2):
    from opencity.notifications.models import Notification

    first = opened()
    second = opened(incident=first.incident, name="Trường Tiểu học Phú Xuân", kind="school")
    second.managers.add(citizen2)
    token = new_token()
    reached = services.shelter_notice(actor=operator, incident_id=first.incident_id,
                                      message="Chuẩn bị đón thêm 30 hộ dân trước 20:00", client_token=token)
    assert reached == 2  # the manager of both shelters is told once
    assert Notification.objects.filter(verb="shelter_notice").count() == 2
    assert set(Notification.objects.values_list("user_id", flat=True)) == {manager.pk, citizen2.pk}
    # the same form sent again sends nothing more, and says the same
    assert services.shelter_notice(actor=operator, incident_id=first.incident_id, message="x",
                                   client_token=token) == 2
    assert Notification.objects.count() == 2


def test_no_notice_without_an_open_shelter(operator, open_incident):
    incident = open_incident()
    with pytest.raises(ValidationError):
        services.shelter_notice(actor=operator, incident_id=incident.pk, message="Chuẩn bị")


def test_a_citizen_cannot_send_the_notice(citizen, opened):
    shelter = opened()
    with pytest.raises(PermissionDeniedError):
        services.shelter_notice(actor=citizen, incident_id=shelter.incident_id, message="Chuẩn bị")


# --- two check-ins at the same moment ----------------------------------------------------------------

_db = settings.DATABASES["default"]
real_concurrency = pytest.mark.skipif(
    _db["ENGINE"].endswith("sqlite3") and not (_db.get("TEST") or {}).get("NAME"),
    reason="needs a file or server database",
)


@real_concurrency
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_check_ins_at_once_cannot_both_pass_the_capacity(opened, manager, operator):
    """The first check-in holds the shelter's row while its transaction is open; the second
    waits for it and then counts the first one's people (without the lock it would read 0 and
    pass: 12 people in a shelter of 10)."""
    shelter = opened(capacity_day=10, capacity_night=10)
    holding = threading.Event()
    results: dict[str, object] = {}

    def first():
        try:
            with transaction.atomic():
                results["first"] = check_in(manager, shelter, people=6)
                holding.set()
                time.sleep(0.5)  # still inside the transaction: the row stays locked
        except Exception as exc:  # noqa: BLE001 — the test inspects it
            results["first"] = exc
            holding.set()
        finally:
            connection.close()

    def second():
        holding.wait(timeout=10)
        try:
            results["second"] = check_in(operator, shelter, people=6)
        except Exception as exc:  # noqa: BLE001
            results["second"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert isinstance(results["first"], ShelterStay), results
    assert isinstance(results["second"], ValidationError) and results["second"].code == "over_capacity", results
    assert occupancy_of(shelter) == 6
