"""Delivery: a warning is in the inbox of exactly the people in its target — one broadcast row,
not one per person — and pushed once to each of their devices, even when the worker runs twice
or stops half-way; the figures the operations centre sees."""

from __future__ import annotations

import datetime as dt
import logging
import threading

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from opencity.accounts.models import Role, User
from opencity.alerts import delivery, selectors, services, tasks
from opencity.alerts.models import Alert, Message
from opencity.notifications import outbox
from opencity.notifications import services as notifications
from opencity.notifications.models import (
    Notification,
    NotificationReceipt,
    OutboxMessage,
    PushSubscription,
)
from opencity.notifications.selectors import inbox, inbox_unread_count, notification_list

from .factories import content

pytestmark = pytest.mark.django_db


def _subscribe(user, n: int = 1) -> PushSubscription:
    return PushSubscription.objects.create(user=user, endpoint=f"https://push.example/{user.pk}/{n}",
                                           p256dh="key", auth="auth")


def _sees(user, message) -> bool:
    return inbox(user=user).filter(pk=message.notice_id).exists()


def _queued(message) -> list[int]:
    """The subscriptions named by the message's queued push rows, in order, repeats kept."""
    rows = OutboxMessage.objects.filter(kind=delivery.PUSH_KIND, payload__message_id=message.pk).order_by("pk")
    return [sub for row in rows for sub in row.payload["subscriptions"]]


def test_publishing_puts_one_broadcast_in_the_targeted_inboxes_only(
        publish, residents, citizen, django_capture_on_commit_callbacks, memory_push):
    in_thuan_an, in_phu_vang, in_kim_long = residents
    with django_capture_on_commit_callbacks(execute=True):
        message = publish()
    assert Notification.objects.filter(verb="warning").count() == 1
    note = Notification.objects.get(verb="warning")
    assert note.user_id is None and message.notice_id == note.pk
    assert _sees(in_thuan_an, message) and _sees(in_phu_vang, message)
    assert not _sees(in_kim_long, message) and not _sees(citizen, message)  # elsewhere, or no ward
    [item] = notification_list(user=in_thuan_an)
    assert item.url == f"/warnings/{message.alert_id}/"
    assert item.title.endswith(": Cảnh báo lũ trên sông Hương") and item.read_at is None
    assert inbox_unread_count(user=in_thuan_an) == 1 and inbox_unread_count(user=in_kim_long) == 0
    outbox.drain()
    message.refresh_from_db()
    assert message.delivered_count == 2 and message.fanout_done_at and message.push_done_at


def test_each_person_reads_it_in_their_language(publish, residents):
    in_thuan_an, in_phu_vang, _kim_long = residents
    publish(headline_en="Flood warning on the Perfume River", description_en="The river is rising.")
    [note] = notification_list(user=in_phu_vang)  # prefers English
    assert (note.title, note.body) == ("Warning: Flood warning on the Perfume River", "The river is rising.")
    [note] = notification_list(user=in_thuan_an)
    assert note.body.startswith("Mực nước sông Hương")


def test_a_whole_city_warning_reaches_everyone_active(publish, residents, citizen, operator):
    inactive = User.objects.create_user("0905000199", "x", home_area=residents[0].home_area, is_active=False)
    message = publish(whole_city=True, area_ids=[])
    for person in (*residents, citizen, operator):
        assert _sees(person, message)
    audience = set(delivery.target_users(message).values_list("pk", flat=True))
    assert {u.pk for u in residents} | {citizen.pk, operator.pk} <= audience
    assert inactive.pk not in audience


def test_someone_who_moves_into_the_ward_later_sees_the_warning_in_force(publish, residents, kim_long, thuan_an):
    _in_thuan_an, _in_phu_vang, in_kim_long = residents
    message = publish(area_ids=[thuan_an.pk])
    assert not _sees(in_kim_long, message)
    User.objects.filter(pk=in_kim_long.pk).update(home_area=thuan_an)  # moved to Thuận An
    in_kim_long.refresh_from_db()
    assert _sees(in_kim_long, message) and inbox_unread_count(user=in_kim_long) == 1
    assert in_kim_long.pk in set(delivery.target_users(message).values_list("pk", flat=True))
    # and a person who moves away no longer has the warning of a ward they left ...
    User.objects.filter(pk=in_kim_long.pk).update(home_area=kim_long)
    in_kim_long.refresh_from_db()
    assert not _sees(in_kim_long, message)


def test_what_a_person_read_stays_in_their_inbox_when_they_move(publish, residents, kim_long):
    in_thuan_an = residents[0]
    message = publish()
    notifications.notification_mark_read(user=in_thuan_an, notification_id=message.notice_id)
    User.objects.filter(pk=in_thuan_an.pk).update(home_area=kim_long)
    in_thuan_an.refresh_from_db()
    [item] = notification_list(user=in_thuan_an)
    assert item.pk == message.notice_id and item.read_at is not None


