"""The timeline of an approved extension shows the deadline that extension set, as stored in
its event when it was decided — not the report's deadline today, which a later extension, a
pause for the reporter or a reopening may have moved (issue #14, operators 3)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from opencity.reports import services
from opencity.reports.models import Report, TimelineEvent
from opencity.reports.templatetags.report_tags import vn_datetime

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_progress(make_report, operator, officer, urban_works) -> Report:
    report = make_report()
    services.report_route(report_id=report.pk, actor=operator, unit_id=urban_works.pk)
    return services.report_accept(report_id=report.pk, actor=officer)


def _extend(report, officer, head, hours) -> dt.datetime:
    ext = services.report_request_extension(report_id=report.pk, actor=officer, extra_hours=hours, reason="Chờ vật tư")
    services.report_decide_extension(extension_id=ext.pk, actor=head, approve=True)
    return Report.objects.get(pk=report.pk).due_at


def _timeline(response) -> str:
    found = re.search(r'<ol class="timeline">(.*?)</ol>', response.content.decode(), re.S)
    assert found, "no timeline"
    return found.group(1)


def _new_deadlines(response) -> list[str]:
    return [part.split("</div>")[0].strip() for part in _timeline(response).split("Hạn xử lý mới:")[1:]]


def test_each_extension_shows_the_deadline_it_set(client, in_progress, officer, unit_head):
    first = _extend(in_progress, officer, unit_head, 8)
    second = _extend(in_progress, officer, unit_head, 16)
    assert second > first
    event = in_progress.events.filter(action="decide_extension").first()
    assert dt.datetime.fromisoformat(event.data["due_at"]) == first  # stored when decided
    client.force_login(unit_head)
    for url in (reverse("reports:staff_detail", args=[in_progress.pk]), reverse("reports:detail", args=[in_progress.pk])):
        assert _new_deadlines(client.get(url)) == [vn_datetime(first), vn_datetime(second)], url


def test_an_old_event_without_the_deadline_shows_none_rather_than_a_wrong_one(client, in_progress, unit_head):
    TimelineEvent.objects.create(report=in_progress, action="decide_extension", actor=unit_head,
                                 data={"approved": True, "extra_hours": 8})
    client.force_login(unit_head)
    response = client.get(reverse("reports:staff_detail", args=[in_progress.pk]))
    timeline = _timeline(response)
    assert "Đã gia hạn" in timeline
    assert _new_deadlines(response) == []
    assert vn_datetime(Report.objects.get(pk=in_progress.pk).due_at) not in timeline


def test_a_denied_extension_shows_no_deadline(client, in_progress, officer, operator):
    ext = services.report_request_extension(report_id=in_progress.pk, actor=officer, extra_hours=8, reason="Chờ")
    services.report_decide_extension(extension_id=ext.pk, actor=operator, approve=False)
    client.force_login(operator)
    assert _new_deadlines(client.get(reverse("reports:staff_detail", args=[in_progress.pk]))) == []
