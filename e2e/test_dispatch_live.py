"""The rescue dispatch board stays live (issue #14, operators 1): with the board open at a desk
(1366 px), a request sent from a phone appears in the list without a reload, and the title says
so until it is acknowledged."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from opencity.conftest import STORY_LAT, STORY_LON


@pytest.fixture(autouse=True)
def _short_streams(settings):
    settings.OPENCITY_LIVE_STREAM_SECONDS = 4
    settings.OPENCITY_LIVE_POLL_SECONDS = 0.3


def _wait_for_the_stream(page) -> None:
    """The board is listening and has caught up once, so what follows arrives by the stream
    (the slow poll runs only while the stream is down)."""
    expect(page.locator("#dispatch-live")).to_have_attribute("data-live", "open")
    expect(page.locator("#dispatch-live")).to_have_attribute("data-refreshed", re.compile(r"^[1-9]"))


def test_a_new_sos_appears_on_the_open_board_and_in_the_title(login, operator, citizen):
    from opencity.emergency.services import rescue_request_create

    board = login(operator, width=1366)
    board.goto("/ioc/dispatch/")
    expect(board.locator("[data-testid=dispatch-row]")).to_have_count(0)
    expect(board.locator("#dispatch-map")).to_have_attribute("data-points", "0")
    board.click("h1")  # the one gesture browsers want before they play a sound
    base_title = board.title()
    board.evaluate("window.__marker = 'not reloaded'")
    _wait_for_the_stream(board)

    req, _ = rescue_request_create(actor=citizen, lat=STORY_LAT, lon=STORY_LON, people=2, needs=["trapped"],
                                   client_token="dispatch-live-0001")

    row = board.locator(f"[data-testid=dispatch-row][data-id='{req.pk}']")
    expect(row).to_be_visible(timeout=20_000)
    # the map draws it with the list (not on its 30 s timer)
    expect(board.locator("#dispatch-map")).to_have_attribute("data-points", "1", timeout=5_000)
    expect(board).to_have_title(re.compile(r"^\(1\) Yêu cầu cứu hộ mới — "))
    expect(board.locator("[data-testid=dispatch-alert]")).to_contain_text(req.ref)
    assert board.evaluate("window.__marker") == "not reloaded"

    # The mute toggle is remembered.
    board.click("[data-testid=dispatch-sound]")
    assert board.evaluate("localStorage.getItem('opencity.dispatch.muted')") == "1"
    expect(board.locator("[data-testid=dispatch-sound]")).to_have_attribute("aria-pressed", "false")

    # "Seen" clears the title alert; acknowledging the request does too (after the reload).
    board.click("[data-testid=dispatch-seen]")
    expect(board).to_have_title(base_title)
    row.locator("[data-action=acknowledge]").click()
    board.wait_for_load_state()
    expect(board.locator(f"[data-testid=dispatch-row][data-id='{req.pk}']")).to_have_attribute(
        "data-status", "acknowledged")
    assert board.evaluate("localStorage.getItem('opencity.dispatch.muted')") == "1"
    assert board.js_errors == []


def test_a_change_made_elsewhere_re_renders_the_row(login, operator, citizen):
    from opencity.emergency.services import rescue_acknowledge, rescue_request_create

    req, _ = rescue_request_create(actor=citizen, lat=STORY_LAT, lon=STORY_LON, people=1, needs=["medical"],
                                   client_token="dispatch-live-0002")
    board = login(operator, width=1366)
    board.goto("/ioc/dispatch/")
    row = board.locator(f"[data-testid=dispatch-row][data-id='{req.pk}']")
    expect(row).to_have_attribute("data-status", "new")
    _wait_for_the_stream(board)
    rescue_acknowledge(actor=operator, request_id=req.pk)  # another operator, another desk
    expect(row).to_have_attribute("data-status", "acknowledged", timeout=20_000)
    expect(row.locator("select[name=team]")).to_be_visible()
    assert board.js_errors == []
