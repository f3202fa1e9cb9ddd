"""The first screen's count of public reports and the public list agree (issue #15: they once
said 1,802 and 1,671), whatever mix of private, rejected and merged reports there is."""

from __future__ import annotations

import pytest

from opencity import policy
from opencity.reports import services

pytestmark = pytest.mark.django_db


def test_the_home_page_counts_exactly_the_public_list(client, make_report, operator):
    make_report()
    make_report()
    make_report(is_public=False)
    spam = make_report()
    services.report_reject(report_id=spam.pk, actor=operator, reason="spam")
    duplicate, original = make_report(), make_report()
    services.report_merge(report_id=duplicate.pk, actor=operator, into_id=original.pk)
    other = make_report()
    services.report_reject(report_id=other.pk, actor=operator, reason="out_of_scope")

    home = client.get("/").context["counts"]["total"]
    listed = client.get("/reports/").context["page"].paginator.count
    assert home == listed == 3  # the two plain ones and the merge's original


def test_a_merged_reports_page_sends_the_public_to_the_original(client, make_report, operator, citizen, citizen2):
    """One problem, one page: a visitor or another citizen opening a merged report lands on the
    report it was merged into; its own reporter and staff see the merged report itself."""
    duplicate, original = make_report(), make_report(reporter=citizen2)
    services.report_merge(report_id=duplicate.pk, actor=operator, into_id=original.pk)
    url = f"/reports/{duplicate.pk}/"
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == f"/reports/{original.pk}/"
    client.force_login(citizen2)
    assert client.get(url)["Location"] == f"/reports/{original.pk}/"
    client.force_login(citizen)  # the reporter of the duplicate
    assert client.get(url).status_code == 200
    client.force_login(operator)
    assert client.get(url).status_code == 200


def test_the_public_figures_count_the_public_list_and_their_roll_ups_agree(make_report, operator):
    """The public statistics count what the public list shows: from the report table (a scope
    the roll-ups do not keep) and from the roll-ups (the is_public dimension) alike."""
    from opencity.reports import kpi
    from opencity.reports.models import Report

    make_report()
    make_report(is_public=False)
    spam = make_report()
    services.report_reject(report_id=spam.pk, actor=operator, reason="spam")
    duplicate, original = make_report(), make_report()
    services.report_merge(report_id=duplicate.pk, actor=operator, into_id=original.pk)
    listed = Report.objects.filter(policy.listed_report_q()).count()
    assert listed == 2
    scope = kpi.Scope(public_only=True)
    assert kpi._reports(scope).count() == listed
    kpi.rollups_rebuild()
    assert kpi.figures(scope, now=None).received == listed
