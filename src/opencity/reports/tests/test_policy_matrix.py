"""Who may do what to a report (opencity.policy), written out as tables.

Columns are people in relation to one report filed by ``citizen`` in Phường Phú Xuân:

  reporter   the citizen who filed it          other      another citizen
  operator   IOC operator                      admin      administrator
  leader     city leader                       hotline    hotline operator
  officer    officer of the assigned unit      outsider   officer of another unit
  head       head of the assigned unit         ward       official of the report's ward
  ward2      official of another ward          anon       nobody signed in

"Y" allows, "." refuses. State is not considered here (that is the workflow's job).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from opencity import policy
from opencity.accounts.models import Role, User
from opencity.errors import NotFoundError, PermissionDeniedError
from opencity.orgs.models import Membership, Unit
from opencity.reports import selectors, services
from opencity.reports.models import Report
from opencity.reports.permissions import access_report, access_report_for

pytestmark = pytest.mark.django_db

PEOPLE = [
    "reporter",
    "other",
    "operator",
    "admin",
    "leader",
    "hotline",
    "officer",
    "outsider",
    "head",
    "ward",
    "ward2",
    "anon",
]

# A report assigned to the city-level unit HEPCO (the street-light story).
CITY_UNIT_REPORT = """
                   reporter other operator admin leader hotline officer outsider head ward ward2 anon
route                 .       .      Y       Y     .      .       .       .       .    .     .    .
merge                 .       .      Y       Y     .      .       .       .       .    .     .    .
reject                .       .      Y       Y     .      .       .       .       .    .     .    .
correct               .       .      Y       Y     .      .       .       .       .    .     .    .
set_priority          .       .      Y       Y     .      .       .       .       .    .     .    .
moderate              .       .      Y       Y     .      .       .       .       .    .     .    .
decide_dispute        .       .      Y       Y     .      .       .       .       .    .     .    .
accept                .       .      .       .     .      .       Y       .       Y    .     .    .
return                .       .      .       .     .      .       Y       .       Y    .     .    .
ask_info              .       .      .       .     .      .       Y       .       Y    .     .    .
request_extension     .       .      .       .     .      .       Y       .       Y    .     .    .
resolve               .       .      .       .     .      .       Y       .       Y    .     .    .
decide_result         .       .      .       .     .      .       .       .       Y    .     .    .
decide_extension      .       .      Y       Y     .      .       .       .       Y    .     .    .
rate                  Y       .      .       .     .      .       .       .       .    .     .    .
dispute               Y       .      .       .     .      .       .       .       .    .     .    .
answer_info           Y       .      .       .     .      .       .       .       .    .     .    .
note                  .       .      Y       Y     .      .       Y       .       Y    Y     .    .
follow                .       Y      Y       Y     Y      Y       Y       Y       Y    Y     Y    .
"""

# The same report assigned to the ward's own unit (UBND Phường Phú Xuân): the ward's official
# works it; HEPCO's people no longer do.
WARD_UNIT_REPORT = """
                   reporter other operator admin leader hotline officer outsider head ward ward2 anon
accept                .       .      .       .     .      .       .       .       .    Y     .    .
return                .       .      .       .     .      .       .       .       .    Y     .    .
ask_info              .       .      .       .     .      .       .       .       .    Y     .    .
request_extension     .       .      .       .     .      .       .       .       .    Y     .    .
resolve               .       .      .       .     .      .       .       .       .    Y     .    .
decide_result         .       .      .       .     .      .       .       .       .    .     .    .
decide_extension      .       .      Y       Y     .      .       .       .       .    .     .    .
note                  .       .      Y       Y     .      .       .       .       .    Y     .    .
"""

# Seeing a private report, and the reporter's name and phone on any report.
VISIBILITY = """
                   reporter other operator admin leader hotline officer outsider head ward ward2 anon
