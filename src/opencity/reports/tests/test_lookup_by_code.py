"""Finding a report by its code ("PA002001", what callers quote) in every list and through the
public "look up my report" box (issue #14, citizens 7)."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from opencity.reports import selectors, services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed, bare, expected", [
    ("PA002001", False, 2001),
    ("pa2001", False, 2001),
    ("PA 002001", False, 2001),
    (" pa-002001 ", False, 2001),
    ("Pa 2 001", False, 2001),
    ("002001", False, 2001),  # padded digits: a code
    ("2001", False, None),  # a house number, in a search box
    ("2001", True, 2001),  # in a box that asks for a code
    ("PA000000", False, None),
    ("PA", False, None),
    ("PA12a", False, None),
    ("Lê Lợi", False, None),
    ("PA" + "9" * 13, False, None),
    ("PA²001", False, None),
])
def test_a_code_is_read_as_people_type_it(typed, bare, expected):
    assert selectors.report_code_id(typed, bare=bare) == expected


def _code(report) -> str:
    return f"pa {report.pk}"  # as a caller says it: lower case, a space, no leading zeros


def test_a_code_in_the_public_list_search_opens_the_report(client, make_report):
    report = make_report()
    make_report(description="Một phản ánh khác về cây xanh ngã đổ")
    response = client.get(reverse("reports:list"), {"q": _code(report)})
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:detail", args=[report.pk])


def test_an_htmx_search_by_code_sends_the_whole_page_to_the_report(client, make_report):
    report = make_report()
    response = client.get(reverse("reports:list"), {"q": report.ref}, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("reports:detail", args=[report.pk])


def test_a_private_report_and_a_missing_code_look_the_same_to_a_visitor(client, make_report):
    private = make_report(is_public=False)
    missing = private.pk + 1000
    answers = []
    for pk in (private.pk, missing):
        code = f"PA{pk:06d}"
        response = client.get(reverse("reports:list"), {"q": code}, headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert response.context["page"].paginator.count == 0
        answers.append(response.content.decode().replace(code, "CODE"))
    assert answers[0] == answers[1]
    assert "CODE" in answers[0]  # "No report has the code …"


def test_the_reporter_of_a_private_report_finds_it_by_code(client, make_report, citizen):
    private = make_report(is_public=False)
    client.force_login(citizen)
    response = client.get(reverse("reports:list"), {"q": private.ref})
    assert response.status_code == 302 and response["Location"] == reverse("reports:detail", args=[private.pk])


def test_a_text_search_still_searches_the_text(client, make_report):
    report = make_report(address="32 Lê Lợi")
    response = client.get(reverse("reports:list"), {"q": "32 Lê Lợi"})
    assert response.status_code == 200
    assert [r.pk for r in response.context["page"]] == [report.pk]


# --- the public "look up my report" endpoint --------------------------------------------------


def test_lookup_opens_the_report(client, make_report):
    report = make_report()
    for typed in (report.ref, _code(report), str(report.pk), report.ref.lower()):
        response = client.get(reverse("reports:lookup"), {"code": typed})
        assert response.status_code == 302, typed
        assert response["Location"] == reverse("reports:detail", args=[report.pk])


def test_lookup_of_a_private_or_missing_report_is_the_same_404(client, make_report):
    private = make_report(is_public=False)
    bodies = []
    for pk in (private.pk, private.pk + 1000):
        code = f"PA{pk:06d}"
        response = client.get(reverse("reports:lookup"), {"code": code})
        assert response.status_code == 404
        body = response.content.decode()
        assert "Không có phản ánh nào mang mã" in body
        bodies.append(body.replace(code, "CODE"))
    strip = re.compile(r'nonce="[^"]*"|"X-CSRFToken": "[^"]*"|csrfmiddlewaretoken" value="[^"]*"')
    assert strip.sub("", bodies[0]) == strip.sub("", bodies[1])


def test_lookup_of_something_that_is_not_a_code_is_a_clear_400(client):
    response = client.get(reverse("reports:lookup"), {"code": "đèn hỏng"})
    assert response.status_code == 400
    assert "không phải mã phản ánh" in response.content.decode()


def test_lookup_without_a_code_shows_the_box(client):
    response = client.get(reverse("reports:lookup"))
    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()


def test_lookup_refuses_post(client):
    assert client.post(reverse("reports:lookup"), {"code": "PA000001"}).status_code == 405


def test_the_lookup_box_works_alone():
    """The home page includes it: a plain GET form to the lookup, labelled, no script."""
    html = render_to_string("reports/partials/lookup_box.html")
    assert f'action="{reverse("reports:lookup")}"' in html and 'method="get"' in html
    assert '<label id="lookup-code-label" for="lookup-code">' in html and 'id="lookup-code"' in html
    assert 'name="code"' in html and 'type="submit"' in html and "<svg" in html
    assert "<script" not in html


# --- staff lists --------------------------------------------------------------------------------


def test_triage_finds_a_new_report_by_code(client, make_report, operator):
    wanted = make_report()
    make_report(description="Một phản ánh khác về cây xanh ngã đổ")
    client.force_login(operator)
    response = client.get(reverse("reports:triage"), {"q": _code(wanted)})
    assert response.status_code == 200
    assert [r.pk for r in response.context["page"]] == [wanted.pk]


def test_triage_points_to_a_report_that_left_the_queue(client, make_report, operator, urban_works):
    routed = make_report()
    services.report_route(report_id=routed.pk, actor=operator, unit_id=urban_works.pk)
    client.force_login(operator)
    response = client.get(reverse("reports:triage"), {"q": routed.ref})
    assert response.context["page"].paginator.count == 0
    assert response.context["elsewhere"] == routed
    assert reverse("reports:staff_detail", args=[routed.pk]) in response.content.decode()


def test_the_unit_inbox_finds_a_report_by_code(client, make_report, operator, officer, urban_works):
    reports = [make_report(), make_report(description="Cột đèn nghiêng sắp đổ ở đầu kiệt")]
    for r in reports:
        services.report_route(report_id=r.pk, actor=operator, unit_id=urban_works.pk)
    client.force_login(officer)
    response = client.get(reverse("reports:inbox"), {"q": _code(reports[1])})
    assert [r.pk for r in response.context["page"]] == [reports[1].pk]


def test_a_staff_list_says_nothing_of_a_report_out_of_sight(client, make_report, other_officer, operator,
                                                           urban_works):
    private = make_report(is_public=False)
    services.report_route(report_id=private.pk, actor=operator, unit_id=urban_works.pk)
    client.force_login(other_officer)
    response = client.get(reverse("reports:inbox"), {"q": private.ref})
    assert response.context["page"].paginator.count == 0
    assert response.context["elsewhere"] is None


def test_the_ioc_list_searches_by_code_within_the_figure(client, make_report, operator):
    wanted = make_report()
    make_report(description="Một phản ánh khác về cây xanh ngã đổ")
    client.force_login(operator)
    response = client.get(reverse("ioc:list"), {"status": "received", "period": "all", "q": _code(wanted)})
    assert response.status_code == 200
    assert [r.pk for r in response.context["page"]] == [wanted.pk]
    body = response.content.decode()
    assert 'name="status" value="received"' in body and 'name="period" value="all"' in body  # kept
