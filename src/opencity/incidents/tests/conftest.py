"""The cast for incident tests: a flood warning for two wards, rescue requests there, a rescue
team, and ward commanders of Phú Xuân and Thuận Hóa."""

from __future__ import annotations

import pytest

from opencity.accounts.models import Role, User
from opencity.conftest import PASSWORD
from opencity.emergency.models import RescueTeam


def _user(phone, name, role, **extra) -> User:
    return User.objects.create_user(phone, PASSWORD, full_name=name, role=role, **extra)


@pytest.fixture
def px_official(db, phu_xuan) -> User:
    """A ward official of Phú Xuân, the ward's commander once on the roster."""
    return _user("0905000061", "Trần Chỉ Huy Phú Xuân", Role.WARD_OFFICIAL, home_area=phu_xuan)


@pytest.fixture
def th_official(db, thuan_hoa) -> User:
    return _user("0905000062", "Lê Chỉ Huy Thuận Hóa", Role.WARD_OFFICIAL, home_area=thuan_hoa)


@pytest.fixture
def team(db) -> RescueTeam:
    return RescueTeam.objects.create(name="Đội cứu hộ số 1", phone="+84905111222")


@pytest.fixture
def flood_warning(operator, phu_xuan, thuan_hoa):
    """A flood warning (CAP) for Phú Xuân and Thuận Hóa, issued through the alerts service."""
    from opencity.alerts import services
    from opencity.alerts.tests.factories import content

    def make(**overrides):
        overrides.setdefault("area_ids", [phu_xuan.pk, thuan_hoa.pk])
        overrides.setdefault("event", "flood")
        return services.alert_publish(actor=operator, **content(**overrides)).alert

    return make


@pytest.fixture
def open_incident(operator, phu_xuan, thuan_hoa):
    from opencity.incidents import services

    def make(**kwargs):
        params = {"actor": operator, "kind": "flood", "name": "Lũ lịch sử tháng 11", "level": 3,
                  "area_ids": [phu_xuan.pk, thuan_hoa.pk]}
        params.update(kwargs)
        return services.incident_open(**params)

    return make


@pytest.fixture
def incident(open_incident):
    """An incident in response (a test module may define its own)."""
    return open_incident(active=True)


@pytest.fixture
def px_commander(operator, incident, px_official, phu_xuan):
    """The Phú Xuân official, commanding the ward's part of ``incident``."""
    from opencity.incidents import services

    services.roster_add(actor=operator, incident_id=incident.pk, user_id=px_official.pk, position="commander",
                        area_id=phu_xuan.pk)
    return px_official
