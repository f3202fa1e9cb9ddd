"""One-stop dossiers in the browser (issue #19): a citizen on a phone looks a dossier up by its
code and the last four digits of the phone, sees its status history and follows it; a leader
opens an agency's overdue dossiers from its figure, and the list has as many rows as it said."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect


def _d(moment: dt.datetime) -> str:
    from opencity.lib.worktime import TZ

    return timezone.localtime(moment, TZ).strftime("%d/%m/%Y %H:%M")


@pytest.fixture
def dossiers(ward_unit, urban_works):
    """Through the import service, as the one-stop system sends them: at the ward's People's
    Committee two overdue, one open, one done; one overdue at HEPCO."""
    from opencity.dossiers.services import dossiers_import

    now = timezone.now()

    def row(code, status, received_days, due_days, finished=None, unit="ubnd-phu-xuan", ward=""):
        return {"MaHoSo": code, "MaTTHC": "1.009994", "TenTTHC": "Cấp giấy phép xây dựng nhà ở riêng lẻ",
                "ChuHoSo": "Trần Thị Lan", "SoDienThoai": "0905123456",
                "NgayTiepNhan": _d(now - dt.timedelta(days=received_days)),
                "NgayHenTra": _d(now + dt.timedelta(days=due_days)),
                "NgayKetThucXuLy": _d(finished) if finished else "", "TrangThaiHoSo": status,
                "DonViXuLy": unit, "PhuongXa": ward}

    rows = [row("H57.08-0001", "4", 20, -2), row("H57.08-0002", "5", 18, -1), row("H57.08-0003", "2", 1, 10),
            row("H57.08-0004", "10", 12, -5, finished=now - dt.timedelta(days=6)),
            row("H57.08-0005", "4", 9, -3, unit="hepco", ward="Phường Thuận Hóa")]
    dossiers_import(rows=list(enumerate(rows, start=2)))
    # the next day the one-stop system says the first is waiting for more documents
    dossiers_import(rows=[(2, {**rows[0], "TrangThaiHoSo": "5"})])


def test_a_citizen_looks_up_a_dossier_and_follows_it(login, citizen, dossiers):
    from opencity.dossiers.models import Follow

    page = login(citizen)
    page.goto("/tra-cuu-ho-so/")
    page.fill("#id_code", "H57.08-0001")
    page.fill("#id_last4", "0000")
    page.click("[data-testid=dossier-lookup] button[type=submit]")
    expect(page.get_by_test_id("lookup-error")).to_be_visible()  # wrong digits: not found

    page.fill("#id_code", "H57.08-0001")
    page.fill("#id_last4", "3456")
    page.click("[data-testid=dossier-lookup] button[type=submit]")
    expect(page.get_by_test_id("dossier-status")).to_be_visible()
    expect(page.get_by_test_id("dossier-status-label")).to_have_text("Chờ bổ sung hồ sơ")
    history = page.get_by_test_id("dossier-history")
    expect(history.locator("li")).to_have_count(2)
    expect(history).to_contain_text("Đang xử lý")
    content = page.content()
    assert "Trần Thị Lan" not in content and "0905" not in content

    page.get_by_test_id("dossier-follow").click()
    expect(page.get_by_text("Bạn đang theo dõi hồ sơ này", exact=False)).to_be_visible()
    assert Follow.objects.filter(user=citizen, dossier__code="H57.08-0001").exists()


def test_a_leader_opens_an_agencys_overdue_dossiers_from_its_figure(login, leader, dossiers, ward_unit):
    page = login(leader, width=1366)
    page.goto("/dossiers/")
    row = page.locator(f"[data-testid=by-unit] tr[data-row='{ward_unit.pk}']")
    link = row.locator("a[data-figure=overdue_now]")
    expect(link).to_have_text("2")
    count = int(link.get_attribute("data-count"))
    link.click()
    expect(page.get_by_test_id("dossier-list")).to_be_visible()
    assert re.search(r"figure=overdue_now", page.url)
    expect(page.get_by_test_id("list-total")).to_have_text(str(count))
    expect(page.locator("[data-testid=dossier-list] tbody tr")).to_have_count(count)
    codes = page.locator("[data-testid=dossier-list] tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.dossier)")
    assert sorted(codes) == ["H57.08-0001", "H57.08-0002"]
