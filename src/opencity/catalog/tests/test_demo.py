"""The demo catalogue: 50+ valid services with Huế's names, a dozen news items; loading twice
adds nothing and notifies nobody."""

from __future__ import annotations

import pytest

from opencity.catalog.models import NewsItem, Service, ServiceKind
from opencity.demo.catalog import demo_load_catalog
from opencity.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_the_demo_catalogue_loads_once(citizen):
    first = demo_load_catalog()
    assert first.services >= 50 and first.news >= 12
    second = demo_load_catalog()
    assert second.services == 0 and second.news == 0
    assert Service.objects.count() == first.services and NewsItem.objects.count() == first.news
    for service in Service.objects.all():
        service.full_clean()  # every URL name reverses, every address is https, every icon exists
        assert service.target
    external = Service.objects.filter(kind=ServiceKind.EXTERNAL)
    assert all(".example" in s.url.split("/")[2] for s in external)  # reserved names: never a real call
    assert {"Điện lực Huế", "Cấp nước Huế (HueWACO)", "Dịch vụ công trực tuyến", "SOS cứu hộ"} <= set(
        Service.objects.values_list("name", flat=True))
    assert not Notification.objects.exists()
