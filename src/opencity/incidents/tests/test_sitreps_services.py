"""Situation reports: the sum ward → city, copying N into N+1, concurrent edits of a counter,
signing once, bad numbers, exercises kept out of the city's figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from opencity.errors import ConflictError, PermissionDeniedError, ValidationError
from opencity.incidents import selectors_sitreps as selectors
from opencity.incidents import services
from opencity.incidents.models import SituationCount

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(open_incident, operator, px_official, th_official, leader, phu_xuan, thuan_hoa):
    incident = open_incident()
    services.roster_add(actor=operator, incident_id=incident.pk, user_id=px_official.pk, position="commander",
                        area_id=phu_xuan.pk)
    services.roster_add(actor=operator, incident_id=incident.pk, user_id=th_official.pk, position="commander",
                        area_id=thuan_hoa.pk)
    return incident


def _set(actor, report, area, counter, value, version=None):
    return services.sitrep_set_count(actor=actor, report_id=report.pk, area_id=area.pk, counter=counter, value=value,
                                     expected_version=version)


def test_the_city_figure_is_the_sum_of_the_wards(incident, operator, px_official, th_official, phu_xuan, thuan_hoa):
    report = services.sitrep_start(actor=operator, incident_id=incident.pk)
    assert report.number == 1 and SituationCount.objects.filter(report=report).count() == 2 * 12
    _set(px_official, report, phu_xuan, "evacuated_people", 120)
    _set(th_official, report, thuan_hoa, "evacuated_people", "35")
    _set(th_official, report, thuan_hoa, "dead", 1)
    totals = selectors.sitrep_totals(report)
    assert totals["evacuated_people"] == 155 and totals["dead"] == 1 and totals["missing"] == 0


def test_a_ward_commander_edits_only_their_ward(incident, operator, px_official, thuan_hoa, phu_xuan, citizen):
    report = services.sitrep_start(actor=operator, incident_id=incident.pk)
    with pytest.raises(PermissionDeniedError):
        _set(px_official, report, thuan_hoa, "dead", 2)
    with pytest.raises(PermissionDeniedError):
        _set(citizen, report, phu_xuan, "dead", 2)
    with pytest.raises(PermissionDeniedError):
        services.sitrep_start(actor=px_official, incident_id=incident.pk)
    grid = selectors.sitrep_grid(report, user=px_official)
    assert [w.pk for w in grid.wards] == [phu_xuan.pk] and not grid.whole and grid.totals == {}


@pytest.mark.parametrize("bad", ["-3", "abc", "1.5e3", "", "12345678901", None, True])
def test_a_counter_is_a_whole_number_not_below_zero(incident, operator, phu_xuan, bad):
    report = services.sitrep_start(actor=operator, incident_id=incident.pk)
    with pytest.raises(ValidationError) as caught:
        _set(operator, report, phu_xuan, "dead", bad)
    assert caught.value.field == "value" and caught.value.http_status == 400


def test_two_commanders_on_one_cell_the_second_gets_409_and_the_value(incident, operator, px_official, phu_xuan):
    report = services.sitrep_start(actor=operator, incident_id=incident.pk)
    cell = SituationCount.objects.get(report=report, area=phu_xuan, counter="missing")
    read = cell.version
    _set(px_official, report, phu_xuan, "missing", 4, read)
    with pytest.raises(services.StaleCount) as caught:
        _set(operator, report, phu_xuan, "missing", 6, read)
    assert caught.value.http_status == 409 and caught.value.count.value == 4
    assert "4" in caught.value.message and px_official.full_name in caught.value.message
    assert SituationCount.objects.get(pk=cell.pk).value == 4
    # a retry of what was saved (the answer was lost) is acknowledged, not refused
    again = _set(px_official, report, phu_xuan, "missing", 4, read)
    assert again.value == 4 and again.version == read + 1


def test_report_n_plus_1_copies_report_n(incident, operator, leader, px_official, phu_xuan):
    first = services.sitrep_start(actor=operator, incident_id=incident.pk)
    _set(px_official, first, phu_xuan, "houses_flooded", 300)
    services.sitrep_update(actor=operator, report_id=first.pk, summary="Nước lên nhanh", as_of=None)
    with pytest.raises(ConflictError):  # one report open at a time
        services.sitrep_start(actor=operator, incident_id=incident.pk)
    services.sitrep_sign(actor=leader, report_id=first.pk)
    second = services.sitrep_start(actor=operator, incident_id=incident.pk, after=1)
    assert second.number == 2 and second.summary == "Nước lên nhanh"
    assert SituationCount.objects.get(report=second, area=phu_xuan, counter="houses_flooded").value == 300
    # the same form sent twice starts it once
    assert services.sitrep_start(actor=operator, incident_id=incident.pk, after=1).pk == second.pk


def test_a_signed_report_cannot_change_nor_be_signed_twice(incident, operator, leader, phu_xuan):
    report = services.sitrep_start(actor=operator, incident_id=incident.pk)
    with pytest.raises(PermissionDeniedError):  # the operator commands but does not sign
        services.sitrep_sign(actor=operator, report_id=report.pk)
    services.sitrep_sign(actor=leader, report_id=report.pk)
    with pytest.raises(ConflictError) as twice:
        services.sitrep_sign(actor=leader, report_id=report.pk)
    local = timezone.localtime(report.__class__.objects.get(pk=report.pk).signed_at)
    assert leader.full_name in twice.value.message and local.strftime("%H:%M %d/%m/%Y") in twice.value.message
    with pytest.raises(ConflictError):
        _set(operator, report, phu_xuan, "dead", 1)
    with pytest.raises(ConflictError):
        services.sitrep_update(actor=operator, report_id=report.pk, summary="x")


def test_the_city_commander_on_the_roster_signs_and_the_command_is_told(incident, operator, unit_head, px_official):
    from opencity.notifications.models import Notification

    services.roster_add(actor=operator, incident_id=incident.pk, user_id=unit_head.pk, position="commander")
    report = services.sitrep_start(actor=operator, incident_id=incident.pk)
    signed = services.sitrep_sign(actor=unit_head, report_id=report.pk, expected_version=report.version)
    assert signed.is_signed and signed.signed_by == unit_head
    told = set(Notification.objects.filter(verb="sitrep").values_list("user_id", flat=True))
    assert px_official.pk in told and unit_head.pk not in told


def test_an_exercise_never_changes_the_city_figures(open_incident, incident, operator, leader, phu_xuan):
    start = timezone.now() - dt.timedelta(hours=1)
    real = services.sitrep_start(actor=operator, incident_id=incident.pk)
    _set(operator, real, phu_xuan, "evacuated_people", 50)
    services.sitrep_sign(actor=leader, report_id=real.pk)
    drill = open_incident(name="Diễn tập PCTT 2026", is_exercise=True)
    exercise = services.sitrep_start(actor=operator, incident_id=drill.pk)
    _set(operator, exercise, phu_xuan, "evacuated_people", 9000)
    _set(operator, exercise, phu_xuan, "dead", 3)
    services.sitrep_sign(actor=leader, report_id=exercise.pk)
    figures = selectors.city_figures(start=start, end=timezone.now() + dt.timedelta(hours=1))
    assert figures["evacuated_people"] == 50 and figures["dead"] == 0


def test_the_city_figures_take_the_latest_signed_report_of_each_incident(incident, operator, leader, phu_xuan):
    start = timezone.now() - dt.timedelta(hours=1)
    first = services.sitrep_start(actor=operator, incident_id=incident.pk)
    _set(operator, first, phu_xuan, "injured", 2)
    services.sitrep_sign(actor=leader, report_id=first.pk)
    second = services.sitrep_start(actor=operator, incident_id=incident.pk, after=1)
    _set(operator, second, phu_xuan, "injured", 5)
    end = timezone.now() + dt.timedelta(hours=1)
    assert selectors.city_figures(start=start, end=end)["injured"] == 2  # 2 is not signed yet
    services.sitrep_sign(actor=leader, report_id=second.pk)
    assert selectors.city_figures(start=start, end=end)["injured"] == 5  # not 7


def test_fill_from_the_system(incident, operator, px_official, phu_xuan, team):
    from opencity.incidents.models import Deployment, Shelter, ShelterStay

    shelter = Shelter.objects.create(name="Nhà văn hóa Phú Xuân", kind="cultural_house", area=phu_xuan,
                                     address="1 Lê Lợi", lat=16.47, lon=107.58, capacity_day=100, capacity_night=80,
                                     incident=incident, is_open=True)
    ShelterStay.objects.create(shelter=shelter, incident=incident, head_name="Nguyễn Văn A", people=4)
    ShelterStay.objects.create(shelter=shelter, incident=incident, head_name="Trần Thị B", people=3)
    Deployment.objects.create(incident=incident, team=team, area=phu_xuan, status="mobilized")
    report = services.sitrep_start(actor=operator, incident_id=incident.pk)
    assert services.sitrep_fill_from_system(actor=px_official, report_id=report.pk) == 3
    values = dict(SituationCount.objects.filter(report=report, area=phu_xuan).values_list("counter", "value"))
    assert values["shelters_open"] == 1 and values["people_in_shelters"] == 7 and values["teams_deployed"] == 1
    assert services.sitrep_fill_from_system(actor=px_official, report_id=report.pk) == 0


@pytest.mark.skipif(__import__("django.db").db.connection.vendor != "postgresql",
                    reason="two writers at the same moment need a server database (SQLite serialises them)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_commanders_saving_one_cell_at_the_same_moment_one_wins(incident, operator, px_official, phu_xuan):
    import threading

    from django.db import connection

    report = services.sitrep_start(actor=operator, incident_id=incident.pk)
    cell = SituationCount.objects.get(report=report, area=phu_xuan, counter="evacuated_people")
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def save(i, actor, value):
        try:
            barrier.wait(timeout=10)
            results[i] = _set(actor, report, phu_xuan, "evacuated_people", value, cell.version).value
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(0, operator, 100)),
               threading.Thread(target=save, args=(1, px_official, 120))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    won = [r for r in results if isinstance(r, int)]
    lost = [r for r in results if isinstance(r, services.StaleCount)]
    assert len(won) == 1 and len(lost) == 1, results
    assert lost[0].count.value == won[0] == SituationCount.objects.get(pk=cell.pk).value