view_private          Y       .      Y       Y     Y      Y       Y       .       Y    Y     .    .
view_reporter         Y       .      Y       Y     Y      Y       Y       .       Y    Y     .    .
view_internal         .       .      Y       Y     Y      Y       Y       .       Y    Y     .    .
follow_private        .       .      Y       Y     Y      Y       Y       .       Y    Y     .    .
"""


def parse(table: str) -> dict[str, dict[str, bool]]:
    lines = [line.split() for line in table.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    assert header == PEOPLE
    out = {}
    for row in rows:
        assert len(row) == len(PEOPLE) + 1, row
        assert set(row[1:]) <= {"Y", "."}, row
        out[row[0]] = dict(zip(PEOPLE, (cell == "Y" for cell in row[1:]), strict=True))
    return out


@pytest.fixture
def thuan_hoa_official(db, thuan_hoa) -> User:
    unit = Unit.objects.create(
        code="ubnd-thuan-hoa", name="UBND Phường Thuận Hóa", level="ward", area=thuan_hoa
    )
    user = User.objects.create_user(
        "0905000031",
        "x",
        full_name="Cán Bộ Thuận Hóa",
        role=Role.WARD_OFFICIAL,
        home_area=thuan_hoa,
    )
    Membership.objects.create(unit=unit, user=user)
    return user


@pytest.fixture
def people(
    citizen,
    citizen2,
    operator,
    admin_user,
    leader,
    hotline,
    officer,
    other_officer,
    unit_head,
    ward_official,
    thuan_hoa_official,
) -> dict:
    return {
        "reporter": citizen,
        "other": citizen2,
        "operator": operator,
        "admin": admin_user,
        "leader": leader,
        "hotline": hotline,
        "officer": officer,
        "outsider": other_officer,
        "head": unit_head,
        "ward": ward_official,
        "ward2": thuan_hoa_official,
        "anon": AnonymousUser(),
    }


def _routed(make_report, operator, unit, **kwargs) -> Report:
    report = make_report(**kwargs)
    services.report_route(report_id=report.pk, actor=operator, unit_id=unit.pk)
    return Report.objects.get(pk=report.pk)


def _mismatches(expected: dict, check) -> list[str]:
    return [
        f"{action}/{who}: expected {'Y' if want else '.'}"
        for action, row in expected.items()
        for who, want in row.items()
        if check(action, who) != want
    ]


def test_the_tables_cover_every_action():
    assert set(parse(CITY_UNIT_REPORT)) == set(policy.ALL_ACTIONS)
    assert set(parse(WARD_UNIT_REPORT)) <= set(policy.ALL_ACTIONS)


def test_who_may_act_on_a_report_of_a_city_level_unit(make_report, operator, urban_works, people):
    report = _routed(make_report, operator, urban_works)
    assert (
        _mismatches(parse(CITY_UNIT_REPORT), lambda a, who: policy.can(people[who], a, report))
        == []
    )


def test_who_may_act_on_a_report_of_the_wards_own_unit(make_report, operator, ward_unit, people):
    report = _routed(make_report, operator, ward_unit)
    assert (
        _mismatches(parse(WARD_UNIT_REPORT), lambda a, who: policy.can(people[who], a, report))
        == []
    )


def test_who_may_see_a_private_report_and_the_reporter(make_report, operator, urban_works, people):
    private = _routed(make_report, operator, urban_works, is_public=False)
    public = _routed(make_report, operator, urban_works)
    checks = {
        "view_private": lambda user: policy.can_view_report(user, private),
        "view_reporter": lambda user: policy.can_view_reporter(user, public),
        "view_internal": lambda user: policy.can_view_internal(user, public),
        "follow_private": lambda user: policy.can(user, "follow", private),
    }
    assert _mismatches(parse(VISIBILITY), lambda row, who: checks[row](people[who])) == []


def test_everyone_sees_a_public_report_but_not_who_filed_it(make_report, people):
    report = make_report()
    for who, user in people.items():
        assert policy.can_view_report(user, report), who
    assert not policy.can_view_reporter(AnonymousUser(), report)
    assert not policy.can_view_reporter(people["other"], report)


def test_an_unknown_action_is_a_programming_error(make_report, operator):
    with pytest.raises(ValueError):
        policy.can(operator, "launch", make_report())


def test_a_deactivated_operator_may_do_nothing(make_report, operator):
    report = make_report(is_public=False)
    operator.is_active = False
    operator.save()
    assert not policy.can(operator, "route", report)
    assert not policy.can_view_report(operator, report)


def test_anonymous_gets_404_for_a_private_report(make_report):
    report = make_report(is_public=False)
    with pytest.raises(NotFoundError):
        access_report(AnonymousUser(), report.pk)
    with pytest.raises(NotFoundError):
        access_report(AnonymousUser(), "not-a-number")


def test_other_units_officer_gets_404_for_a_private_report(
    make_report, operator, urban_works, other_officer, officer
):
    report = _routed(make_report, operator, urban_works, is_public=False)
    with pytest.raises(NotFoundError):
        access_report(other_officer, report.pk)
    assert access_report(officer, report.pk) == report


def test_seeing_a_report_is_not_enough_to_act_on_it(
    make_report, operator, urban_works, other_officer
):
    report = _routed(make_report, operator, urban_works)
    with pytest.raises(PermissionDeniedError):
        access_report_for(other_officer, report.pk, "accept")


@pytest.fixture
def many_reports(make_report, operator, citizen2, urban_works, other_unit, ward_unit, thuan_hoa):
    """Public and private reports across units, wards and states, one rejected as spam."""
    reports = [
        make_report(),
        make_report(is_public=False),
        make_report(is_public=False, reporter=citizen2),
        _routed(make_report, operator, urban_works, is_public=False),
        _routed(make_report, operator, other_unit, is_public=False),
        _routed(make_report, operator, ward_unit, is_public=False),
        _routed(
            make_report, operator, other_unit, is_public=False, lat=thuan_hoa.lat, lon=thuan_hoa.lon
        ),
        make_report(is_public=False, lat=thuan_hoa.lat, lon=thuan_hoa.lon),
    ]
    spam = make_report()
    services.report_reject(report_id=spam.pk, actor=operator, reason="spam")
    return [*reports, spam]


def test_report_scope_filters_querysets_as_can_view_report_decides(many_reports, people):
    for who, user in people.items():
        expected = {r.pk for r in Report.objects.all() if policy.can_view_report(user, r)}
        assert (
            set(Report.objects.filter(policy.report_scope(user)).values_list("pk", flat=True))
            == expected
        ), who
        assert set(selectors.report_list(user=user).values_list("pk", flat=True)) == expected, who


def test_internal_scope_filters_querysets_as_in_staff_scope_decides(many_reports, people):
    """The original text of a moderated report is searched only where ``in_staff_scope`` lets
    the user read it: the query form must agree with the rule, for every role."""
    for who, user in [*people.items(), ("anonymous", AnonymousUser())]:
        expected = {r.pk for r in Report.objects.all() if policy.in_staff_scope(user, r)}
        found = set(Report.objects.filter(policy.internal_scope(user)).values_list("pk", flat=True))
        assert found == expected, who


def test_report_scope_is_narrow_for_citizens_and_outsiders(many_reports, people):
    public = {many_reports[0].pk}
    assert (
        set(
            Report.objects.filter(policy.report_scope(AnonymousUser())).values_list("pk", flat=True)
        )
        == public
    )
    seen_by_other = set(
        Report.objects.filter(policy.report_scope(people["other"])).values_list("pk", flat=True)
    )
    assert seen_by_other == public | {many_reports[2].pk}
    assert Report.objects.filter(policy.report_scope(people["leader"])).count() == len(many_reports)
