"""Shelters: an operator opens a shelter for an incident and registers a household; a visitor on
a phone sees how full it is on the public page, never who is there; a household that does not
fit is refused with the places left."""

from __future__ import annotations

import re

from opencity.geo.models import Area


def test_a_shelter_opens_registers_a_household_and_the_public_sees_its_occupancy(login, new_page, operator):
    from opencity.incidents import services
    from opencity.incidents.models import Shelter, ShelterStay

    phu_xuan = Area.objects.get(name__endswith="Phú Xuân")
    thuan_hoa = Area.objects.get(name__endswith="Thuận Hóa")
    incident = services.incident_open(actor=operator, kind="flood", name="Lũ lịch sử tháng 11", level=3,
                                      area_ids=[phu_xuan.pk, thuan_hoa.pk], active=True)
    shelter = Shelter.objects.create(name="Nhà văn hóa Tổ 5", kind="cultural_house", area=phu_xuan,
                                     address="12 Lê Duẩn", lat=16.4690, lon=107.5770, capacity_day=6,
                                     capacity_night=6, phone="+842343812345")

    # The operator opens the shelter from the incident page, then registers a household of 5.
    ioc = login(operator, width=1366)
    ioc.goto(f"/incidents/{incident.pk}/")
    part = ioc.locator("[data-testid=incident-shelters]")
    part.locator("select[name=shelter]").select_option(str(shelter.pk))
    part.locator("[data-testid=shelter-open]").click()
    ioc.wait_for_url(re.compile(rf"/incidents/{incident.pk}/#shelters$"))
    ioc.locator(f"[data-testid=incident-shelter][data-id='{shelter.pk}'] a").click()
    ioc.wait_for_url(re.compile(rf"/incidents/{incident.pk}/shelters/{shelter.pk}/$"))
    ioc.fill("#id_head_name", "Hồ Văn Bí Mật")
    ioc.fill("#id_people", "5")
    ioc.fill("#id_phone", "0905 777 888")
    ioc.select_option("#id_from_area", str(thuan_hoa.pk))
    ioc.click("[data-testid=check-in]")
    ioc.wait_for_selector("[data-testid=shelter-status][data-occupancy='5']")
    assert "Hồ Văn Bí Mật" in ioc.inner_text("[data-testid=stays-present]")
    assert ioc.js_errors == []

    # A visitor, on a phone and not signed in, sees the shelter with 5 people in it.
    phone = new_page(width=390)
    phone.goto("/shelters/")
    card = phone.locator(f"[data-testid=shelter-card][data-id='{shelter.pk}']")
    assert card.get_attribute("data-occupancy") == "5"
    assert re.search(r"\b5\s*/\s*6\b", card.locator("[data-testid=shelter-occupancy]").inner_text())
    assert "Nhà văn hóa Tổ 5" in card.inner_text() and "Phú Xuân" in phone.inner_text("main")
    assert card.locator("a[href^='tel:+842343812345']").count() == 1
    html = phone.content()
    assert "Bí Mật" not in html and "777" not in html
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    phone.wait_for_selector("#shelters-map[data-markers='1']")  # the map, drawn without tiles
    assert phone.js_errors == []

    # A household of 3 does not fit in the one place left: refused, with the places left.
    ioc.fill("#id_head_name", "Trần Thị Sau")
    ioc.fill("#id_people", "3")
    ioc.click("[data-testid=check-in]")
    refusal = ioc.locator("[data-testid=over-capacity]")
    refusal.wait_for()
    assert "1" in refusal.inner_text() and "5 / 6" in refusal.inner_text()
    assert ShelterStay.objects.filter(shelter=shelter).count() == 1
