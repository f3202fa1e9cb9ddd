"""Issue #13, crash safety 2, 3 and 7b: the fault drill's reproductions, replayed in-process.

2. Side effects were lost on a crash: the web process died between its commit and the
   ``on_commit`` hook (the reporter's "routed" notification never came), and a worker killed
   mid-task lost the rest of its e-mails (12 of 558). Now every side effect that matters is an
   outbox row written in the state change's own transaction, and a periodic drain carries out
   what a crash left.
3. A city-wide warning's fan-out waited 7 min 8 s behind 1,071 queued KPI recounts. Now
   life-safety work has its own priority in huey and in the outbox, and recounts coalesce.
7b. huey kept every task result in Redis for ever. Now no result is kept.

"Dying" is replayed without killing anything: a web process that dies after its commit is a
transaction whose ``on_commit`` callbacks are discarded; a worker killed mid-task is a handler
interrupted by an exception no handler catches (a ``BaseException``, as ``SystemExit`` would be),
so the row it claimed stays leased exactly as a dead worker leaves it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.utils import timezone

from opencity.conftest import STORY_LAT, STORY_LON
from opencity.notifications import outbox
from opencity.notifications.models import Notification, OutboxMessage
from opencity.notifications.services import notify
from opencity.notifications.tasks import drain_outbox, drain_outbox_all, drain_outbox_life_safety

pytestmark = pytest.mark.django_db


def _later(seconds: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=seconds)


def _pending() -> int:
    return OutboxMessage.objects.filter(done_at__isnull=True).count()


# --- 2. a web process that dies between its commit and its on_commit hooks -----------------


def test_a_routed_reports_notification_and_e_mail_survive_the_web_process_dying_after_commit(
        make_report, lighting_rule, operator, officer, citizen, django_capture_on_commit_callbacks):
    """Before: ``notify.after_event`` ran in an on_commit hook; the web process died after the
    commit, so the reporter never heard that the report was routed, nor got the e-mail."""
    from opencity.ioc.models import LiveEvent
    from opencity.reports import services

    report = make_report()
    drain_outbox_all.call_local()  # the submit's own side effects are done
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as hooks:
        services.report_route(report_id=report.pk, actor=operator)
    assert hooks  # the kicks … which never run: the process is gone
    assert not Notification.objects.filter(user=citizen, verb="route").exists() and mail.outbox == []
    # The live-feed row was written in the transaction itself (the hook only wakes the streams).
    assert LiveEvent.objects.filter(kind="report.route", report=report).exists()

    assert drain_outbox_all.call_local() >= 1  # the periodic drain, a minute later
    drain_outbox_all.call_local()  # and again: nothing twice
    told = Notification.objects.filter(user=citizen, verb="route")
    assert told.count() == 1 and told.get().emailed_at is not None
    assert [m.to for m in mail.outbox] == [["an@example.vn"]] and report.ref in mail.outbox[0].subject
    assert Notification.objects.filter(user=officer, verb="route").count() == 1
    assert _pending() == 0


def test_a_warning_survives_the_web_process_dying_after_commit(
        operator, citizen, phu_xuan, settings, django_capture_on_commit_callbacks):
    """Before: the fan-out was queued in an on_commit hook (the half-done sweep only picked a
    message up two minutes later). Now the outbox row commits with the message."""
    from opencity.alerts import services as alerts
    from opencity.alerts.tests.factories import content

    citizen.home_area = phu_xuan
    citizen.save()
    with django_capture_on_commit_callbacks(execute=False):
        message = alerts.alert_publish(actor=operator, area_ids=[phu_xuan.pk], **content())
    message.refresh_from_db()
    assert message.fanout_done_at is None and message.push_done_at is None
    assert drain_outbox_life_safety.call_local() == 1
    message.refresh_from_db()
    assert message.delivered_count == 1
    assert message.fanout_done_at is not None and message.push_done_at is not None


def test_a_rescue_steps_push_survives_the_web_process_dying_after_commit(
        citizen, operator, settings, django_capture_on_commit_callbacks):
    """Before: the push to the requester's phone was an on_commit hook: lost with the process."""
    from opencity.emergency import services as sos
    from opencity.notifications.models import PushSubscription
    from opencity.notifications.push import MemoryBackend

    settings.OPENCITY_PUSH_BACKEND = "opencity.notifications.push.MemoryBackend"
    MemoryBackend.reset()
    PushSubscription.objects.create(user=citizen, endpoint="https://fcm.googleapis.com/fcm/send/x1",
                                    p256dh="key", auth="auth")
    req, _created = sos.rescue_request_create(actor=citizen, lat=STORY_LAT, lon=STORY_LON, people=2,
                                              needs=["evacuation"], client_token="outbox-test-0001")
    with django_capture_on_commit_callbacks(execute=False):
        sos.rescue_acknowledge(actor=operator, request_id=req.pk)
    assert MemoryBackend.outbox == []
    drain_outbox_life_safety.call_local()
    drain_outbox_life_safety.call_local()
    assert [p["payload"]["tag"] for p in MemoryBackend.outbox] == [f"sos-{req.pk}"]
    MemoryBackend.reset()


def test_a_kpi_recount_survives_the_web_process_dying_after_commit(
        make_report, lighting_rule, operator, django_capture_on_commit_callbacks):
    """Before: the recount was queued in an on_commit hook; lost, the console's figures stayed
    wrong until the nightly job."""
    from opencity.reports.kpi import local_date
    from opencity.reports.models import KpiRollup

    with django_capture_on_commit_callbacks(execute=False):
        report = make_report()
    day = local_date(report.created_at)
    assert not KpiRollup.objects.filter(span="day", day=day).exists()
    drain_outbox_all.call_local()
    assert sum(KpiRollup.objects.filter(span="day", day=day).values_list("received", flat=True)) == 1


# --- 2. a worker killed in the middle of its e-mails -------------------------------------------


class _Killed(BaseException):
    """The worker's process ends here (nothing in the drain catches a BaseException)."""


class DyingMailBackend(LocmemBackend):
    """An SMTP server as the worker sees it, up to the moment the worker is killed: it accepts
    ``sends_before_death`` messages, then the process dies (or the server fails: ``fail``)."""

    sends_before_death = 0
    fail = False

    def send_messages(self, messages):
        if DyingMailBackend.sends_before_death <= 0:
            if DyingMailBackend.fail:
                raise ConnectionRefusedError("the mail server went away")
            raise _Killed
        DyingMailBackend.sends_before_death -= 1
        return super().send_messages(messages)


@pytest.fixture
def residents(db):
    from opencity.accounts.models import User

    return [User.objects.create_user(f"09060{i:05d}", "x", full_name=f"Người dân {i}",
                                     email=f"dan{i}@example.vn") for i in range(40)]


def test_e_mails_survive_a_worker_killed_mid_task(residents, settings, django_capture_on_commit_callbacks):
    """Before: 12 of 558 e-mails were lost — huey had handed the task to a worker that was
    killed, and nothing ever sent the rest. Now the row stays leased; once the lease is over the
    periodic drain takes it again and sends the rest, none twice."""
    with django_capture_on_commit_callbacks(execute=False):
        notify(residents, verb="info", title="Lịch cắt nước")
    mail.outbox.clear()
    settings.EMAIL_BACKEND = "opencity.tests.test_security_outbox.DyingMailBackend"
    DyingMailBackend.sends_before_death, DyingMailBackend.fail = 13, False
    with pytest.raises(_Killed):
        drain_outbox_all.call_local()
    assert len(mail.outbox) == 13
    row = OutboxMessage.objects.get(kind="notifications.email")
    assert row.done_at is None and row.leased_by and row.attempts == 1

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.drain() == 0  # another worker meanwhile: the lease holds it back
    assert outbox.drain(now=_later(settings.OPENCITY_OUTBOX_LEASE_SECONDS + 1)) == 1  # the lease is over
    sent = sorted(m.to[0] for m in mail.outbox)
    assert sent == sorted(u.email for u in residents)  # every one, exactly once
    row.refresh_from_db()
    assert row.done_at is not None and row.attempts == 2
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_a_handler_that_fails_mid_way_is_tried_again_and_finishes(residents, settings,
                                                                    django_capture_on_commit_callbacks):
    """A mail server that goes away after 5 messages: the row keeps the error and comes back
    after its back-off; the 5 sent are not sent again."""
    with django_capture_on_commit_callbacks(execute=False):
        notify(residents[:10], verb="info", title="Lịch cắt nước")
    mail.outbox.clear()
    settings.EMAIL_BACKEND = "opencity.tests.test_security_outbox.DyingMailBackend"
    DyingMailBackend.sends_before_death, DyingMailBackend.fail = 5, True
    assert outbox.drain() == 0
    row = OutboxMessage.objects.get(kind="notifications.email")
    assert row.done_at is None and not row.leased_by and "mail server went away" in row.last_error
    assert len(mail.outbox) == 5

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.drain() == 0  # not before its back-off
    assert outbox.drain(now=_later(outbox.RETRY_BASE_SECONDS + 1)) == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in residents[:10])


