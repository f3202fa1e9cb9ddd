"""The report's page and JSON kept for visitors (lib/pagecache.py): served again without being
rendered, never stale after a change a visitor can see, never someone else's."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from opencity.conftest import PASSWORD
from opencity.lib import pagecache
from opencity.reports import services
from opencity.reports.models import Photo

pytestmark = pytest.mark.django_db


def _page(client, report) -> str:
    response = client.get(reverse("reports:detail", args=[report.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _token(body: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)


def test_a_visitor_is_served_the_kept_page_with_one_query(make_report, django_assert_num_queries):
    report = make_report()
    first = _page(Client(), report)
    with django_assert_num_queries(1):  # the fingerprint only
        again = _page(Client(), report)
    assert again.replace(_token(again), "") == first.replace(_token(first), "")
    assert pagecache.CSRF_PLACEHOLDER not in again


def test_each_visitor_gets_a_csrf_token_of_their_own_that_works(make_report):
    report = make_report()
    _page(Client(), report)  # kept by a first visitor
    visitor = Client(enforce_csrf_checks=True)
    body = _page(visitor, report)  # served from the cache
    response = visitor.post(reverse("set_language"), {"language": "en", "csrfmiddlewaretoken": _token(body),
                                                      "next": "/"})
    assert response.status_code == 302  # a foreign or placeholder token would be a 403


def test_a_page_kept_by_another_process_gets_this_visitors_token(make_report, monkeypatch):
    """Processes share the cache (Redis) but each has its own placeholder."""
    report = make_report()
    _page(Client(), report)  # kept by "another process"
    monkeypatch.setattr(pagecache, "CSRF_PLACEHOLDER", "csrf-" + "0" * 32)
    visitor = Client(enforce_csrf_checks=True)
    body = _page(visitor, report)
    assert "csrf-" not in _token(body)
    response = visitor.post(reverse("set_language"), {"language": "en", "csrfmiddlewaretoken": _token(body),
                                                      "next": "/"})
    assert response.status_code == 302


def test_every_transition_shows_at_once(make_report, operator, officer, lighting_rule, urban_works):
    report = make_report()
    visitor = Client()
    assert urban_works.name not in _page(visitor, report)
    services.report_route(report_id=report.pk, actor=operator)
    assert urban_works.name in _page(visitor, report)
    services.report_accept(report_id=report.pk, actor=officer)
    services.report_resolve(report_id=report.pk, actor=officer, result="Đã thay bóng đèn mới, đèn sáng lại.")
    assert "Đã thay bóng đèn mới" in _page(visitor, report)


def test_a_report_rejected_as_spam_is_gone_for_visitors_at_once(make_report, operator):
    report = make_report()
    _page(Client(), report)
    services.report_reject(report_id=report.pk, actor=operator, reason="spam")
    assert Client().get(reverse("reports:detail", args=[report.pk])).status_code == 404
    assert Client().get(f"/api/v1/reports/{report.pk}").status_code == 404


def test_a_me_too_shows_in_the_count(make_report, citizen2):
    report = make_report()
    before = _page(Client(), report)
    services.report_follow(report_id=report.pk, actor=citizen2, me_too=True)
    after = _page(Client(), report)
    assert after.replace(_token(after), "") != before.replace(_token(before), "")
    assert Client().get(f"/api/v1/reports/{report.pk}").json()["me_too_count"] == 1


def test_a_photo_hidden_by_moderation_disappears(make_report, operator):
    from opencity.reports.tests.factories import jpeg_upload

    report = make_report(photos=[jpeg_upload()])
    photo = Photo.objects.get(report=report)
    assert f"/photos/{photo.pk}/thumb" in _page(Client(), report)
    services.photo_moderate(photo_id=photo.pk, actor=operator, action="hide")
    assert f"/photos/{photo.pk}/thumb" not in _page(Client(), report)


def test_a_category_renamed_in_the_admin_shows_at_once(make_report, lighting):
    report = make_report()
    assert "Chiếu sáng mới" not in _page(Client(), report)
    lighting.name_vi = "Chiếu sáng mới"
    lighting.save()
    assert "Chiếu sáng mới" in _page(Client(), report)


def test_a_signed_in_person_never_gets_the_visitors_copy_nor_leaves_theirs(make_report, citizen2):
    report = make_report()
    _page(Client(), report)
    person = Client()
    assert person.login(phone=citizen2.phone, password=PASSWORD)
    own = _page(person, report)
    assert "/me_too" in own or "me_too" in own  # their own actions
    assert citizen2.full_name not in _page(Client(), report)
    assert "Log out" not in _page(Client(), report) and "Đăng xuất" not in _page(Client(), report)


def test_the_api_answer_is_kept_for_visitors_and_revalidates(make_report, operator, lighting_rule,
                                                             django_assert_num_queries):
    report = make_report()
    url = f"/api/v1/reports/{report.pk}"
    first = Client().get(url)
    with django_assert_num_queries(1):
        again = Client().get(url)
    assert again.json() == first.json() and again["ETag"] == first["ETag"]
    assert Client().get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    services.report_route(report_id=report.pk, actor=operator)
    fresh = Client().get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert fresh.status_code == 200 and fresh.json()["status"] == "assigned"


def test_the_reporter_with_a_token_gets_their_own_answer(make_report, citizen):
    report = make_report()
    Client().get(f"/api/v1/reports/{report.pk}")  # kept for visitors: no reporter
    token = Client().post("/api/v1/auth/token", {"phone": citizen.phone, "password": PASSWORD},
                          content_type="application/json").json()["token"]
    mine = Client().get(f"/api/v1/reports/{report.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert mine["reporter"] is not None
    assert Client().get(f"/api/v1/reports/{report.pk}").json()["reporter"] is None


def test_nothing_is_kept_when_switched_off(make_report, settings, django_assert_num_queries):
    settings.OPENCITY_PAGE_CACHE_SECONDS = 0
    report = make_report()
    _page(Client(), report)
    with django_assert_num_queries(4):
        _page(Client(), report)