def test_reading_it_marks_it_read_for_that_person_only(publish, residents):
    in_thuan_an, in_phu_vang, _kim_long = residents
    message = publish()
    assert notifications.notification_mark_read(user=in_thuan_an, notification_id=message.notice_id) == 1
    assert notifications.notification_mark_read(user=in_thuan_an, notification_id=message.notice_id) == 0
    assert inbox_unread_count(user=in_thuan_an) == 0
    assert inbox_unread_count(user=in_phu_vang) == 1
    assert notification_list(user=in_phu_vang)[0].read_at is None
    assert NotificationReceipt.objects.count() == 1
    assert Notification.objects.get(pk=message.notice_id).read_at is None  # the shared row is untouched


def test_someone_outside_the_target_cannot_mark_it_read(publish, residents):
    in_kim_long = residents[2]
    message = publish()
    assert notifications.notification_mark_read(user=in_kim_long, notification_id=message.notice_id) == 0
    assert not NotificationReceipt.objects.exists()


def test_mark_all_read_covers_own_rows_and_broadcasts(publish, residents):
    in_thuan_an = residents[0]
    publish()
    publish(whole_city=True, area_ids=[])
    notifications.notify([in_thuan_an], verb="report.routed", title="Phản ánh đã được chuyển", via=())
    assert inbox_unread_count(user=in_thuan_an) == 3
    assert notifications.notification_mark_read(user=in_thuan_an) == 3
    assert inbox_unread_count(user=in_thuan_an) == 0


def test_a_cancel_tells_everyone_and_the_warning_stays_marked(publish, operator, residents, memory_push):
    in_thuan_an, in_phu_vang, in_kim_long = residents
    first = publish()
    second = services.alert_update(actor=operator, alert_id=first.alert_id,
                                   **content(area_ids=[in_thuan_an.home_area_id, in_kim_long.home_area_id]),
                                   sent=timezone.now() + dt.timedelta(seconds=1))
    third = services.alert_cancel(actor=operator, alert_id=first.alert_id, note="Nước đã rút",
                                  sent=timezone.now() + dt.timedelta(seconds=2))
    outbox.drain()
    assert [m.pk for m in notification_list(user=in_kim_long)] == [third.notice_id, second.notice_id]
    assert [m.pk for m in notification_list(user=in_phu_vang)] == [first.notice_id]  # not in the update
    cancel_note = notification_list(user=in_thuan_an)[0]
    assert cancel_note.body == third.note
    assert (cancel_note.title, cancel_note.body) == delivery._texts(third, "vi")  # "Warning cancelled: …"
    assert len(notification_list(user=in_thuan_an)) == 3
    # the replaced messages stop running when the next one is sent, the cancel at once
    first.notice.refresh_from_db()
    third.notice.refresh_from_db()
    assert first.notice.ends_at == second.sent and third.notice.ends_at == third.sent


def test_an_account_made_after_a_warning_ended_does_not_inherit_it(publish, operator, thuan_an):
    message = publish(area_ids=[thuan_an.pk])
    before = User.objects.create_user("0905000301", "x", home_area=thuan_an,
                                      date_joined=timezone.now() - dt.timedelta(days=1))
    Notification.objects.filter(pk=message.notice_id).update(ends_at=timezone.now() - dt.timedelta(minutes=1))
    after = User.objects.create_user("0905000302", "y", home_area=thuan_an)
    message = Message.objects.get(pk=message.pk)
    assert _sees(before, message) and not _sees(after, message)
    assert set(delivery.target_users(message).values_list("pk", flat=True)) >= {before.pk}
    assert after.pk not in set(delivery.target_users(message).values_list("pk", flat=True))


def test_the_rows_a_city_wide_warning_writes_do_not_grow_with_the_accounts(publish, city, memory_push):
    """1,000 accounts: the warning is in every inbox, and the rows written (every table) are as
    few as for a handful of accounts. The design before broadcasts wrote 2,000 (inbox + delivery)."""

    def rows() -> int:
        return sum(model.objects.count() for model in apps.get_models())

    def warn() -> int:
        before = rows()
        publish(whole_city=True, area_ids=[])
        outbox.drain()
        return rows() - before

    few = warn()
    wards = list(city.children.values_list("pk", flat=True))
    User.objects.bulk_create([User(phone=f"+8471{i:07d}", citizen_id=f"0460{i:08d}", full_name=f"Dân {i}", role=Role.CITIZEN,
                                   home_area_id=wards[i % len(wards)], password="!") for i in range(1000)])
    many = warn()
    assert many == few < 60
    sample = User.objects.filter(phone__startswith="+8471").order_by("?")[:20]
    assert all(inbox_unread_count(user=u) == 2 for u in sample)  # both warnings


