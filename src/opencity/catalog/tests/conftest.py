from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from opencity.catalog.models import (
    NewsCategory,
    NewsItem,
    NewsStatus,
    Service,
    ServiceGroup,
    ServiceKind,
)


@pytest.fixture
def group(db) -> ServiceGroup:
    return ServiceGroup.objects.create(name="Tiện ích", name_en="Utilities", icon="plug", order=10)


@pytest.fixture
def make_service(group):
    def make(code: str, name: str, **extra) -> Service:
        fields = {"kind": ServiceKind.INTERNAL, "url_name": "reports:new", "icon": "zap", "group": group}
        fields.update(extra)
        if fields["kind"] == ServiceKind.EXTERNAL:
            fields.setdefault("url", f"https://{code}.hue.example/")
            fields["url_name"] = ""
        service = Service(code=code, name=name, **fields)
        service.full_clean()
        service.save()
        return service
    return make


@pytest.fixture
def electricity(make_service) -> Service:
    return make_service("dien-luc-hue", "Điện lực Huế", kind=ServiceKind.EXTERNAL,
                        url="https://cskh.dienluchue.example/hoa-don", short_description="Hóa đơn tiền điện",
                        keywords="EVN, cong to")


@pytest.fixture
def water(make_service) -> Service:
    return make_service("cap-nuoc-hue", "Cấp nước Huế (HueWACO)", kind=ServiceKind.EXTERNAL, icon="droplet",
                        short_description="Hóa đơn tiền nước")


@pytest.fixture
def sos(make_service) -> Service:
    return make_service("sos-cuu-ho", "SOS cứu hộ", url_name="emergency:new", icon="siren")


@pytest.fixture
def news_category(db) -> NewsCategory:
    return NewsCategory.objects.create(code="thong-bao", name="Thông báo", name_en="Notices")


@pytest.fixture
def make_news(news_category):
    def make(title: str, *, status=NewsStatus.PUBLISHED, days_ago: float = 1, **extra) -> NewsItem:
        item = NewsItem(title=title, body=extra.pop("body", "Nội dung."), category=news_category, status=status,
                        published_at=timezone.now() - dt.timedelta(days=days_ago) if status == "published" else None,
                        **extra)
        item.full_clean()
        item.save()
        return item
    return make


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def memory_push(settings):
    from opencity.notifications.push import MemoryBackend

    settings.OPENCITY_PUSH_BACKEND = "opencity.notifications.push.MemoryBackend"
    MemoryBackend.reset()
    yield MemoryBackend
    MemoryBackend.reset()
