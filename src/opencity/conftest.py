"""The shared cast for tests: named users in every role, two units, Huế's wards, categories.

Areas come from the geo data migration. Tests marked ``transaction=True`` (and the browser
tests) must also pass ``serialized_rollback=True`` so the areas come back after the flush.
"""

from __future__ import annotations

import itertools

import pytest

from opencity.accounts.models import Role, User
from opencity.geo.models import Area
from opencity.orgs.models import Membership, Unit

# Kiệt 32 Lê Văn Hưu, in the former phường Thuận Lộc — today Phường Phú Xuân.
STORY_LAT, STORY_LON = 16.4745, 107.5755
PASSWORD = "matkhau-an-toan-2025"


@pytest.fixture(scope="session", autouse=True)
def _huey_immediate():
    """Run background tasks at once, in memory. The huey instance is built when Django starts
    (``huey.contrib.djhuey`` reads settings.HUEY at import), so changing the setting in a
    fixture has no effect: switch the instance itself."""
    from huey.contrib.djhuey import HUEY

    previous = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = previous


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The production hasher takes ~0.4 s per password here; every cast member has one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.cache import cache

    from opencity.geo.selectors import reset_index

    # each test starts with an empty cache (the public map's clusters are cached), and the
    # city's numbers are counted afresh on every request (tests of the cache turn it on)
    settings.OPENCITY_KPI_CACHE_SECONDS = 0
    cache.clear()
    reset_index()
    # a streamed export a test never read to the end would keep its slot for the next tests
    from opencity.lib import concurrency

    concurrency.reset()
    yield
    reset_index()
    cache.clear()


