"""notify(), notify_many() and notify_bulk(): one set of rules, three sizes (``services.py``).
Run on SQLite and on PostgreSQL (its ``COPY`` and data-modifying ``WITH`` paths)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext_lazy

from opencity.accounts.models import User
from opencity.conftest import PASSWORD
from opencity.notifications import channels
from opencity.notifications.models import Notification, OutboxMessage
from opencity.notifications.services import Notice, Subject, notify, notify_bulk, notify_many

pytestmark = pytest.mark.django_db

REPORT = Subject("report", 2001, "PA002001")


def _person(phone: str, *, language: str = "vi", email: str = "", active: bool = True) -> User:
    return User.objects.create_user(phone, PASSWORD, full_name=f"Dân {phone[-3:]}", preferred_language=language,
                                    email=email, is_active=active)


def test_notify_writes_one_entry_per_active_person_with_its_subject(citizen, citizen2):
    gone = _person("0905000901", active=False)
    created = notify([citizen, citizen2, citizen, gone, None], verb="route", title="Phản ánh PA002001",
                     url="/reports/2001/", subject=REPORT, exclude=citizen2)
    assert [n.user_id for n in created] == [citizen.pk]
    n = Notification.objects.get(user=citizen)
    assert (n.subject_type, n.subject_id, n.reference, n.url) == ("report", 2001, "PA002001", "/reports/2001/")


def test_notify_renders_in_each_persons_language(citizen):
    english = _person("0905000902", language="en")
    notify([citizen, english], verb="password_changed", title=gettext_lazy("Your password was changed"))
    titles = dict(Notification.objects.values_list("user_id", "title"))
    assert titles[english.pk] == "Your password was changed"
    assert titles[citizen.pk] != "Your password was changed"  # Vietnamese


def test_notify_owes_each_channel_asked_for_to_those_it_can_reach(citizen, citizen2):
    # citizen has an e-mail address, citizen2 has none: one e-mail owed, a push for both
    notify([citizen, citizen2], verb="sos", title="Đội cứu hộ đang đến", urgent=True,
           via=(channels.EMAIL, channels.WEBPUSH), tag="sos-7")
    rows = {row.kind: row for row in OutboxMessage.objects.all()}
    mine = Notification.objects.get(user=citizen).pk
    assert rows["notifications.email"].payload["ids"] == [mine]
    assert sorted(rows["notifications.webpush"].payload["ids"]) == sorted(
        Notification.objects.values_list("pk", flat=True))
    assert rows["notifications.webpush"].payload["tag"] == "sos-7"
    assert {row.priority for row in rows.values()} == {100}  # urgent: life-safety


def test_the_sms_channel_texts_the_title_to_the_persons_phone(citizen, settings):
    from opencity.notifications.sms import ConsoleBackend

    settings.OPENCITY_SMS_BACKEND = "opencity.notifications.sms.ConsoleBackend"
    ConsoleBackend.outbox.clear()
    [n] = notify([citizen], verb="sos", title="Đội cứu hộ đang đến", via=(channels.SMS,))
    row = OutboxMessage.objects.get(kind="notifications.sms")
    assert channels.get(channels.SMS).deliver(ids=row.payload["ids"]) == 1
    assert [(m.to, m.body) for m in ConsoleBackend.outbox] == [(citizen.phone, "Đội cứu hộ đang đến")]


def test_notify_many_applies_the_same_rules_and_owes_e_mails_only_for_addresses(citizen, citizen2):
    english = _person("0905000903", language="en", email="en@example.vn")
    at = timezone.now() - dt.timedelta(minutes=5)
    written = notify_many([
        Notice(users=[citizen, citizen2, citizen], verb="deadline_overdue", title="Quá hạn", subject=REPORT),
        Notice(users=[english, citizen2], verb="deadline_due_soon",
               title=gettext_lazy("Your password was changed"), url="/x/", exclude=citizen2),
    ], created_at=at)
    assert written == 3
    assert Notification.objects.filter(created_at=at).count() == 3
    assert Notification.objects.get(user=english).title == "Your password was changed"
    assert set(Notification.objects.filter(verb="deadline_overdue").values_list("reference", flat=True)) == {
        "PA002001"}
    [row] = OutboxMessage.objects.filter(kind="notifications.email")
    assert sorted(row.payload["ids"]) == sorted(
        Notification.objects.filter(user__in=[citizen, english]).values_list("pk", flat=True))


def test_notify_bulk_writes_the_rows_of_a_query_in_one_statement(citizen, citizen2):
    english = _person("0905000904", language="en")
    _person("0905000905", active=False)
    at = timezone.now()
    texts = {"vi": ("Cảnh báo lũ", "Nước lên nhanh"), "en": ("Flood warning", "Water is rising")}
    with CaptureQueriesContext(connection) as ctx:
        written = notify_bulk(User.objects.filter(is_active=True), verb="warning", texts=texts,
                              url="/warnings/5/", subject=Subject("alert", 5, "CB000005"), created_at=at)
    assert written == 3
    assert len(ctx.captured_queries) == 1  # INSERT … SELECT: no row read into Python
    rows = {n.user_id: n for n in Notification.objects.all()}
    assert set(rows) == {citizen.pk, citizen2.pk, english.pk}
    assert (rows[english.pk].title, rows[english.pk].body) == texts["en"]
    assert (rows[citizen.pk].title, rows[citizen.pk].body) == texts["vi"]
    n = rows[citizen2.pk]
    assert (n.verb, n.url, n.subject_type, n.subject_id, n.reference) == (
        "warning", "/warnings/5/", "alert", 5, "CB000005")
    assert n.created_at == at and n.read_at is None and n.emailed_at is None


def test_notify_bulk_without_a_subject_leaves_it_empty(citizen):
    written = notify_bulk(User.objects.filter(pk=citizen.pk), verb="info", texts={"vi": ("Tin", "")})
    assert written == 1
    n = Notification.objects.get(user=citizen)
    assert (n.subject_type, n.subject_id, n.reference, n.title) == ("", None, "", "Tin")
