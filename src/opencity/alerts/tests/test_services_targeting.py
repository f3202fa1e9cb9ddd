"""Who a warning reaches: people whose home ward is in the target, or whose recently shared
location is; each of them once. "Reaches" is read where people read it — the inbox selector —
and must agree with the audience its pushes and figures are counted from."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from opencity.accounts import services as accounts
from opencity.accounts.models import User
from opencity.accounts.tests.places import point_in
from opencity.alerts import delivery, services
from opencity.notifications.models import OutboxMessage, PushSubscription
from opencity.notifications.selectors import inbox

from .factories import content

pytestmark = pytest.mark.django_db


def _person(phone: str, name: str, **extra) -> User:
    return User.objects.create_user(phone, "x", full_name=name, **extra)


def _share(user: User, area, hours_ago: float = 0) -> None:
    lat, lon = point_in(area)
    accounts.location_share(user=user, lat=lat, lon=lon, at=timezone.now() - dt.timedelta(hours=hours_ago))


def _warned(message) -> set[int]:
    """Whose inbox has the message (the inbox selector, person by person), checked against the
    audience the pushes and figures use (one query over the user table)."""
    seeing = {u.pk for u in User.objects.filter(is_active=True) if inbox(user=u).filter(pk=message.notice_id).exists()}
    assert seeing == set(delivery.target_users(message).values_list("pk", flat=True))
    return seeing


@pytest.fixture
def visitor(kim_long, thuan_an) -> User:
    """Lives in Kim Long, is in Thuận An now (shared a minute ago)."""
    user = _person("0905000201", "Khách Ở Kim Long", home_area=kim_long)
    _share(user, thuan_an, hours_ago=0.02)
    return user


def test_a_recent_location_in_the_target_is_enough(publish, visitor, thuan_an):
    message = publish(area_ids=[thuan_an.pk])
    delivery.message_deliver(message_id=message.pk)
    assert _warned(message) == {visitor.pk}
    assert inbox(user=visitor).filter(verb="warning").count() == 1


def test_the_home_ward_still_counts_with_a_location_elsewhere(publish, visitor, kim_long):
    message = publish(area_ids=[kim_long.pk])
    delivery.message_deliver(message_id=message.pk)
    assert _warned(message) == {visitor.pk}


def test_a_stale_location_does_not_count(publish, kim_long, thuan_an, settings):
    settings.OPENCITY_ALERT_LOCATION_MAX_AGE_HOURS = 72
    stale = _person("0905000202", "Đã Rời Đi", home_area=kim_long)
    _share(stale, thuan_an, hours_ago=73)
    fresh = _person("0905000203", "Vẫn Ở Đây")
    _share(fresh, thuan_an, hours_ago=71)
    message = publish(area_ids=[thuan_an.pk])
    delivery.message_deliver(message_id=message.pk)
    assert _warned(message) == {fresh.pk}


def test_the_max_age_is_a_setting(publish, thuan_an, settings):
    settings.OPENCITY_ALERT_LOCATION_MAX_AGE_HOURS = 2
    person = _person("0905000204", "Ba Giờ Trước")
    _share(person, thuan_an, hours_ago=3)
    message = publish(area_ids=[thuan_an.pk])
    delivery.message_deliver(message_id=message.pk)
    assert _warned(message) == set()


def test_matched_by_home_and_location_is_warned_once(publish, thuan_an, memory_push):
    both = _person("0905000205", "Ở Nhà", home_area=thuan_an)
    _share(both, thuan_an)
    PushSubscription.objects.create(user=both, endpoint="https://push.example/both", p256dh="k", auth="a")
    message = publish(area_ids=[thuan_an.pk])
    delivery.message_deliver(message_id=message.pk)
    delivery.message_deliver(message_id=message.pk)
    assert _warned(message) == {both.pk}
    assert inbox(user=both).filter(verb="warning").count() == 1
    [row] = OutboxMessage.objects.filter(kind=delivery.PUSH_KIND)
    assert len(row.payload["subscriptions"]) == 1
    message.refresh_from_db()
    assert message.delivered_count == 1


def test_neither_home_nor_location_in_the_target_is_not_warned(publish, kim_long, phu_vang, thuan_an):
    elsewhere = _person("0905000206", "Nơi Khác", home_area=kim_long)
    _share(elsewhere, phu_vang)
    message = publish(area_ids=[thuan_an.pk])
    delivery.message_deliver(message_id=message.pk)
    assert _warned(message) == set()


def test_an_erased_location_no_longer_counts(publish, visitor, thuan_an):
    accounts.location_clear(user=visitor)
    message = publish(area_ids=[thuan_an.pk])
    delivery.message_deliver(message_id=message.pk)
    assert _warned(message) == set()


def test_inactive_people_are_not_warned_by_location(publish, visitor, thuan_an):
    User.objects.filter(pk=visitor.pk).update(is_active=False)
    message = publish(area_ids=[thuan_an.pk])
    delivery.message_deliver(message_id=message.pk)
    assert _warned(message) == set()


def test_updates_and_the_cancel_reach_the_same_people(publish, operator, visitor, thuan_an, resident_thuan_an,
                                                     settings):
    first = publish(area_ids=[thuan_an.pk])
    delivery.message_deliver(message_id=first.pk)
    assert _warned(first) == {visitor.pk, resident_thuan_an.pk}
    update = services.alert_update(actor=operator, alert_id=first.alert_id, **content(area_ids=[thuan_an.pk]),
                                   sent=timezone.now() + dt.timedelta(seconds=1))
    delivery.message_deliver(message_id=update.pk)
    assert _warned(update) == {visitor.pk, resident_thuan_an.pk}
    # Days later the visitor's location is too old to count for a new warning, but they were
    # warned of this one: they hear that it is over.
    settings.OPENCITY_ALERT_LOCATION_MAX_AGE_HOURS = 1
    User.objects.filter(pk=visitor.pk).update(last_location_at=timezone.now() - dt.timedelta(hours=5))
    cancel = services.alert_cancel(actor=operator, alert_id=first.alert_id, note="Nước đã rút",
                                   sent=timezone.now() + dt.timedelta(seconds=2))
    delivery.message_deliver(message_id=cancel.pk)
    assert _warned(cancel) == {visitor.pk, resident_thuan_an.pk}
    assert inbox(user=visitor).filter(verb="warning").count() == 3
    # Someone whose equally old location was never warned does not get the cancel.
    other = publish(area_ids=[thuan_an.pk])
    late = _person("0905000207", "Chưa Từng Nhận")
    _share(late, thuan_an, hours_ago=5)
    delivery.message_deliver(message_id=other.pk)
    assert late.pk not in _warned(other)


def test_a_whole_city_warning_reaches_people_with_or_without_a_location(publish, visitor, citizen):
    message = publish(whole_city=True, area_ids=[])
    delivery.message_deliver(message_id=message.pk)
    assert {visitor.pk, citizen.pk} <= _warned(message)


def _user_queries(message, batch_size: int) -> int:
    with CaptureQueriesContext(connection) as ctx:
        delivery.message_push(message_id=message.pk, batch_size=batch_size, max_batches=1)
    return sum(1 for q in ctx.captured_queries if '"accounts_user"' in q["sql"])


def test_each_push_batch_reads_people_in_a_fixed_number_of_queries(publish, thuan_an, kim_long):
    for i in range(3):
        person = _person(f"09070000{i:02d}", f"Dân {i}", home_area=kim_long)
        _share(person, thuan_an)
        PushSubscription.objects.create(user=person, endpoint=f"https://push.example/{i}", p256dh="k", auth="a")
    small = _user_queries(publish(area_ids=[thuan_an.pk]), 100)
    for i in range(3, 40):
        person = _person(f"09070000{i:02d}", f"Dân {i}", home_area=thuan_an if i % 2 else kim_long)
        PushSubscription.objects.create(user=person, endpoint=f"https://push.example/{i}", p256dh="k", auth="a")
        if i % 3:
            _share(person, thuan_an)
    large = _user_queries(publish(area_ids=[thuan_an.pk]), 100)
    assert small == large <= 1  # the batch's subscriptions, joined to their people
