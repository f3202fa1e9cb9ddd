"""The generic-subject migration keeps what existing notifications were about (0003)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.usefixtures("at_latest_migrations")

BEFORE = [("notifications", "0002_outbox")]
AFTER = [("notifications", "0004_pushsubscription"), ("alerts", "0004_pushsubscription_to_notifications")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_report_notifications_get_the_reports_subject_and_reference(make_report, citizen):
    report = make_report()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("notifications", "Notification")
    about = old.objects.create(user_id=citizen.pk, verb="route", title="PA", report_id=report.pk)
    plain = old.objects.create(user_id=citizen.pk, verb="password_changed", title="Mật khẩu")

    executor = MigrationExecutor(connection)  # a fresh graph: the one above saw the old state
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("notifications", "Notification")
    moved = new.objects.get(pk=about.pk)
    assert (moved.subject_type, moved.subject_id, moved.reference) == ("report", report.pk, report.ref)
    untouched = new.objects.get(pk=plain.pk)
    assert (untouched.subject_type, untouched.subject_id, untouched.reference) == ("", None, "")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_push_subscriptions_keep_their_rows_when_the_model_moves(citizen):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE + [("alerts", "0003_message_client_token")])
    old = executor.loader.project_state([("alerts", "0003_message_client_token")]).apps.get_model(
        "alerts", "PushSubscription")
    sub = old.objects.create(user_id=citizen.pk, endpoint="https://fcm.googleapis.com/fcm/send/x", p256dh="k",
                             auth="a")
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    from opencity.notifications.models import PushSubscription

    assert PushSubscription.objects.get(pk=sub.pk).endpoint == "https://fcm.googleapis.com/fcm/send/x"
