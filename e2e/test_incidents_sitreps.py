"""A situation report (báo cáo nhanh) from start to the signed PDF: two ward commanders enter
their ward's figures on their phones, the city total on the commander's screen is their sum, the
commander signs and downloads the PDF; a ward official of a ward the incident does not touch is
refused the entry page."""

from __future__ import annotations

import io
import re

from opencity.accounts.models import Role, User
from opencity.conftest import PASSWORD


def _enter(page, area_id: int, counter: str, value: int) -> None:
    cell = f"[data-testid=cell-{area_id}-{counter}]"
    page.fill(f"[data-testid=input-{area_id}-{counter}]", str(value))
    page.keyboard.press("Tab")  # leaving the box saves it (htmx)
    page.wait_for_selector(f"{cell} .sr-saved")
    assert page.input_value(f"[data-testid=input-{area_id}-{counter}]") == str(value)


def test_two_wards_enter_the_city_total_is_their_sum_the_commander_signs(login, operator, phu_xuan, thuan_hoa):
    from pypdf import PdfReader

    from opencity.geo.models import Area
    from opencity.incidents import services
    from opencity.incidents.models import SituationReport

    px = User.objects.create_user("0905000061", PASSWORD, full_name="Trần Chỉ Huy Phú Xuân",
                                  role=Role.WARD_OFFICIAL, home_area=phu_xuan)
    th = User.objects.create_user("0905000062", PASSWORD, full_name="Lê Chỉ Huy Thuận Hóa",
                                  role=Role.WARD_OFFICIAL, home_area=thuan_hoa)
    third_ward = Area.objects.filter(parent__code="46").exclude(pk__in=[phu_xuan.pk, thuan_hoa.pk]).first()
    outsider = User.objects.create_user("0905000063", PASSWORD, full_name="Võ Phường Khác",
                                        role=Role.WARD_OFFICIAL, home_area=third_ward)
    incident = services.incident_open(actor=operator, kind="flood", name="Lũ tháng 11", level=3,
                                      area_ids=[phu_xuan.pk, thuan_hoa.pk], active=True)
    services.roster_add(actor=operator, incident_id=incident.pk, user_id=operator.pk, position="commander")
    for user, area in ((px, phu_xuan), (th, thuan_hoa)):
        services.roster_add(actor=operator, incident_id=incident.pk, user_id=user.pk, position="commander",
                            area_id=area.pk)

    # The city commander starts report no. 1 from the incident page.
    boss = login(operator, width=1366)
    boss.on("dialog", lambda dialog: dialog.accept())
    boss.goto(f"/incidents/{incident.pk}/")
    boss.click("[data-testid=sitrep-start] button")
    boss.wait_for_url(re.compile(rf"/incidents/{incident.pk}/sitreps/1/$"))
    report = SituationReport.objects.get()

    # Each ward commander enters their ward's column on the phone, and sees no other ward.
    entered = {phu_xuan.pk: {"evacuated_people": 120, "evacuated_households": 31, "houses_flooded": 300},
               thuan_hoa.pk: {"evacuated_people": 45, "evacuated_households": 12, "houses_flooded": 80}}
    for user, area, other in ((px, phu_xuan, thuan_hoa), (th, thuan_hoa, phu_xuan)):
        page = login(user)
        page.goto(f"/incidents/{incident.pk}/sitreps/1/")
        assert page.locator(f"[data-testid=input-{other.pk}-dead]").count() == 0
        assert page.locator("[data-testid=total-evacuated_people]").count() == 0
        for counter, value in entered[area.pk].items():
            _enter(page, area.pk, counter, value)
        if area == phu_xuan:
            # Meanwhile the city command changes "dead" of this ward: the commander's stale box
            # is refused (409) and shows the value it holds now, with who changed it.
            services.sitrep_set_count(actor=operator, report_id=report.pk, area_id=area.pk, counter="dead", value=2)
            page.fill(f"[data-testid=input-{area.pk}-dead]", "1")
            page.keyboard.press("Tab")
            page.wait_for_selector(f"[data-testid=cell-{area.pk}-dead] .sr-error")
            assert page.input_value(f"[data-testid=input-{area.pk}-dead]") == "2"
            assert operator.full_name in page.inner_text(f"[data-testid=cell-{area.pk}-dead]")
        assert page.js_errors == []

    # The city's total on the commander's page is the sum of the two wards.
    boss.reload()
    for counter in ("evacuated_people", "evacuated_households", "houses_flooded"):
        expected = entered[phu_xuan.pk][counter] + entered[thuan_hoa.pk][counter]
        assert boss.inner_text(f"[data-testid=total-{counter}]").strip() == str(expected)

    # The commander signs; the report no longer takes figures; the PDF says so.
    boss.click("[data-testid=sitrep-sign]")
    boss.wait_for_selector("[data-testid=sitrep-signed]")
    assert boss.locator("[data-testid^=input-]").count() == 0
    report.refresh_from_db()
    assert report.signed_by == operator
    with boss.expect_download() as download:
        boss.click("[data-testid=sitrep-pdf]")
    pdf = download.value.path().read_bytes()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "BÁO CÁO NHANH" in text and "165" in text and "380" in text and operator.full_name in text
    assert boss.js_errors == []

    # A ward official of a third ward, not on this incident, is refused the entry page.
    stranger = login(outsider)
    response = stranger.goto(f"/incidents/{incident.pk}/sitreps/1/")
    assert response.status == 403
