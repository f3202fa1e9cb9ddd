"""The console (/ioc/) reads a fixed number of queries however many units, reports, overdue
reports and live events there are: no query per row (issue #14, operators 7). An upper bound,
not a time: the figures come from the roll-ups and a few grouped counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from opencity.conftest import STORY_LAT, STORY_LON
from opencity.ioc.models import LiveEvent
from opencity.orgs.models import Unit
from opencity.reports import kpi
from opencity.reports.models import Report, Status
from opencity.reports.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

# What one console page reads: the session, the user and the second factor, the unread count of
# the shell; the filters' wards, units and categories; the headline, the ranking, the trend and
# the categories from the roll-ups with their overdue counts; the overdue list and its count; the
# hotline's calls; the live feed and its last id. 25 on this code (27 on the first request, which
# also reads the working calendar); the bound leaves a little room, not a query per row.
MAX_QUERIES = 30


def _city(n_units: int, per_unit: int, phu_xuan, thuan_hoa, city) -> None:
    categories = [CategoryFactory() for _ in range(3)]
    now = timezone.now()
    for u in range(n_units):
        unit = Unit.objects.create(code=f"unit-{n_units}-{u}", name=f"Đơn vị {u}", area=city)
        Report.objects.bulk_create(
            Report(category=categories[i % 3], area=(phu_xuan, thuan_hoa)[i % 2], unit=unit,
                   description=f"Phản ánh {i}", lat=STORY_LAT, lon=STORY_LON,
                   status=(Status.ASSIGNED, Status.IN_PROGRESS, Status.RESOLVED)[i % 3],
                   assigned_at=now - dt.timedelta(days=4), due_at=now - dt.timedelta(days=1 - i % 2 * 3))
            for i in range(per_unit)
        )
    LiveEvent.objects.bulk_create(
        LiveEvent(kind="report.submit", report=r, area_id=r.area_id, unit_id=r.unit_id, payload={"ref": r.ref})
        for r in Report.objects.order_by("-pk")[:30]
    )
    kpi.rollups_rebuild()


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("who", ["operator", "leader"])
def test_the_console_reads_a_bounded_number_of_queries(client, request, who, phu_xuan, thuan_hoa, city):
    _city(2, 6, phu_xuan, thuan_hoa, city)
    client.force_login(request.getfixturevalue(who))
    url = reverse("ioc:console") + "?period=all"
    _count(client, url)  # the first request also loads the working calendar
    small = _count(client, url)
    _city(12, 40, phu_xuan, thuan_hoa, city)  # six times the units, many more reports, overdue and events
    large = _count(client, url)
    assert large == small, "a query per unit, report or event"
    assert large <= MAX_QUERIES


def test_the_console_shows_what_it_counted(client, operator, phu_xuan, thuan_hoa, city):
    _city(3, 9, phu_xuan, thuan_hoa, city)
    client.force_login(operator)
    response = client.get(reverse("ioc:console"), {"period": "all"})
    assert len(response.context["rows"]) == 3
    assert response.context["overdue_total"] == response.context["headline"].figures.overdue_now > 0
    assert len(response.context["feed"]) == 20