def test_pushes_are_queued_once_per_device_in_batches(publish, residents, memory_push):
    in_thuan_an, in_phu_vang, in_kim_long = residents
    phone, tablet = _subscribe(in_thuan_an, 1), _subscribe(in_thuan_an, 2)
    english = _subscribe(in_phu_vang)
    _subscribe(in_kim_long)  # outside the target
    message = publish()
    assert delivery.message_push(message_id=message.pk, batch_size=2) == 3
    assert delivery.message_push(message_id=message.pk, batch_size=2) == 0  # done: nothing twice
    assert _queued(message) == [phone.pk, tablet.pk, english.pk]
    assert OutboxMessage.objects.filter(kind=delivery.PUSH_KIND).count() == 2
    outbox.drain()
    assert sorted(p["endpoint"] for p in memory_push.outbox) == sorted([phone.endpoint, tablet.endpoint,
                                                                        english.endpoint])
    payload = next(p["payload"] for p in memory_push.outbox if p["endpoint"] == phone.endpoint)
    assert payload["url"] == f"/warnings/{message.alert_id}/" and payload["tag"] == f"warning-{message.alert_id}"
    assert payload["severity"] == "Severe" and payload["lang"] == "vi"
    assert next(p["payload"]["lang"] for p in memory_push.outbox if p["endpoint"] == english.endpoint) == "en"
    message.refresh_from_db()
    assert message.pushed_count == 3


def test_a_worker_killed_mid_way_loses_no_push_and_doubles_none(publish, thuan_an, memory_push, monkeypatch):
    people = [User.objects.create_user(f"09060000{i:02d}", f"Dân {i}", home_area=thuan_an) for i in range(7)]
    subs = [_subscribe(user) for user in people]
    message = publish(area_ids=[thuan_an.pk])
    real_put, calls = delivery.outbox_put, []

    def dies_on_the_second_batch(**kwargs):
        calls.append(kwargs)
        row = real_put(**kwargs)
        if len(calls) == 2:
            raise SystemExit("worker killed")  # after the row, before the commit
        return row

    monkeypatch.setattr(delivery, "outbox_put", dies_on_the_second_batch)
    with pytest.raises(SystemExit):
        delivery.message_push(message_id=message.pk, batch_size=3)
    message.refresh_from_db()
    assert message.push_cursor == subs[2].pk and message.push_done_at is None
    assert _queued(message) == [s.pk for s in subs[:3]]  # the second batch was rolled back whole
    monkeypatch.setattr(delivery, "outbox_put", real_put)
    # The periodic job finds it and a new worker finishes it.
    Message.objects.filter(pk=message.pk).update(sent=timezone.now() - dt.timedelta(minutes=5))
    assert delivery.pending_message_ids() == [message.pk]
    tasks.resume_deliveries.call_local()
    assert _queued(message) == [s.pk for s in subs]
    assert delivery.pending_message_ids() == []
    # Once more, with its marks cleared: nothing new.
    Message.objects.filter(pk=message.pk).update(push_done_at=None, fanout_done_at=None)
    delivery.message_deliver(message_id=message.pk, batch_size=2)
    assert _queued(message) == [s.pk for s in subs]
    outbox.drain()
    endpoints = [p["endpoint"] for p in memory_push.outbox]
    assert sorted(endpoints) == sorted(s.endpoint for s in subs)


def test_a_superseded_message_is_not_pushed(publish, operator, residents, memory_push):
    _subscribe(residents[0])
    first = publish()
    services.alert_update(actor=operator, alert_id=first.alert_id, **content(whole_city=True),
                          sent=timezone.now() + dt.timedelta(seconds=1))
    assert delivery.message_push(message_id=first.pk) == 0
    assert Message.objects.get(pk=first.pk).push_done_at is not None


def test_a_queued_push_of_a_message_superseded_meanwhile_is_not_sent(publish, operator, residents, memory_push):
    _subscribe(residents[0])
    first = publish()
    delivery.message_push(message_id=first.pk)
    services.alert_update(actor=operator, alert_id=first.alert_id, **content(area_ids=[residents[0].home_area_id]),
                          sent=timezone.now() + dt.timedelta(seconds=1))
    [row] = OutboxMessage.objects.filter(kind=delivery.PUSH_KIND, payload__message_id=first.pk)
    assert delivery.message_push_batch(message_id=first.pk, subscription_ids=row.payload["subscriptions"]) == 0


