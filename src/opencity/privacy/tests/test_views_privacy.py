"""The privacy centre's pages: own data only, the owner's export, the officer's registers."""

from __future__ import annotations

import json

import pytest

from opencity.conftest import PASSWORD
from opencity.privacy import services

pytestmark = pytest.mark.django_db


def test_my_data_page_lists_my_sections(client, citizen, make_report):
    make_report()
    client.force_login(citizen)
    page = client.get("/privacy/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Dữ liệu của tôi" in text and 'data-testid="section-reports"' in text
    assert 'data-testid="section-consents"' in text


def test_my_data_page_says_a_status_in_words_not_its_code(client, citizen, make_report):
    report = make_report()
    client.force_login(citizen)
    page = client.get("/privacy/")
    reports = next(p for p in page.context["sections"] if p["section"].key == "reports")
    assert reports["lines"] and all(" · new" not in line for line in reports["lines"])
    assert any(f"{report.ref} · " in line and " · Mới" in line for line in reports["lines"]), reports["lines"]


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get("/privacy/").status_code == 302


def test_export_downloads_for_the_owner_and_404_for_another(client, citizen, citizen2, make_report):
    report = make_report()
    client.force_login(citizen)
    assert client.get("/privacy/export/").status_code == 405
    assert client.post("/privacy/export/").status_code == 302
    req = citizen.privacy_requests.get(kind="export")
    got = client.get(f"/privacy/export/{req.pk}.json")
    assert got.status_code == 200 and got["Cache-Control"] == "private, no-store"
    assert json.loads(got.content)["sections"]["reports"]["rows"][0]["ref"] == report.ref
    assert client.get(f"/privacy/export/{req.pk}.pdf").content.startswith(b"%PDF")
    assert client.get(f"/privacy/export/{req.pk}.exe").status_code == 404
    client.force_login(citizen2)
    assert client.get(f"/privacy/export/{req.pk}.json").status_code == 404


def test_a_citizen_sees_only_own_requests(client, citizen, citizen2):
    services.privacy_request_create(user=citizen2, kind="objection", details="Yêu cầu của người khác ở đây.")
    client.force_login(citizen)
    page = client.post("/privacy/requests/", {"kind": "correction", "details": "Sửa số nhà trên phản ánh."})
    assert page.status_code == 302
    text = client.get("/privacy/requests/").content.decode()
    assert "Sửa số nhà trên phản ánh." in text and "Yêu cầu của người khác" not in text


def test_a_bad_request_answers_400(client, citizen):
    client.force_login(citizen)
    assert client.post("/privacy/requests/", {"kind": "nothing", "details": ""}).status_code == 400


def test_delete_page_says_reports_stay_public_then_erases(client, citizen):
    client.force_login(citizen)
    page = client.get("/privacy/delete/")
    assert "91/2025/QH15" in page.content.decode()
    assert client.post("/privacy/delete/", {"password": "sai", "confirm": "on"}).status_code == 400
    assert client.post("/privacy/delete/", {"password": PASSWORD, "confirm": "on"}).status_code == 302
    assert client.get("/privacy/").status_code == 302  # signed out
    assert not client.login(phone="0905000001", password=PASSWORD)


def test_the_register_is_for_privacy_officers(client, citizen, operator, admin_user):
    services.privacy_request_create(user=citizen, kind="objection", details="Tôi phản đối việc này nhé.")
    for person in (citizen, operator):
        client.force_login(person)
        assert client.get("/privacy/staff/").status_code == 403
        assert client.get("/privacy/staff/breaches/").status_code == 403
        assert client.get("/privacy/staff/processing/").status_code == 403
    client.force_login(admin_user)
    page = client.get("/privacy/staff/")
    assert page.status_code == 200 and "Tôi phản đối việc này nhé." in page.content.decode()


def test_an_officer_answers_from_the_register(client, citizen, admin_user):
    r = services.privacy_request_create(user=citizen, kind="objection", details="Tôi phản đối việc này nhé.")
    client.force_login(admin_user)
    assert client.get(f"/privacy/staff/requests/{r.pk}/act/").status_code == 405
    got = client.post(f"/privacy/staff/requests/{r.pk}/act/", {"action": "answer", "note": "Đã xử lý.",
                                                               "version": r.version})
    assert got.status_code == 302
    r.refresh_from_db()
    assert r.status == "answered"
    assert client.post("/privacy/staff/requests/999999/act/", {"action": "answer", "note": "x"}).status_code == 404
