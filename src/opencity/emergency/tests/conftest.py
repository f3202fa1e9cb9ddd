"""The cast for rescue tests: two teams (one member each), a helper that files requests through
the service, and English messages."""

from __future__ import annotations

import pytest

from opencity.accounts.models import Role, User
from opencity.conftest import PASSWORD
from opencity.emergency.models import RescueTeam


@pytest.fixture
def team(db) -> RescueTeam:
    return RescueTeam.objects.create(name="Đội cứu hộ Phú Vang")


@pytest.fixture
def other_team(db) -> RescueTeam:
    return RescueTeam.objects.create(name="Đội cứu hộ Quảng Điền")


@pytest.fixture
def rescuer(db, team) -> User:
    user = User.objects.create_user("0905000050", PASSWORD, full_name="Hồ Cứu Hộ", role=Role.CITIZEN)
    team.members.add(user)
    return user


@pytest.fixture
def other_rescuer(db, other_team) -> User:
    user = User.objects.create_user("0905000051", PASSWORD, full_name="Lê Đội Khác", role=Role.CITIZEN)
    other_team.members.add(user)
    return user


@pytest.fixture
def walk(operator, rescuer, team):
    """Move a request forward through the services up to ``until`` (a status)."""
    from opencity.emergency import services
    from opencity.notifications import outbox

    def go(req, until: str):
        order = ["acknowledged", "assigned", "dispatched", "on_scene", "rescued"]
        for status in order[: order.index(until) + 1]:
            if status == "acknowledged":
                services.rescue_acknowledge(actor=operator, request_id=req.pk)
            elif status == "assigned":
                services.rescue_assign(actor=operator, request_id=req.pk, team_id=team.pk)
            else:
                action = {"dispatched": "dispatch", "on_scene": "arrive", "rescued": "rescue"}[status]
                services.rescue_team_step(actor=rescuer, request_id=req.pk, action=action)
        outbox.drain()  # the steps' side effects happened too (pushes), as after their commits
        req.refresh_from_db()
        return req

    return go


@pytest.fixture(autouse=True)
def _english(client):
    from django.utils import translation

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield
