"""Delivery: the right people get a warning once, in the inbox and by push, even when the
worker runs twice or stops half-way; the figures the operations centre sees."""

from __future__ import annotations

import datetime as dt
import logging
import threading

import pytest
from django.db import connection
from django.utils import timezone

from opencity.accounts.models import User
from opencity.alerts import delivery, selectors, services, tasks
from opencity.alerts.models import Alert, Delivery, Message
from opencity.notifications.models import Notification, PushSubscription

from .factories import content

pytestmark = pytest.mark.django_db


def _subscribe(user, n: int = 1) -> PushSubscription:
    return PushSubscription.objects.create(user=user, endpoint=f"https://push.example/{user.pk}/{n}",
                                           p256dh="key", auth="auth")


def test_publishing_delivers_after_commit_to_the_target_only(
        publish, residents, citizen, django_capture_on_commit_callbacks, memory_push):
    in_thuan_an, in_phu_vang, in_kim_long = residents
    with django_capture_on_commit_callbacks(execute=True):
        message = publish()
    notified = set(Notification.objects.filter(verb="warning").values_list("user_id", flat=True))
    assert notified == {in_thuan_an.pk, in_phu_vang.pk}
    assert in_kim_long.pk not in notified and citizen.pk not in notified  # elsewhere, or no ward
    note = Notification.objects.get(user=in_thuan_an)
    assert note.url == f"/warnings/{message.alert_id}/"
    assert note.title.endswith(": Cảnh báo lũ trên sông Hương")
    message.refresh_from_db()
    assert message.delivered_count == 2 and message.fanout_done_at and message.push_done_at


def test_each_person_reads_it_in_their_language(publish, residents, memory_push):
    _in_thuan_an, in_phu_vang, _kim_long = residents
    message = publish(headline_en="Flood warning on the Perfume River", description_en="The river is rising.")
    delivery.message_deliver(message_id=message.pk)
    note = Notification.objects.get(user=in_phu_vang)  # prefers English
    assert note.title == "Warning: Flood warning on the Perfume River"
    assert note.body == "The river is rising."


def test_a_whole_city_warning_reaches_everyone_active(publish, residents, citizen, operator):
    inactive = User.objects.create_user("0905000199", "x", home_area=residents[0].home_area, is_active=False)
    message = publish(whole_city=True, area_ids=[])
    delivery.message_deliver(message_id=message.pk)
    notified = set(Notification.objects.filter(verb="warning").values_list("user_id", flat=True))
    assert {u.pk for u in residents} | {citizen.pk, operator.pk} <= notified
    assert inactive.pk not in notified


def test_running_the_delivery_twice_sends_nothing_twice(publish, residents, memory_push):
    for user in residents:
        _subscribe(user)
    message = publish()
    first = delivery.message_deliver(message_id=message.pk)
    Message.objects.filter(pk=message.pk).update(fanout_done_at=None, push_done_at=None)  # as if never marked
    second = delivery.message_deliver(message_id=message.pk)
    assert (first.delivered, second.delivered) == (2, 0)
    assert Notification.objects.filter(verb="warning").count() == 2
    assert Delivery.objects.filter(message=message).count() == 2
    assert len(memory_push.outbox) == 2  # Thuận An and Phú Vang, not Kim Long
    assert {p["user_id"] for p in memory_push.outbox} == {residents[0].pk, residents[1].pk}


def test_an_interrupted_delivery_resumes_after_its_cursor(publish, thuan_an, memory_push):
    people = [User.objects.create_user(f"09060000{i:02d}", f"Dân {i}", home_area=thuan_an) for i in range(7)]
    for user in people:
        _subscribe(user)
    message = publish()
    # A worker delivers one batch of 3 and is stopped.
    partial = delivery.message_fan_out(message_id=message.pk, batch_size=3, max_batches=1)
    assert (partial.delivered, partial.done) == (3, False)
    message.refresh_from_db()
    assert message.fanout_cursor == people[2].pk and message.fanout_done_at is None
    assert memory_push.outbox == []
    # The periodic job finds it and a new worker finishes it.
    Message.objects.filter(pk=message.pk).update(sent=timezone.now() - dt.timedelta(minutes=5))
    assert delivery.pending_message_ids() == [message.pk]
    tasks.resume_deliveries.call_local()
    assert Notification.objects.filter(verb="warning").count() == 7
    assert sorted(Delivery.objects.filter(message=message).values_list("user_id", flat=True)) == [u.pk for u in people]
    assert len(memory_push.outbox) == 7
    assert delivery.pending_message_ids() == []
    # And once more: nothing new.
    delivery.message_deliver(message_id=message.pk, batch_size=2)
    assert Notification.objects.filter(verb="warning").count() == 7 and len(memory_push.outbox) == 7


def test_a_batch_already_written_is_not_written_again_even_without_the_cursor(publish, residents):
    message = publish()
    delivery.message_fan_out(message_id=message.pk)
    # A crash after the rows but before the cursor moved (cannot happen in one transaction; the
    # unique (message, user) rows are the second guard).
    Message.objects.filter(pk=message.pk).update(fanout_cursor=0, fanout_done_at=None)
    assert delivery.message_fan_out(message_id=message.pk).delivered == 0
    assert Notification.objects.filter(verb="warning").count() == 2


def test_an_update_reaches_the_new_target_and_a_cancel_tells_everyone(publish, operator, residents, memory_push):
    in_thuan_an, in_phu_vang, in_kim_long = residents
    first = publish()
    delivery.message_deliver(message_id=first.pk)
    second = services.alert_update(actor=operator, alert_id=first.alert_id,
                                   **content(area_ids=[in_thuan_an.home_area_id, in_kim_long.home_area_id]),
                                   sent=timezone.now() + dt.timedelta(seconds=1))
    delivery.message_deliver(message_id=second.pk)
    third = services.alert_cancel(actor=operator, alert_id=first.alert_id, note="Nước đã rút",
                                  sent=timezone.now() + dt.timedelta(seconds=2))
    delivery.message_deliver(message_id=third.pk)
    titles = list(Notification.objects.filter(user=in_kim_long).values_list("title", flat=True))
    assert len(titles) == 2
    assert Notification.objects.filter(user=in_phu_vang).count() == 1  # not in the updated target
    cancel_note = Notification.objects.filter(user=in_thuan_an).order_by("-id").first()
    assert cancel_note.body == "Nước đã rút" and cancel_note.title.endswith(": Cảnh báo lũ trên sông Hương")
    assert Notification.objects.filter(user=in_thuan_an).count() == 3


def test_a_superseded_message_is_not_delivered(publish, operator, residents):
    first = publish()
    services.alert_update(actor=operator, alert_id=first.alert_id, **content(whole_city=True),
                          sent=timezone.now() + dt.timedelta(seconds=1))
    assert delivery.message_fan_out(message_id=first.pk).delivered == 0
    assert Message.objects.get(pk=first.pk).fanout_done_at is not None


def test_exercises_are_not_delivered(publish, residents, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publish(status="Exercise")
    assert not Notification.objects.filter(verb="warning").exists()


def test_push_goes_to_every_device_of_targeted_people_and_drops_gone_ones(publish, residents, memory_push):
    in_thuan_an, in_phu_vang, in_kim_long = residents
    phone, tablet = _subscribe(in_thuan_an, 1), _subscribe(in_thuan_an, 2)
    _subscribe(in_kim_long)
    memory_push.gone_endpoints.add(tablet.endpoint)
    message = publish()
    delivery.message_deliver(message_id=message.pk)
    assert [p["endpoint"] for p in memory_push.outbox] == [phone.endpoint]
    payload = memory_push.outbox[0]["payload"]
    assert payload["url"] == f"/warnings/{message.alert_id}/" and payload["tag"] == f"warning-{message.alert_id}"
    assert payload["severity"] == "Severe" and payload["title"].endswith("Cảnh báo lũ trên sông Hương")
    assert not PushSubscription.objects.filter(pk=tablet.pk).exists()
    assert Delivery.objects.get(message=message, user=in_thuan_an).pushed_at is not None
    assert Delivery.objects.get(message=message, user=in_phu_vang).pushed_at is None  # no device


def test_without_vapid_keys_push_is_skipped_and_logged(publish, residents, settings, caplog):
    settings.OPENCITY_PUSH_BACKEND = "opencity.notifications.push.WebPushBackend"
    settings.OPENCITY_VAPID_PUBLIC_KEY = settings.OPENCITY_VAPID_PRIVATE_KEY = ""
    _subscribe(residents[0])
    message = publish()
    with caplog.at_level(logging.WARNING, logger="opencity.alerts.delivery"):
        delivery.message_deliver(message_id=message.pk)
    assert "VAPID keys are not configured" in caplog.text
    assert Notification.objects.filter(verb="warning").count() == 2  # the inbox still works
    message.refresh_from_db()
    assert message.push_done_at is not None
    assert not Delivery.objects.filter(pushed_at__isnull=False).exists()


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
    assert (stats["reached"], stats["opened"], stats["views"]) == (3, 0, 0)
    # Thuận An opens the page; Phú Vang reads the inbox entry; a visitor looks too.
    services.alert_record_view(alert_id=alert.pk, user=in_thuan_an)
    Notification.objects.filter(user=in_phu_vang).update(read_at=timezone.now())
    services.alert_record_view(alert_id=alert.pk, user=None)
    services.alert_record_view(alert_id=alert.pk, user=in_thuan_an)
    alert.refresh_from_db()
    stats = selectors.alert_stats(alert)
    assert (stats["reached"], stats["opened"], stats["views"], stats["open_rate"]) == (3, 2, 3, 67)
    by_seq = {m.seq: m for m in stats["messages"]}
    assert (by_seq[1].delivered_count, by_seq[1].opened) == (2, 2)
    assert (by_seq[2].delivered_count, by_seq[2].opened) == (2, 1)
    # Opening the page also marked Thuận An's inbox entries read.
    assert not Notification.objects.filter(user=in_thuan_an, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=in_kim_long, read_at__isnull=True).count() == 1


def test_the_task_runs_the_delivery(publish, residents):
    message = publish()
    assert tasks.deliver_message.call_local(message.pk) == 2
    assert tasks.deliver_message.call_local(message.pk) == 0


def test_push_keeps_each_subscriptions_books_and_speaks_each_persons_language(
        publish, residents, memory_push, monkeypatch):
    in_thuan_an, in_phu_vang, _kim_long = residents
    ok, failing = _subscribe(in_thuan_an, 1), _subscribe(in_phu_vang, 1)
    PushSubscription.objects.filter(pk=ok.pk).update(failures=2)

    class Flaky(memory_push):
        def send(self, subscription, payload, *, ttl=3600):
            return "failed" if subscription.pk == failing.pk else super().send(subscription, payload, ttl=ttl)

    monkeypatch.setattr(delivery, "get_backend", Flaky)
    message = publish(headline_en="Flood warning on the Perfume River", description_en="The river is rising.")
    delivery.message_fan_out(message_id=message.pk)
    first, last = delivery._claim_pushes(message, 1)
    second, _last = delivery._claim_pushes(message, 1, last)
    assert len(first) == len(second) == 1 and first != second
    assert delivery._claim_pushes(message, 10) == ([], 0)  # all claimed: nothing left for a second worker
    Delivery.objects.filter(message=message).update(pushed_at=None)
    assert delivery.message_push(message_id=message.pk, batch_size=10) == 1
    ok.refresh_from_db()
    failing.refresh_from_db()
    assert ok.failures == 0 and ok.last_success_at is not None
    assert failing.failures == 1 and failing.last_success_at is None
    assert [(p["user_id"], p["payload"]["lang"]) for p in memory_push.outbox] == [(in_thuan_an.pk, "vi")]
    assert not Delivery.objects.filter(message=message, pushed_at__isnull=True).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks (SKIP LOCKED) are PostgreSQL's")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_pushing_one_message_at_once_push_each_device_once(publish, thuan_an, memory_push):
    people = [User.objects.create_user(f"09060{i:05d}", "x", home_area=thuan_an) for i in range(60)]
    for person in people:
        _subscribe(person)
    message = publish(area_ids=[thuan_an.pk])  # delivered and pushed on commit (the worker runs eagerly)
    delivery.message_fan_out(message_id=message.pk)
    assert Delivery.objects.filter(message=message).count() == len(people)
    # As if the push had not run yet.
    Delivery.objects.filter(message=message).update(pushed_at=None)
    Message.objects.filter(pk=message.pk).update(push_done_at=None)
    memory_push.reset()
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
    endpoints = [p["endpoint"] for p in memory_push.outbox]
    assert sum(results) == len(endpoints) == len(set(endpoints)) == len(people)
