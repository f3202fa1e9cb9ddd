"""The dispatch board's list stays live (issue #14, operators 1): the page listens to the
console's server-sent events, every rescue step is in that feed, and the list can be fetched
on its own to re-render without a reload."""

from __future__ import annotations

import pytest
from django.templatetags.static import static

from opencity.emergency import services
from opencity.ioc import live
from opencity.ioc.models import LiveEvent

pytestmark = pytest.mark.django_db


def test_the_board_connects_to_the_consoles_live_stream(client, operator):
    client.force_login(operator)
    html = client.get("/ioc/dispatch/").content.decode()
    assert 'sse-connect="/ioc/live/stream?after=' in html
    assert 'sse-swap="live,busy"' in html and 'hx-swap="none"' in html
    assert static("vendor/htmx/sse.min.js") in html and static("emergency/board.js") in html
    assert 'data-list-url="/ioc/dispatch/list/"' in html
    assert 'data-testid="dispatch-sound"' in html and 'data-title="New rescue request"' in html


def test_a_new_request_is_in_the_feed_the_board_listens_to(file_sos, operator):
    after = live.latest_id()
    req = file_sos()
    rows = live.events_after(policy_bounds(operator), after)
    assert [r.kind for r in rows] == ["rescue.file"]
    message = live.sse_message(rows[0], language="vi")
    # board.js re-renders the list on a live event whose line is a rescue step
    assert 'data-kind="rescue.file"' in message and req.ref in message


def test_details_added_after_sending_reach_the_feed_too(client):
    client.post("/sos/", {"action": "callback", "phone": "0905 777 123", "people": "1",
                          "client_token": "board-live-0001"})
    link = client.get("/sos/").content.decode()
    assert "/sos/v/" in link
    req = services.RescueRequest.objects.get()
    services.rescue_add_details(request_id=req.pk, needs=["trapped"])
    kinds = list(LiveEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds[-2:] == ["rescue.file", "rescue.details"]


def test_the_list_alone_has_every_open_request_and_no_page_around_it(client, operator, file_sos):
    first, second = file_sos(), file_sos(needs=["trapped"])
    client.force_login(operator)
    response = client.get("/ioc/dispatch/list/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="dispatch-list"') and "<html" not in html
    assert f'data-id="{first.pk}" data-status="new"' in html and f'data-id="{second.pk}"' in html
    assert 'data-action="acknowledge"' in html and "2 open requests" in html
    # the most urgent first (trapped weighs most)
    assert html.index(f'data-id="{second.pk}"') < html.index(f'data-id="{first.pk}"')


def test_a_leader_reads_the_list_without_the_buttons(client, leader, file_sos):
    file_sos()
    client.force_login(leader)
    html = client.get("/ioc/dispatch/list/").content.decode()
    assert 'data-testid="dispatch-row"' in html and 'data-action="acknowledge"' not in html


def test_the_list_is_for_the_board_only(client, citizen):
    assert client.get("/ioc/dispatch/list/").status_code == 302  # to log in
    client.force_login(citizen)
    assert client.get("/ioc/dispatch/list/").status_code == 403


def test_the_list_refuses_post(client, operator):
    client.force_login(operator)
    assert client.post("/ioc/dispatch/list/").status_code == 405


def test_the_board_templates_carry_no_emoji():
    import pathlib
    import re

    root = pathlib.Path(services.__file__).parent / "templates"
    emoji = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")
    found = [str(p) for p in root.rglob("*.html") if emoji.search(p.read_text(encoding="utf-8"))]
    assert found == []


def policy_bounds(user):
    from opencity import policy

    return policy.kpi_bounds(user)


def test_a_request_without_a_place_is_on_the_list_but_not_on_the_map(client, operator, file_sos):
    placed = file_sos()
    unplaced, _created, _key = services.rescue_visitor_request_create(
        phone="0905 777 123", client_token="no-place-0001", callback=True)
    client.force_login(operator)
    features = client.get("/ioc/dispatch/map.geojson").json()["features"]
    ids = [f["properties"]["id"] for f in features if f["properties"]["kind"] == "request"]
    assert ids == [placed.pk]
    assert all(None not in f["geometry"]["coordinates"] for f in features)
    assert f'data-id="{unplaced.pk}"' in client.get("/ioc/dispatch/list/").content.decode()
