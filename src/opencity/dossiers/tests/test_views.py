"""The pages: public lookup, status and follow; staff figures, lists and import."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from opencity.dossiers.models import Dossier, Follow
from opencity.lib.worktime import TZ
from opencity.notifications.models import Notification

from .conftest import csv_text, row


def _d(moment: dt.datetime) -> str:
    return timezone.localtime(moment, TZ).strftime("%d/%m/%Y %H:%M")


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def today_rows(load):
    """Dossiers received recently: one open past due, one open, one done on time, one at HEPCO."""
    now = timezone.now()
    ago = lambda **kw: _d(now - dt.timedelta(**kw))  # noqa: E731
    ahead = lambda **kw: _d(now + dt.timedelta(**kw))  # noqa: E731
    load(row("H57.01-0001", status="4", received=ago(days=3), due=ago(days=1)),
         row("H57.01-0002", status="2", received=ago(hours=5), due=ahead(days=2)),
         row("H57.01-0003", status="9", received=ago(days=2), due=ahead(days=1), finished=ago(hours=3)),
         row("H57.01-0004", status="4", unit="hepco", ward="Phường Thuận Hóa", received=ago(days=4),
             due=ago(days=2)))


# --- lookup -------------------------------------------------------------------------------------


def test_the_lookup_page_opens_for_anyone(client, db):
    response = client.get(reverse("dossiers_public:lookup"))
    assert response.status_code == 200
    assert "Tra cứu hồ sơ" in response.content.decode() or "Look up a dossier" in response.content.decode()


def test_the_right_code_and_digits_show_the_status_without_personal_data(client, today_rows):
    response = client.post(reverse("dossiers_public:lookup"), {"code": "h57.01-0001", "last4": "3456"})
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers_public:status", args=["H57.01-0001"])
    page = client.get(response["Location"]).content.decode()
    assert "Đăng ký khai sinh" in page and "H57.01-0001" in page
    assert "Trần Thị Lan" not in page and "0905" not in page and "123456" not in page


def test_a_wrong_code_and_wrong_digits_give_the_same_answer(client, today_rows):
    wrong_digits = client.post(reverse("dossiers_public:lookup"), {"code": "H57.01-0001", "last4": "0000"})
    wrong_code = client.post(reverse("dossiers_public:lookup"), {"code": "H57.99-9999", "last4": "3456"})
    assert wrong_digits.status_code == wrong_code.status_code == 200

    def message(r):
        return re.search(r'data-testid="lookup-error">(.*?)</p>', r.content.decode(), re.S).group(1)

    assert message(wrong_digits) == message(wrong_code)


def test_the_status_page_is_not_found_without_the_lookup(client, today_rows):
    assert client.get(reverse("dossiers_public:status", args=["H57.01-0001"])).status_code == 404


def test_the_lookup_refuses_a_wrong_method(client, db):
    assert client.put(reverse("dossiers_public:lookup")).status_code == 405
    assert client.post(reverse("dossiers_public:status", args=["X-1"])).status_code == 405


def test_wrong_digits_for_one_code_are_held_back(client, today_rows):
    url = reverse("dossiers_public:lookup")
    for digits in ("0000", "0001", "0002", "0003", "0004"):
        assert client.post(url, {"code": "H57.01-0001", "last4": digits}).status_code == 200
    held = client.post(url, {"code": "H57.01-0001", "last4": "3456"})  # even the right digits, now
    assert held.status_code == 429


def test_many_lookups_from_one_client_are_held_back(client, today_rows):
    url = reverse("dossiers_public:lookup")
    codes = [f"X-{i:04d}" for i in range(30)]
    for code in codes:
        client.post(url, {"code": code, "last4": "1111"})
    assert client.post(url, {"code": "H57.01-0001", "last4": "3456"}).status_code == 429


def test_a_signed_in_person_follows_and_is_told_of_each_change(client, citizen2, today_rows, load):
    client.force_login(citizen2)
    client.post(reverse("dossiers_public:lookup"), {"code": "H57.01-0002", "last4": "3456"})
    response = client.post(reverse("dossiers_public:follow", args=["H57.01-0002"]))
    assert response.status_code == 302
    d = Dossier.objects.get(code="H57.01-0002")
    assert Follow.objects.filter(user=citizen2, dossier=d).exists()
    load(row("H57.01-0002", status="4", received=_d(d.received_at), due=_d(d.due_at)))
    note = Notification.objects.get(user=citizen2)
    assert "H57.01-0002" in note.title and note.subject_type == "dossier"
    assert "Trần Thị Lan" not in note.title + note.body
    client.logout()
    client.force_login(citizen2)  # a new session: following is enough to open it from the notice
    assert client.get(note.url).status_code == 200


def test_following_needs_the_lookup_first(client, citizen2, today_rows):
    client.force_login(citizen2)
    assert client.post(reverse("dossiers_public:follow", args=["H57.01-0002"])).status_code == 404
    assert not Follow.objects.exists()


def test_following_needs_a_signed_in_person(client, today_rows):
    client.post(reverse("dossiers_public:lookup"), {"code": "H57.01-0002", "last4": "3456"})
    response = client.post(reverse("dossiers_public:follow", args=["H57.01-0002"]))
    assert response.status_code == 302 and "/accounts/login" in response["Location"]
    assert not Follow.objects.exists()


def test_follow_refuses_get(client, citizen2, today_rows):
    client.force_login(citizen2)
    assert client.get(reverse("dossiers_public:follow", args=["H57.01-0002"])).status_code == 405


# --- figures and lists ---------------------------------------------------------------------------


def _counts(html: str) -> list[tuple[str, str, int]]:
    return [(m.group(1).replace("&amp;", "&"), m.group(2), int(m.group(3))) for m in re.finditer(
        r'href="([^"]+)" data-figure="(\w+)" data-count="(\d+)"', html)]


def test_every_number_on_the_figures_page_equals_its_list(client, leader, today_rows):
    client.force_login(leader)
    html = client.get(reverse("dossiers:figures")).content.decode()
    counts = _counts(html)
    assert len(counts) >= 5 * 4  # totals, two agencies, two wards
    for url, _figure, count in counts:
        page = client.get(url)
        assert page.status_code == 200
        total = int(re.search(r'data-testid="list-total">([\d.,]+)<', page.content.decode()).group(1)
                    .replace(".", "").replace(",", ""))
        assert total == count, url
        assert page.content.decode().count("data-dossier=") == min(count, 50)


def test_the_overdue_figure_of_an_agency_lists_its_overdue_dossiers(client, leader, today_rows, ward_unit):
    client.force_login(leader)
    url = reverse("dossiers:list") + f"?figure=overdue_now&unit={ward_unit.pk}"
    html = client.get(url).content.decode()
    assert re.findall(r'data-dossier="([^"]+)"', html) == ["H57.01-0001"]


def test_a_unit_officer_sees_only_the_unit_s_dossiers(client, officer, today_rows):
    client.force_login(officer)
    html = client.get(reverse("dossiers:list") + "?figure=received").content.decode()
    assert re.findall(r'data-dossier="([^"]+)"', html) == ["H57.01-0004"]
    figures = client.get(reverse("dossiers:figures")).content.decode()
    assert "UBND Phường Phú Xuân" not in figures


def test_a_citizen_may_not_see_the_figures(client, citizen, today_rows):
    client.force_login(citizen)
    assert client.get(reverse("dossiers:figures")).status_code == 403
    assert client.get(reverse("dossiers:list")).status_code == 403


def test_the_figures_refuse_a_wrong_method_and_bad_input(client, leader, db):
    client.force_login(leader)
    assert client.post(reverse("dossiers:figures")).status_code == 405
    assert client.get(reverse("dossiers:list") + "?figure=nope").status_code == 400
    assert client.get(reverse("dossiers:figures") + "?period=2026-13").status_code == 400


def test_the_figures_need_a_sign_in(client, db):
    assert client.get(reverse("dossiers:figures")).status_code == 302


# --- import -------------------------------------------------------------------------------------


def test_an_operator_imports_a_csv_file(client, operator, ward_unit, urban_works):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(operator)
    upload = SimpleUploadedFile("mot-cua.csv", csv_text(row(), row("H57.01-261102-0002", received="31/02/2026")))
    html = client.post(reverse("dossiers:import"), {"file": upload}).content.decode()
    assert 'data-testid="import-result"' in html and 'data-line="3"' in html
    assert Dossier.objects.count() == 1


def test_a_file_with_a_wrong_header_is_refused_on_the_page(client, operator, ward_unit):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(operator)
    upload = SimpleUploadedFile("x.csv", b"a,b,c\n1,2,3\n")
    response = client.post(reverse("dossiers:import"), {"file": upload})
    assert response.status_code == 200 and 'data-testid="file-error"' in response.content.decode()


def test_a_leader_may_not_import(client, leader, db):
    client.force_login(leader)
    assert client.get(reverse("dossiers:import")).status_code == 403


def test_the_import_refuses_a_wrong_method(client, operator, db):
    client.force_login(operator)
    assert client.put(reverse("dossiers:import")).status_code == 405


def test_the_console_shows_the_overdue_count_linking_to_its_list(client, operator, today_rows):
    client.force_login(operator)
    html = client.get(reverse("ioc:console")).content.decode()
    m = re.search(r'href="([^"]+)" data-testid="dossiers-overdue" data-count="(\d+)"', html)
    assert m and int(m.group(2)) == 2
    listed = client.get(m.group(1).replace("&amp;", "&")).content.decode()
    assert listed.count("data-dossier=") == 2


def test_the_console_feed_says_a_dossier_is_overdue_and_links_to_the_list(client, operator, today_rows, ward_unit):
    from opencity.dossiers.services import dossiers_mark_overdue

    dossiers_mark_overdue()
    client.force_login(operator)
    html = client.get(reverse("ioc:console")).content.decode()
    item = re.search(r'<li id="live-\d+"[^>]*data-kind="dossier.overdue".*?</li>', html, re.S)
    assert item, "no dossier line on the feed"
    assert "Hồ sơ quá hạn" in item.group(0) or "Dossier overdue" in item.group(0)
    assert reverse("dossiers:list") + "?figure=overdue_now" in item.group(0)
    assert "Trần Thị Lan" not in item.group(0)


# --- a dossier for staff ---------------------------------------------------------------------------


def test_staff_open_a_dossier_from_its_list_with_every_step_and_no_personal_data(client, leader, today_rows):
    from opencity.dossiers.services import dossiers_mark_overdue

    dossiers_mark_overdue()
    client.force_login(leader)
    listed = client.get(reverse("dossiers:list") + "?figure=overdue_now").content.decode()
    link = re.search(r'href="(/dossiers/d/H57\.01-0001/[^"]*)"', listed).group(1).replace("&amp;", "&")
    page = client.get(link)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-action="status_4"' in html and 'data-action="overdue"' in html
    assert "Trần Thị Lan" not in html and "905123456" not in html and "123456" not in html
    assert 'href="/dossiers/list/?figure=overdue_now' in html  # back to the list it came from


def test_a_unit_officer_cannot_open_another_unit_s_dossier(client, officer, today_rows):
    client.force_login(officer)
    assert client.get(reverse("dossiers:detail", args=["H57.01-0001"])).status_code == 404
    assert client.get(reverse("dossiers:detail", args=["H57.01-0004"])).status_code == 200


def test_a_citizen_cannot_open_the_staff_dossier_page(client, citizen, today_rows):
    client.force_login(citizen)
    assert client.get(reverse("dossiers:detail", args=["H57.01-0001"])).status_code == 403


def test_the_staff_dossier_page_refuses_a_wrong_method_and_a_foreign_back_link(client, leader, today_rows):
    client.force_login(leader)
    url = reverse("dossiers:detail", args=["H57.01-0001"])
    assert client.post(url).status_code == 405
    html = client.get(url + "?back=https://evil.example/").content.decode()
    back = re.search(r'<p class="small"><a href="([^"]*)"', html).group(1)
    assert back == reverse("dossiers:figures")