def test_exercises_are_not_delivered(publish, residents, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = publish(status="Exercise")
    assert message.notice_id is None
    assert not Notification.objects.filter(verb="warning").exists()
    assert all(inbox_unread_count(user=u) == 0 for u in residents)


def test_push_drops_gone_devices_and_keeps_each_subscriptions_books(publish, residents, memory_push, monkeypatch):
    in_thuan_an, in_phu_vang, _kim_long = residents
    ok, gone = _subscribe(in_thuan_an, 1), _subscribe(in_thuan_an, 2)
    failing = _subscribe(in_phu_vang, 1)
    PushSubscription.objects.filter(pk=ok.pk).update(failures=2)
    memory_push.gone_endpoints.add(gone.endpoint)

    class Flaky(memory_push):
        def send(self, subscription, payload, *, ttl=3600):
            return "failed" if subscription.pk == failing.pk else super().send(subscription, payload, ttl=ttl)

    monkeypatch.setattr(delivery, "get_backend", Flaky)
    message = publish()
    delivery.message_push(message_id=message.pk)
    outbox.drain()
    ok.refresh_from_db()
    failing.refresh_from_db()
    assert ok.failures == 0 and ok.last_success_at is not None
    assert failing.failures == 1 and failing.last_success_at is None
    assert not PushSubscription.objects.filter(pk=gone.pk).exists()
    assert [p["endpoint"] for p in memory_push.outbox] == [ok.endpoint]


def test_without_vapid_keys_push_is_skipped_and_logged(publish, residents, settings, caplog):
    settings.OPENCITY_PUSH_BACKEND = "opencity.notifications.push.WebPushBackend"
    settings.OPENCITY_VAPID_PUBLIC_KEY = settings.OPENCITY_VAPID_PRIVATE_KEY = ""
    _subscribe(residents[0])
    message = publish()
    with caplog.at_level(logging.WARNING, logger="opencity.alerts.delivery"):
        delivery.message_deliver(message_id=message.pk)
    assert "VAPID keys are not configured" in caplog.text
    assert _sees(residents[0], message)  # the inbox still works
    message.refresh_from_db()
    assert message.push_done_at is not None and _queued(message) == []


def test_figures_count_people_opens_and_views(publish, operator, residents, memory_push):
    in_thuan_an, in_phu_vang, in_kim_long = residents
    first = publish()
    delivery.message_deliver(message_id=first.pk)
    second = services.alert_update(actor=operator, alert_id=first.alert_id,
                                   **content(area_ids=[in_thuan_an.home_area_id, in_kim_long.home_area_id]),
                                   sent=timezone.now() + dt.timedelta(seconds=1))
    delivery.message_deliver(message_id=second.pk)
    alert = Alert.objects.get(pk=first.alert_id)
    stats = selectors.alert_stats(alert)
    assert (stats["reached"], stats["opened"], stats["views"]) == (2, 0, 0)
    # Thuận An opens the page; Phú Vang reads the inbox entry; a visitor looks too.
    services.alert_record_view(alert_id=alert.pk, user=in_thuan_an)
    notifications.notification_mark_read(user=in_phu_vang, notification_id=first.notice_id)
    services.alert_record_view(alert_id=alert.pk, user=None)
    services.alert_record_view(alert_id=alert.pk, user=in_thuan_an)
    alert.refresh_from_db()
    stats = selectors.alert_stats(alert)
    assert (stats["opened"], stats["views"]) == (2, 3)
    by_seq = {m.seq: m for m in stats["messages"]}
    assert (by_seq[1].delivered_count, by_seq[1].opened) == (2, 2)
    assert (by_seq[2].delivered_count, by_seq[2].opened) == (2, 1)
    # Opening the page marked Thuận An's entries read, nobody else's.
    assert inbox_unread_count(user=in_thuan_an) == 0
    assert inbox_unread_count(user=in_kim_long) == 1


def test_the_task_runs_the_delivery(publish, residents):
    message = publish()
    assert tasks.deliver_message.call_local(message.pk) == 2
    assert tasks.deliver_message.call_local(message.pk) == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between two connections: PostgreSQL's")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_queueing_one_message_at_once_queue_each_device_once(publish, thuan_an, memory_push):
    people = [User.objects.create_user(f"09060{i:05d}", "x", home_area=thuan_an) for i in range(60)]
    subs = [_subscribe(person) for person in people]
    message = publish(area_ids=[thuan_an.pk])  # the worker ran eagerly on commit
    Message.objects.filter(pk=message.pk).update(push_done_at=None, push_cursor=0, pushed_count=0)
    OutboxMessage.objects.filter(kind=delivery.PUSH_KIND).delete()
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def worker(i):
        try:
            barrier.wait(timeout=10)
            results[i] = delivery.message_push(message_id=message.pk, batch_size=5)
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == len(people)
    assert sorted(_queued(message)) == sorted(s.pk for s in subs)
