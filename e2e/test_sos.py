"""A rescue request from the tap to "rescued", with the requester seeing each step."""

from __future__ import annotations

import re

from opencity.accounts.models import Role, User
from opencity.conftest import PASSWORD, STORY_LAT, STORY_LON


def _status(page) -> str:
    return page.get_attribute("[data-testid=sos-live]", "data-status")


def test_a_rescue_request_goes_from_the_tap_to_rescued(login, citizen, operator):
    from opencity.emergency.models import RescueRequest, RescueTeam

    team = RescueTeam.objects.create(name="Đội cứu hộ Phú Vang")
    rescuer = User.objects.create_user("0901000009", PASSWORD, full_name="Trần Văn Cứu", role=Role.CITIZEN)
    team.members.add(rescuer)

    # The citizen taps SOS, puts the pin on the (lazily loaded) map and sends.
    me = login(citizen)
    me.click("a.sos-chip")
    me.wait_for_url(re.compile(r"/sos/$"))
    me.click("#sos-show-map")
    me.wait_for_selector("#sos-map.leaflet-container")
    me.evaluate("""([lat, lon]) => document.getElementById('sos-map').dispatchEvent(
        new CustomEvent('opencity:set-place', {detail: {lat: lat, lon: lon}}))""", [STORY_LAT, STORY_LON])
    assert me.input_value("#id_lat")
    me.click("[data-testid=sos-more] summary")  # the details are optional, folded away
    me.fill("#id_people", "3")
    me.check("input[name=needs][value=trapped]")
    me.fill("#id_note", "Nước ngập tới mái nhà")
    me.click("[data-testid=sos-send]")
    me.wait_for_url(re.compile(r"/sos/\d+/$"))
    req = RescueRequest.objects.get()
    assert _status(me) == "new" and req.requester == citizen
    assert me.js_errors == []

    # The IOC acknowledges: the requester sees "received" on the next poll (htmx, every 10 s).
    ioc = login(operator, width=1366)
    ioc.goto("/ioc/dispatch/")
    row = ioc.locator(f"[data-testid=dispatch-row][data-id='{req.pk}']")
    row.locator("[data-action=acknowledge]").click()
    ioc.wait_for_load_state()
    me.wait_for_selector("[data-testid=sos-live][data-status=acknowledged]", timeout=15_000)

    row = ioc.locator(f"[data-testid=dispatch-row][data-id='{req.pk}']")
    row.locator("select[name=team]").select_option(str(team.pk))
    row.locator("[data-action=assign]").click()
    ioc.wait_for_load_state()
    me.reload()
    assert _status(me) == "assigned"
    assert "Đội cứu hộ Phú Vang" in me.inner_text("[data-testid=sos-live]")

    # The team member moves it on from the phone page; the requester sees each step.
    crew = login(rescuer)
    crew.goto("/sos/team/")
    for action, status in (("dispatch", "dispatched"), ("arrive", "on_scene"), ("rescue", "rescued")):
        crew.click(f"[data-testid=team-request][data-id='{req.pk}'] [data-action={action}]")
        crew.wait_for_url(re.compile(r"/sos/team/$"))
        me.reload()
        assert _status(me) == status
        assert me.locator(f"li.done[data-step={status}]").count() == 1
    assert crew.locator("[data-testid=team-request]").count() == 0
    assert RescueRequest.objects.get().status == "rescued"
    assert me.js_errors == [] and crew.js_errors == [] and ioc.js_errors == []


def _send_sos(page, people: str, need: str) -> None:
    """Fill the SOS form (the place set as the map would set it) and send it."""
    page.evaluate("""([lat, lon]) => { document.getElementById('id_lat').value = lat;
        document.getElementById('id_lon').value = lon; }""", [STORY_LAT, STORY_LON])
    page.click("[data-testid=sos-form] [data-testid=sos-more] summary")
    page.fill("#id_people", people)
    page.check(f"input[name=needs][value={need}]")
    page.click("[data-testid=sos-send]")
    page.wait_for_url(re.compile(r"/sos/\d+/$"))


def test_a_second_emergency_then_the_limit_page_gives_numbers_to_tap(login, citizen, settings):
    from opencity.emergency.models import RescueRequest

    settings.OPENCITY_LIMITS = "sos.submit.account=2/3600"
    me = login(citizen)
    me.goto("/sos/")
    _send_sos(me, "3", "trapped")
    first = RescueRequest.objects.get()

    # Back on /sos/: the open request comes first; the form waits behind "a different emergency".
    me.goto("/sos/")
    assert me.locator(f"[data-testid=sos-open] a[href='/sos/{first.pk}/']").is_visible()
    assert not me.locator("#id_people").is_visible()
    me.click("[data-testid=sos-another] summary")
    assert me.locator("[data-testid=sos-send]").is_visible()
    _send_sos(me, "2", "medical")
    assert RescueRequest.objects.filter(requester=citizen).count() == 2

    # The limit is reached: /sos/ says so at once and gives the numbers as links to tap.
    response = me.goto("/sos/")
    assert response.status == 429
    assert me.locator("[data-testid=sos-limit]").is_visible()
    for number in ("112", "114", "115", "19001075"):
        link = me.locator(f"[data-testid=sos-limit] a[href='tel:{number}']")
        assert link.is_visible()
        box = link.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44  # a thumb can hit it at 390 px
    assert me.js_errors == []


def test_a_signed_in_citizen_sends_sos_with_one_tap(login, citizen, settings):
    """What the phone knows is enough: the location (already allowed for the site), one tap on
    "Send"; people and needs are optional and can be added on the status page after sending."""
    from opencity.emergency.models import RescueRequest

    for width in (390, 1366):
        RescueRequest.objects.all().delete()
        me = login(citizen, width=width)
        me.context.grant_permissions(["geolocation"])
        me.context.set_geolocation({"latitude": STORY_LAT, "longitude": STORY_LON})
        me.goto("/sos/")
        assert not me.locator("#id_people").is_visible()  # the details wait, folded away
        me.click("[data-testid=sos-send]")
        me.wait_for_url(re.compile(r"/sos/\d+/$"))
        req = RescueRequest.objects.get(requester=citizen)
        assert req.needs == [] and req.people == 1
        assert abs(req.lat - STORY_LAT) < 1e-5 and abs(req.lon - STORY_LON) < 1e-5
        assert me.js_errors == []
