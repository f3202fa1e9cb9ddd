"""THE digital report test: a month's report shows the console's figures.

The history of reports/tests/test_kpi.py (twelve reports played through the services in March
2026, read on Fri 20/3/2026 10:00) is generated as XLSX and PDF for the city, a ward (Phú Xuân)
and a unit (HEPCO). Each headline figure read back from the workbook must equal
``kpi.figures`` for the same scope and the value counted by hand below; the PDF's text must
show the same numbers.

Counted by hand for March (R9 merged and R10 rejected are never counted; R11 is February's):

========  ========  =========  =======  =====  =========  ========  =====  ======  ========
scope     received  processed  on time  rated  satisfied  reopened  hours  median  overdue
========  ========  =========  =======  =====  =========  ========  =====  ======  ========
city      9         6          5 (R2)   4      3          1 of 6    64     9.5     1 (R4)
Phú Xuân  8 (¬R3)   5          4        4      3          1 of 5    59     9.5     1
HEPCO     5         4          3        3      2          0 of 4    41     9.5     1
========  ========  =========  =======  =====  =========  ========  =====  ======  ========

February (the comparison): only R11, HEPCO, Phú Xuân: 1 received, processed on time, ★5, 5 h.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from opencity.ioc.digital import content, services
from opencity.ioc.digital.xlsx import SUMMARY_HEADER_ROW
from opencity.ioc.models import DigitalReportStatus
from opencity.reports import kpi
from opencity.reports.tests.helpers import NOW

pytestmark = pytest.mark.django_db

MARCH = dt.date(2026, 3, 1)

HAND = {
    "city": dict(received=9, processed=6, processing_rate=6 / 9, on_time=5, on_time_rate=5 / 6, rated=4,
                 satisfied=3, satisfaction_rate=3 / 4, reopened_rate=1 / 6, average_work_hours=64 / 6,
                 median_work_hours=9.5, overdue_now=1),
    "ward": dict(received=8, processed=5, processing_rate=5 / 8, on_time=4, on_time_rate=4 / 5, rated=4,
                 satisfied=3, satisfaction_rate=3 / 4, reopened_rate=1 / 5, average_work_hours=59 / 5,
                 median_work_hours=9.5, overdue_now=1),
    "unit": dict(received=5, processed=4, processing_rate=4 / 5, on_time=3, on_time_rate=3 / 4, rated=3,
                 satisfied=2, satisfaction_rate=2 / 3, reopened_rate=0.0, average_work_hours=41 / 4,
                 median_work_hours=9.5, overdue_now=1),
}
# February for each scope: R11 alone
FEBRUARY = dict(received=1, processed=1, processing_rate=1.0, on_time=1, on_time_rate=1.0, rated=1, satisfied=1,
                satisfaction_rate=1.0, reopened_rate=0.0, average_work_hours=5.0, median_work_hours=5.0,
                overdue_now=0)
# the figures as the PDF writes them in Vietnamese notation
PDF_TEXT = {
    "city": ["66,7%", "83,3%", "75,0%", "16,7%", "10,7", "9,5"],
    "ward": ["62,5%", "80,0%", "75,0%", "20,0%", "11,8", "9,5"],
    "unit": ["80,0%", "75,0%", "66,7%", "0,0%", "10,3", "9,5"],
}


def _target(level, phu_xuan, urban_works) -> dict:
    return {
        "city": {"level": "city", "area_id": None, "unit_id": None},
        "ward": {"level": "ward", "area_id": phu_xuan.pk, "unit_id": None},
        "unit": {"level": "unit", "area_id": None, "unit_id": urban_works.pk},
    }[level]


def _generate(leader, target, fmt, capture):
    with capture(execute=True):
        report = services.digital_report_request(actor=leader, month=MARCH, fmt=fmt, language="vi", **target)
    report.refresh_from_db()
    assert report.status == DigitalReportStatus.READY, report.error
    with report.file.open("rb") as fh:
        return report, fh.read()


def _summary(data: bytes) -> tuple[dict, dict, object]:
    wb = load_workbook(BytesIO(data))
    ws = wb.worksheets[0]
    values, previous = {}, {}
    for row in ws.iter_rows(min_row=SUMMARY_HEADER_ROW + 1, values_only=True):
        if row[4]:
            values[row[4]], previous[row[4]] = row[1], row[2]
    return values, previous, wb


@pytest.mark.parametrize("level", ["city", "ward", "unit"])
def test_the_workbook_shows_the_consoles_figures(level, history, leader, phu_xuan, urban_works,
                                                 django_capture_on_commit_callbacks):
    target = _target(level, phu_xuan, urban_works)
    _report, data = _generate(leader, target, "xlsx", django_capture_on_commit_callbacks)
    values, previous, wb = _summary(data)

    console = kpi.figures(content.kpi_scope(target["level"], target["area_id"], target["unit_id"],
                                            kpi.Period.parse("2026-03")), now=NOW)
    before = kpi.figures(content.kpi_scope(target["level"], target["area_id"], target["unit_id"],
                                           kpi.Period.parse("2026-02")), now=NOW)
    assert set(values) == set(HAND[level])
    for key, hand in HAND[level].items():
        assert values[key] == pytest.approx(getattr(console, key)), key  # the console's figure
        assert values[key] == pytest.approx(hand), key  # and the one counted by hand
        assert previous[key] == pytest.approx(getattr(before, key)), key
        assert previous[key] == pytest.approx(FEBRUARY[key]), key

    ws = wb.worksheets[0]
    with translation.override("vi"):
        name = content.scope_name(target["level"], phu_xuan if level == "ward" else None,
                                  urban_works if level == "unit" else None)
        assert ws["A1"].value == content.report_title(MARCH, name)
    assert "20/03/2026 10:00" in ws["A2"].value  # generated at, dd/mm/yyyy in Huế time
    # numbers are numbers, shares carry a percent format, the header is frozen
    rows = {r[4].value: r for r in ws.iter_rows(min_row=SUMMARY_HEADER_ROW + 1) if r[4].value}
    assert isinstance(rows["received"][1].value, int) and rows["received"][1].number_format == "#,##0"
    assert isinstance(rows["processing_rate"][1].value, float) and rows["processing_rate"][1].number_format == "0.0%"
    assert rows["average_work_hours"][1].number_format == "0.0"
    assert ws.freeze_panes == f"B{SUMMARY_HEADER_ROW + 1}"


def test_the_citys_tables_split_the_same_figures(history, leader, urban_works, other_unit, phu_xuan, thuan_hoa,
                                                 lighting, django_capture_on_commit_callbacks):
    _report, data = _generate(leader, {"level": "city", "area_id": None, "unit_id": None}, "xlsx",
                              django_capture_on_commit_callbacks)
    wb = load_workbook(BytesIO(data))
    assert len(wb.worksheets) == 5  # summary, by unit, by ward, by category, by day
    by_unit, by_ward, by_category, by_day = wb.worksheets[1:]
    for ws in wb.worksheets[1:]:
        assert ws.freeze_panes == "B2"
        header = [c.value for c in ws[1]]
        assert len(header) == 12

    def rows(ws):
        return {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}

    units = rows(by_unit)
    assert units[urban_works.name][1:3] == (5, 4)  # HEPCO: R1–R5 received, R1 R2 R3 R5 processed
    assert units[other_unit.name][1:3] == (2, 2)  # HUEWACO: R6 R7
    per_unit = kpi.figures_by(kpi.Scope(period=kpi.Period.parse("2026-03")), "unit", now=NOW)
    assert units[urban_works.name][1] == per_unit[urban_works.pk].received

    wards = rows(by_ward)
    assert wards[phu_xuan.name][1] == 8 and wards[thuan_hoa.name][1] == 1  # R3 in Thuận Hóa
    assert rows(by_category)[lighting.name_vi][1] == 7  # R1–R5, R8, R12 (R6, R7 are water)

    days = list(by_day.iter_rows(min_row=2, values_only=True))
    assert len(days) == 31  # every day of March, empty days too
    received = {d[0].date(): d[1] for d in days}
    assert received[dt.date(2026, 3, 1)] == 1  # R12: 00:15 in Huế, still 28/2 in UTC
    assert received[dt.date(2026, 3, 2)] == 6  # R1 R2 R4 R5 R6 R7
    assert received[dt.date(2026, 3, 3)] == 1 and received[dt.date(2026, 3, 4)] == 1
    assert sum(received.values()) == 9
    assert by_day["A2"].number_format == "DD/MM/YYYY"


@pytest.mark.parametrize("level", ["city", "ward", "unit"])
def test_the_pdf_shows_the_same_figures_in_vietnamese(level, history, leader, phu_xuan, urban_works,
                                                      django_capture_on_commit_callbacks):
    target = _target(level, phu_xuan, urban_works)
    report, data = _generate(leader, target, "pdf", django_capture_on_commit_callbacks)
    assert data.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)
    with translation.override("vi"):
        name = content.scope_name(target["level"], phu_xuan if level == "ward" else None,
                                  urban_works if level == "unit" else None)
        assert content.report_title(MARCH, name) in text
    # Vietnamese letters survive (the font has them): the scope's own name
    assert {"city": "Thành phố Huế", "ward": "Phường Phú Xuân", "unit": "Môi trường"}[level] in text
    for figure in PDF_TEXT[level]:
        assert figure in text, figure
    assert "20/03/2026 10:00" in text
    assert report.checksum and len(report.checksum) == 64 and report.size == len(data)


def test_the_title_reads_in_vietnamese():
    with translation.override("vi"):
        title = content.report_title(MARCH, "Thành phố Huế")
    if title.startswith("Digital report"):
        pytest.skip("the Vietnamese catalogue does not have the digital report strings yet (var/translations-digital.json)")
    assert title == "Báo cáo số tháng 03/2026 — Thành phố Huế"