def test_inbox_rows_of_an_event_are_written_once_even_if_the_drain_runs_twice_at_once(
        make_report, lighting_rule, operator, citizen, django_capture_on_commit_callbacks):
    """The inbox rows are written in the transaction that marks the row done: a drain that lost
    its lease (a stalled worker) writes nothing."""
    from opencity.reports import services
    from opencity.reports.notify import NOTIFY_KIND

    report = make_report()
    with django_capture_on_commit_callbacks(execute=False):
        services.report_route(report_id=report.pk, actor=operator)
    claimed = outbox._claim(outbox.BULK, timezone.now())
    while claimed and claimed[1][0].kind != NOTIFY_KIND:  # the stalled worker holds the notify row
        claimed = outbox._claim(outbox.BULK, timezone.now())
    token, rows = claimed
    # its lease runs out and another worker carries the row out …
    assert outbox.drain(now=_later(settings.OPENCITY_OUTBOX_LEASE_SECONDS + 1)) >= 1
    # … then the stalled one wakes up and runs it too: its work is rolled back
    assert outbox._run(token, rows, timezone.now()) is False
    assert Notification.objects.filter(user=citizen, verb="route").count() == 1


# --- 3. a warning waits behind routine work --------------------------------------------------


@pytest.fixture
def real_queue(tmp_path, _huey_immediate):
    """The project's huey instance on a real SQLite queue (not immediate mode, not memory)."""
    from huey.storage import SqliteStorage

    huey = _huey_immediate
    saved = huey.storage, huey.immediate
    huey._immediate = False  # not the setter: it would open the developer's queue file
    huey.storage = SqliteStorage(name="opencity-test", filename=str(tmp_path / "huey.sqlite3"))
    yield huey
    huey.storage, huey._immediate = saved


def test_a_warning_is_dequeued_before_a_thousand_routine_tasks(
        real_queue, operator, citizen, phu_xuan, django_capture_on_commit_callbacks):
    """Before: one FIFO queue; the warning's fan-out started after the 1,071 recounts ahead of
    it (7 min 8 s). Now it is the first task the consumer takes, and it delivers the warning."""
    from opencity.alerts import services as alerts
    from opencity.alerts.tests.factories import content
    from opencity.ioc.tasks import generate_digital_report

    citizen.home_area = phu_xuan
    citizen.save()
    for i in range(1000):  # a burst: e-mails and inbox rows, recounts, a report being rendered
        if i % 100 == 0:
            generate_digital_report(i)
        else:
            outbox.kick(outbox.ROUTINE if i % 2 else outbox.BULK)
    assert real_queue.pending_count() == 1000
    with django_capture_on_commit_callbacks(execute=True):  # the commit's kick goes to the queue
        message = alerts.alert_publish(actor=operator, area_ids=[phu_xuan.pk], **content())
    assert real_queue.pending_count() == 1001

    first = real_queue.dequeue()
    assert isinstance(first, drain_outbox.task_class) and first.priority == outbox.LIFE_SAFETY
    drain_outbox.call_local(*first.args, **first.kwargs)  # what the worker runs
    message.refresh_from_db()
    assert message.fanout_done_at is not None and message.delivered_count == 1
    assert real_queue.pending_count() == 1000  # the routine work is still waiting
    assert real_queue.dequeue().priority != outbox.LIFE_SAFETY


def test_a_drain_task_hands_the_rest_back_to_the_queue(
        real_queue, citizen, settings, django_capture_on_commit_callbacks):
    """The drill: under a steady stream of submits a drain task ran until the outbox was empty
    (136 s), every worker thread sat in one, and life-safety jobs waited 75 s. A drain task now
    carries out one batch and queues the rest behind whatever is more urgent."""
    settings.OPENCITY_OUTBOX_DRAIN_BATCH = 3
    with django_capture_on_commit_callbacks(execute=False):
        for n in range(7):
            outbox.outbox_put(kind="notifications.email", payload={"ids": []}, dedup_key=f"batch-{n}")
    assert drain_outbox.call_local(outbox.ROUTINE) == 3
    assert OutboxMessage.objects.filter(done_at__isnull=True).count() == 4
    follow = real_queue.dequeue()  # the rest, queued again at its priority
    assert isinstance(follow, drain_outbox.task_class) and follow.priority == outbox.ROUTINE
    assert drain_outbox.call_local(*follow.args, **follow.kwargs) == 3
    last = real_queue.dequeue()
    assert drain_outbox.call_local(*last.args, **last.kwargs) == 1
    assert real_queue.pending_count() == 0  # nothing left: nothing queued
    assert not OutboxMessage.objects.filter(done_at__isnull=True).exists()


