"""Every paginated list links its pages with all its filters (issue #14, operators 2: page 2 of
the IOC list of overdue reports showed all reports). One helper builds the links
(``opencity.lib.paging``); each list is checked here."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from opencity.conftest import STORY_LAT, STORY_LON
from opencity.lib.paging import page_query
from opencity.reports.models import Report, Status
from opencity.reports.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

NEXT = re.compile(r'<a [^>]*rel="next" href="([^"]+)"')


def _next_link(response) -> str:
    found = NEXT.search(response.content.decode())
    assert found, "no link to the next page"
    return html.unescape(found.group(1))


def _reports(n: int, *, category, area, **fields) -> list[Report]:
    """``n`` reports at once (the lists are what is tested here, not the submission)."""
    return Report.objects.bulk_create(
        Report(category=category, area=area, description=f"Phản ánh số {i}", lat=STORY_LAT, lon=STORY_LON,
               **fields)
        for i in range(n)
    )


def test_page_query_keeps_every_value_and_changes_only_the_page():
    params = QueryDict("overdue=1&period=all&unit=3&category=4&category=5&page=1&q=L%C3%AA+L%E1%BB%A3i")
    assert page_query(params, 2) == "?overdue=1&period=all&unit=3&category=4&category=5&q=L%C3%AA+L%E1%BB%A3i&page=2"
    assert params["page"] == "1"  # the request's own parameters are left alone
    assert page_query(QueryDict(), 3) == "?page=3"


def test_the_ioc_list_of_overdue_reports_keeps_the_filter_on_page_2(client, operator, lighting, phu_xuan,
                                                                    urban_works):
    past = timezone.now() - dt.timedelta(days=3)
    overdue = _reports(25, category=lighting, area=phu_xuan, status=Status.ASSIGNED, unit=urban_works, due_at=past)
    _reports(30, category=lighting, area=phu_xuan, status=Status.NEW)  # not overdue
    client.force_login(operator)
    first = client.get(reverse("ioc:list"), {"overdue": "1", "period": "all", "unit": urban_works.pk})
    assert first.context["page"].paginator.count == 25
    link = _next_link(first)
    assert "overdue=1" in link and "period=all" in link and f"unit={urban_works.pk}" in link and "page=2" in link
    second = client.get(reverse("ioc:list") + link)
    assert second.context["page"].paginator.count == 25
    assert {r.pk for r in second.context["page"]} <= {r.pk for r in overdue}
    assert len(second.context["page"]) == 5


def test_the_public_list_keeps_its_filters_on_page_2(client, lighting, phu_xuan):
    water = CategoryFactory(code="cap-nuoc", name_vi="Cấp nước", name_en="Water supply")
    _reports(23, category=water, area=phu_xuan, address="Lê Lợi")
    _reports(25, category=lighting, area=phu_xuan, address="Lê Lợi")
    first = client.get(reverse("reports:list"), {"category": water.pk, "q": "Lê Lợi"})
    link = _next_link(first)
    assert f"category={water.pk}" in link and "page=2" in link
    second = client.get(reverse("reports:list") + link)
    assert second.context["page"].paginator.count == 23
    assert {r.category_id for r in second.context["page"]} == {water.pk}


def test_triage_keeps_its_filters_on_page_2(client, operator, lighting, phu_xuan, thuan_hoa):
    _reports(22, category=lighting, area=phu_xuan)
    _reports(5, category=lighting, area=thuan_hoa)
    client.force_login(operator)
    first = client.get(reverse("reports:triage"), {"area": phu_xuan.pk})
    link = _next_link(first)
    assert f"area={phu_xuan.pk}" in link
    second = client.get(reverse("reports:triage") + link)
    assert second.context["page"].paginator.count == 22
    assert {r.area_id for r in second.context["page"]} == {phu_xuan.pk}


def test_the_unit_inbox_keeps_its_filters_on_page_2(client, officer, lighting, phu_xuan, urban_works):
    _reports(21, category=lighting, area=phu_xuan, status=Status.IN_PROGRESS, unit=urban_works)
    _reports(6, category=lighting, area=phu_xuan, status=Status.ASSIGNED, unit=urban_works)
    client.force_login(officer)
    first = client.get(reverse("reports:inbox"), {"status": "in_progress"})
    link = _next_link(first)
    assert "status=in_progress" in link
    second = client.get(reverse("reports:inbox") + link)
    assert second.context["page"].paginator.count == 21
    assert {r.status for r in second.context["page"]} == {Status.IN_PROGRESS}


def test_my_reports_pages_keep_working(client, citizen, lighting, phu_xuan):
    _reports(21, category=lighting, area=phu_xuan, reporter=citizen)
    client.force_login(citizen)
    link = _next_link(client.get(reverse("reports:mine")))
    assert link == "?page=2"
    assert len(client.get(reverse("reports:mine") + link).context["page"]) == 1