def _pass_second_factor(client, user) -> None:
    """What a staff member's browser holds after the code page: a session verified by their
    authenticator app (django-otp's session key naming a confirmed device)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from opencity.accounts.signin import has_staff_access

    if not has_staff_access(user):
        return
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture(autouse=True)
def staff_sessions_pass_the_second_factor(monkeypatch):
    """Staff must pass two-factor sign-in before any staff page (accounts/middleware.py). A
    test that signs someone in with ``client.force_login`` stands for the whole sign-in, so
    for staff it also passes the second factor, as the code page would — the requirement
    itself stays on. Tests of the sign-in itself go through the real pages."""
    from asgiref.sync import sync_to_async
    from django.test.client import ClientMixin

    login, alogin = ClientMixin._login, ClientMixin._alogin

    def _login(self, user, backend=None):
        login(self, user, backend)
        _pass_second_factor(self, user)

    async def _alogin(self, user, backend=None):
        await alogin(self, user, backend)
        await sync_to_async(_pass_second_factor)(self, user)

    monkeypatch.setattr(ClientMixin, "_login", _login)
    monkeypatch.setattr(ClientMixin, "_alogin", _alogin)


@pytest.fixture
def phu_xuan(db) -> Area:
    return Area.objects.get(name="Phường Phú Xuân")


@pytest.fixture
def thuan_hoa(db) -> Area:
    return Area.objects.get(name="Phường Thuận Hóa")


@pytest.fixture
def city(db) -> Area:
    return Area.objects.get(code="46")


def _user(phone, name, role, **extra) -> User:
    return User.objects.create_user(phone, PASSWORD, full_name=name, role=role, **extra)


@pytest.fixture
def citizen(db) -> User:
    return _user("0905000001", "Nguyễn Văn An", Role.CITIZEN, email="an@example.vn")


@pytest.fixture
def citizen2(db) -> User:
    return _user("0905000002", "Trần Thị Bình", Role.CITIZEN)


@pytest.fixture
def operator(db) -> User:
    return _user("0905000010", "Lê Điều Phối", Role.OPERATOR)


@pytest.fixture
def admin_user(db) -> User:
    return _user("0905000011", "Quản Trị Viên", Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def leader(db) -> User:
    return _user("0905000012", "Lãnh Đạo Thành Phố", Role.LEADER)


@pytest.fixture
def hotline(db) -> User:
    return _user("0905000013", "Tổng Đài Viên", Role.HOTLINE)


@pytest.fixture
def urban_works(db, city) -> Unit:
    return Unit.objects.create(
        code="hepco", name="Công ty Cổ phần Môi trường và Công trình đô thị Huế", short_name="HEPCO",
        kind="enterprise", level="city", area=city,
    )


@pytest.fixture
def other_unit(db, city) -> Unit:
    return Unit.objects.create(code="huewaco", name="Công ty Cổ phần Cấp nước Thừa Thiên Huế",
                               short_name="HUEWACO", kind="enterprise", level="city", area=city)


@pytest.fixture
def ward_unit(db, phu_xuan) -> Unit:
    return Unit.objects.create(code="ubnd-phu-xuan", name="UBND Phường Phú Xuân", level="ward", area=phu_xuan)


@pytest.fixture
def officer(db, urban_works) -> User:
    user = _user("0905000020", "Phạm Cán Bộ", Role.OFFICER)
    Membership.objects.create(unit=urban_works, user=user)
    return user


@pytest.fixture
def unit_head(db, urban_works) -> User:
    user = _user("0905000021", "Hoàng Trưởng Đơn Vị", Role.OFFICER)
    Membership.objects.create(unit=urban_works, user=user, is_head=True)
    return user


@pytest.fixture
def other_officer(db, other_unit) -> User:
    user = _user("0905000022", "Võ Đơn Vị Khác", Role.OFFICER)
    Membership.objects.create(unit=other_unit, user=user)
    return user


@pytest.fixture
def ward_official(db, phu_xuan, ward_unit) -> User:
    user = _user("0905000030", "Đặng Cán Bộ Phường", Role.WARD_OFFICIAL, home_area=phu_xuan)
    Membership.objects.create(unit=ward_unit, user=user)
    return user


@pytest.fixture
def lighting(db):
    from opencity.reports.models import Category

    return Category.objects.create(code="chieu-sang", name_vi="Chiếu sáng công cộng",
                                   name_en="Street lighting", deadline_hours=16, icon="💡")


@pytest.fixture
def lighting_rule(db, lighting, urban_works):
    from opencity.reports.models import RoutingRule

    return RoutingRule.objects.create(category=lighting, area=None, unit=urban_works)


@pytest.fixture
def make_report(db, citizen, lighting):
    """Submit a report through the service (defaults: the seeds' street light story)."""
    from opencity.reports.services import report_submit

    def make(**kwargs):
        params = {
            "reporter": citizen,
            "category": lighting,
            "description": "Điện đường bị hỏng trước số nhà 31/32. Mong cơ quan chức năng xử lý",
            "lat": STORY_LAT,
            "lon": STORY_LON,
            "address": "Kiệt 32 Lê Văn Hưu, phường Thuận Lộc",
        }
        params.update(kwargs)
        return report_submit(**params)

    return make


@pytest.fixture
def published():
    """Every happening published to the console feed (``lib.feed``) while the test runs."""
    from opencity.lib import feed

    got = []

    def listen(sender, happening, **kwargs):
        got.append(happening)

    feed.happened.connect(listen)
    yield got
    feed.happened.disconnect(listen)


_sos_tokens = itertools.count(1)


@pytest.fixture
def file_sos(citizen):
    """File a rescue request through the service (as ``citizen`` at the story's place unless
    told otherwise); returns the request."""
    from opencity.emergency.services import rescue_request_create

    def make(**kwargs):
        params = {"actor": citizen, "lat": STORY_LAT, "lon": STORY_LON, "people": 3, "needs": ["evacuation"],
                  "client_token": f"test-token-{next(_sos_tokens):06d}", "note": "Nước lên tới mái nhà"}
        params.update(kwargs)
        return rescue_request_create(**params)[0]

    return make


@pytest.fixture
def at_latest_migrations():
    """For a test that migrates the schema back to test a data migration: afterwards the
    schema is left at every app's latest migration (the graph's leaves), as the rest of the
    session expects — not at the state the test checked, which a migration added later is
    missing from (a hard-coded "after" state dropped the incidents tables and
    ``Notification.texted_at`` for every browser test that followed)."""
    yield
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