def test_the_life_safety_drain_takes_no_routine_row(citizen, operator, phu_xuan,
                                                     django_capture_on_commit_callbacks):
    """A life-safety drain carries out life-safety rows only, whatever routine rows wait."""
    from opencity.alerts import services as alerts
    from opencity.alerts.tests.factories import content

    with django_capture_on_commit_callbacks(execute=False):
        notify([citizen] * 1, verb="info", title="Lịch cắt nước")
        message = alerts.alert_publish(actor=operator, area_ids=[phu_xuan.pk], **content())
    assert outbox.drain(min_priority=outbox.LIFE_SAFETY) == 1
    assert list(OutboxMessage.objects.filter(done_at__isnull=True).values_list("kind", flat=True)) == [
        "notifications.email"]
    message.refresh_from_db()
    assert message.fanout_done_at is not None


def test_a_burst_of_submits_queues_one_recount_of_the_day(
        real_queue, make_report, monkeypatch, django_capture_on_commit_callbacks):
    """Before: one recount task per transition (1,071 after a burst). Now the kicks of a burst are
    one delayed task, and its drain recounts the day once for all the rows."""
    from opencity.reports import kpi

    # the burst comes within one debounce window (a second in production; an hour here, so that
    # the test does not depend on how fast this machine submits)
    spec = outbox.kind_of(kpi.REFRESH_KIND)
    monkeypatch.setitem(outbox._registry, kpi.REFRESH_KIND, dataclasses.replace(spec, debounce_seconds=3600))
    recounts = []

    def count(sender, days, **kwargs):
        recounts.append(list(days))

    kpi.rollups_refreshed.connect(count, dispatch_uid="test-outbox-recounts")
    try:
        for _ in range(30):
            with django_capture_on_commit_callbacks(execute=True):
                make_report()
        assert OutboxMessage.objects.filter(kind=kpi.REFRESH_KIND, done_at__isnull=True).count() == 30
        [kick] = real_queue.pending()  # one kick for the burst, due when the window closes
        assert isinstance(kick, drain_outbox.task_class) and kick.priority == outbox.BULK and kick.eta
        drain_outbox.call_local(*kick.args, **kick.kwargs)
        assert len(recounts) == 1
        assert not OutboxMessage.objects.filter(done_at__isnull=True).exists()
    finally:
        kpi.rollups_refreshed.disconnect(dispatch_uid="test-outbox-recounts")


# --- 7b. huey kept every result for ever ---------------------------------------------------------


_probe: dict = {}


def _answer() -> int:
    return 42


@pytest.fixture
def probe_task(_huey_immediate):
    """A task that returns a value and touches no database (registered once per process)."""
    if "task" not in _probe:
        _probe["task"] = _huey_immediate.task(name="opencity_test_result_probe")(_answer)
    return _probe["task"]


def test_no_task_result_is_kept(real_queue, probe_task):
    """Before: RedisHuey kept each task's return value under a key that never expired (and
    SqliteHuey in a table). Now results are off for both backends; nothing reads them."""
    assert settings.HUEY["results"] is False and real_queue.results is False
    assert probe_task() is None  # queued, and no result handle either
    task = real_queue.dequeue()
    assert real_queue.execute(task) == 42
    assert real_queue.storage.result_store_size() == 0


def test_production_settings_use_a_priority_queue_without_results(tmp_path):
    """The Redis backend honours priorities (PriorityRedisHuey) and keeps no result."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OPENCITY_", "DJANGO_"))}
    clean.update(OPENCITY_VAR_DIR=str(tmp_path), OPENCITY_HUEY_BACKEND="redis")
    code = ("import json; from django.conf import settings as s; from huey.contrib.djhuey import HUEY; "
            "print(json.dumps([s.HUEY['huey_class'], s.HUEY['results'], HUEY.results, HUEY.storage.priority]))")
    done = subprocess.run([sys.executable, str(settings.BASE_DIR / "manage.py"), "shell", "-c", code],
                          env=clean, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == ["huey.PriorityRedisHuey", False, False, True]
