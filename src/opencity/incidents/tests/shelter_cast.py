"""Shelters for the shelter tests: the standing list of Phú Xuân and Thuận Hóa, and a manager.
Imported by the ``test_shelters_*`` modules (``from .shelter_cast import *``)."""

from __future__ import annotations

import itertools

import pytest

from opencity.accounts.models import Role, User
from opencity.conftest import PASSWORD
from opencity.incidents.models import Shelter

_tokens = itertools.count(1)

__all__ = ["manager", "make_shelter", "new_token", "opened", "ward_commander"]


def new_token() -> str:
    return f"shelter-test-token-{next(_tokens):06d}"


@pytest.fixture
def manager(db) -> User:
    """A volunteer who runs a shelter: a citizen account, named as the shelter's manager."""
    return User.objects.create_user("0905000071", PASSWORD, full_name="Nguyễn Quản Lý", role=Role.CITIZEN)


@pytest.fixture
def make_shelter(phu_xuan):
    """A shelter of the standing list (same capacity by day and at night unless told: the tests
    do not depend on the hour they run at)."""

    def make(**kwargs):
        params = {"name": "Nhà văn hóa Tổ 5", "kind": "cultural_house", "area": phu_xuan,
                  "address": "12 Lê Duẩn", "lat": 16.4690, "lon": 107.5770, "capacity_day": 10,
                  "capacity_night": 10, "phone": "+842343812345"}
        params.update(kwargs)
        return Shelter.objects.create(**params)

    return make


@pytest.fixture
def opened(operator, open_incident, make_shelter, manager):
    """A shelter opened for an incident of Phú Xuân and Thuận Hóa, with ``manager`` managing it."""
    from opencity.incidents import services

    def make(incident=None, **kwargs):
        incident = incident or open_incident()
        shelter = make_shelter(**kwargs)
        shelter.managers.add(manager)
        return services.shelter_open(actor=operator, incident_id=incident.pk, shelter_id=shelter.pk)

    return make


@pytest.fixture
def ward_commander(operator, px_official):
    """``px_official`` on the incident's roster as the commander of Phú Xuân."""
    from opencity.incidents import services

    def make(incident, user=None, area=None):
        user = user or px_official
        services.roster_add(actor=operator, incident_id=incident.pk, user_id=user.pk, position="commander",
                            area_id=(area or user.home_area).pk)
        return user

    return make
