"""The cast for warning tests: a hydrometeorology unit allowed to warn and its forecaster,
citizens living in three wards, and the in-memory push backend."""

from __future__ import annotations

import pytest

from opencity.accounts.models import Role, User
from opencity.conftest import PASSWORD
from opencity.geo.models import Area
from opencity.orgs.models import Membership, Unit

from .factories import content


def _user(phone, name, role=Role.CITIZEN, **extra) -> User:
    return User.objects.create_user(phone, PASSWORD, full_name=name, role=role, **extra)


@pytest.fixture
def thuan_an(db) -> Area:
    return Area.objects.get(name="Phường Thuận An")


@pytest.fixture
def phu_vang(db) -> Area:
    return Area.objects.get(name="Xã Phú Vang")


@pytest.fixture
def kim_long(db) -> Area:
    return Area.objects.get(name="Phường Kim Long")


@pytest.fixture
def hydromet(db, city) -> Unit:
    return Unit.objects.create(code="dai-kttv", name="Đài Khí tượng Thủy văn thành phố Huế",
                               short_name="Đài KTTV", area=city, can_issue_warnings=True)


@pytest.fixture
def forecaster(db, hydromet) -> User:
    user = _user("0905000040", "Ngô Dự Báo", Role.OFFICER)
    Membership.objects.create(unit=hydromet, user=user)
    return user


@pytest.fixture
def resident_thuan_an(db, thuan_an) -> User:
    return _user("0905000101", "Lê Thị Thuận", home_area=thuan_an)


@pytest.fixture
def resident_phu_vang(db, phu_vang) -> User:
    return _user("0905000102", "Trần Văn Vang", home_area=phu_vang, preferred_language="en")


@pytest.fixture
def resident_kim_long(db, kim_long) -> User:
    return _user("0905000103", "Phan Kim Long", home_area=kim_long)


@pytest.fixture
def residents(resident_thuan_an, resident_phu_vang, resident_kim_long):
    return resident_thuan_an, resident_phu_vang, resident_kim_long


@pytest.fixture
def memory_push(settings):
    from opencity.notifications.push import MemoryBackend

    settings.OPENCITY_PUSH_BACKEND = "opencity.notifications.push.MemoryBackend"
    MemoryBackend.reset()
    yield MemoryBackend
    MemoryBackend.reset()


@pytest.fixture
def publish(operator, thuan_an, phu_vang):
    """Publish a warning through the service (default: the operator, to Thuận An and Phú Vang)."""
    from opencity.alerts import services

    def make(actor=operator, **overrides):
        overrides.setdefault("area_ids", [thuan_an.pk, phu_vang.pk])
        return services.alert_publish(actor=actor, **content(**overrides))

    return make


@pytest.fixture(autouse=True)
def _english(client):
    """These tests read the English messages; the site itself defaults to Vietnamese."""
    from django.utils import translation

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield
