"""Notify people: one way in for every app, whatever the number of people.

- :func:`notify` — a few people (a report's reporter and unit, a rescue request's requester):
  one inbox row each, rendered in each one's language, and the other channels owed.
- :func:`notify_many` — many different notices at once, each to its own people (a page of
  deadline escalations): the same rules as :func:`notify`, written in a few statements.
- :func:`notify_bulk` — one notice to everyone a query selects: the rows are written by the
  database (``INSERT … SELECT``), not one Python object per person.
- :func:`notify_broadcast` — one notice to everyone in some wards or the whole city (a
  warning): ONE row whatever the number of people, shown in each one's inbox through its
  audience (``models.py``, ``selectors.inbox``); a person's reading of it is a receipt.

A notification names what it is about with a :class:`Subject` (a short type code, the id and
the reference people read), never a foreign key: this app imports no domain app.

Everything is written in the caller's transaction; the channels beyond the inbox (e-mail, web
push, SMS: ``channels.py``) are owed through the outbox and carried out by the worker after the
commit, so neither a web process nor a worker that dies loses one.

A person's devices for web push are kept here too (:func:`push_subscribe`,
:func:`push_unsubscribe`); the warnings page offers the button that calls them.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection as default_connection
from django.db import transaction
from django.db.models import Case, DateTimeField, IntegerField, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opencity.errors import PermissionDeniedError, ValidationError

from . import channels
from .channels import EMAIL, INBOX, SMS, WEBPUSH
from .models import Notification, NotificationReceipt, PushSubscription
from .push import check_endpoint
from .selectors import inbox_unread_broadcast_ids

__all__ = [
    "EMAIL", "INBOX", "SMS", "WEBPUSH", "EMAIL_KIND", "BulkLink", "Notice", "Subject", "broadcast_end",
    "broadcast_mark_read", "notification_mark_read", "notification_mark_read_ids", "notifications_email", "notify", "notify_broadcast",
    "notify_bulk", "notify_many", "push_subscribe", "push_unsubscribe",
]

EMAIL_KIND = channels.EmailChannel.kind
DEFAULT_CHANNELS = (INBOX, EMAIL)


@dataclass(frozen=True)
class Subject:
    """What a notification is about: ``type`` a short code ("report", "rescue", "alert"…),
    ``id`` that object's id, ``reference`` what people read ("PA002001")."""

    type: str
    id: int | None = None
    reference: str = ""

    def fields(self) -> dict[str, Any]:
        return {"subject_type": self.type, "subject_id": self.id, "reference": self.reference[:40]}


NO_SUBJECT_FIELDS: dict[str, Any] = {"subject_type": "", "subject_id": None, "reference": ""}


@dataclass
class Notice:
    """One notice to some people. ``title`` and ``body`` may be lazy: rendered once per
    language, in each recipient's."""

    users: Iterable
    verb: str
    title: Any
    body: Any = ""
    url: str = ""
    subject: Subject | None = None
    exclude: Any = None
    _texts: dict[str, tuple[str, str]] = field(default_factory=dict, repr=False)

    def recipients(self) -> list:
        """Each distinct active person once, but never ``exclude`` (who acted)."""
        seen: set[int] = set()
        people = []
        skip = getattr(self.exclude, "pk", None)
        for user in self.users:
            if user is None or not user.is_active or user.pk in seen or user.pk == skip:
                continue
            seen.add(user.pk)
            people.append(user)
        return people

    def texts(self, language: str) -> tuple[str, str]:
        if language not in self._texts:
            with translation.override(language):
                self._texts[language] = (str(self.title)[:200], str(self.body))
        return self._texts[language]

    def row(self, user, created_at: dt.datetime) -> Notification:
        title, body = self.texts(user.preferred_language or settings.LANGUAGE_CODE)
        subject = self.subject.fields() if self.subject else NO_SUBJECT_FIELDS
        return Notification(user=user, verb=self.verb, title=title, body=body, url=self.url,
                            created_at=created_at, **subject)


def notify(
    users: Iterable,
    *,
    verb: str,
    title,
    body="",
    url: str = "",
    subject: Subject | None = None,
    exclude=None,
    urgent: bool = False,
    via: Sequence[str] = DEFAULT_CHANNELS,
    tag: str = "",
) -> list[Notification]:
    """One inbox entry per distinct active person (rendered in each one's language), and the
    delivery owed on the channels ``via`` (e-mail by default; ``WEBPUSH``, ``SMS``).
    ``urgent``: life-safety (a rescue request), delivered before routine work. ``tag``: one per
    subject, so a device replaces the previous push of it."""
    notice = Notice(users=users, verb=verb, title=title, body=body, url=url, subject=subject, exclude=exclude)
    now = timezone.now()
    created = Notification.objects.bulk_create([notice.row(user, now) for user in notice.recipients()])
    channels.owe(via, created, urgent=urgent, tag=tag)
    return created


def notify_many(notices: Iterable[Notice], *, created_at: dt.datetime | None = None, urgent: bool = False,
                via: Sequence[str] = DEFAULT_CHANNELS) -> int:
    """The rows of many notices (each its own people and words), by :func:`notify`'s rules,
    written together; returns how many. Rows a channel will deliver are inserted with their
    ids returned; on PostgreSQL the others — most of a backlog's — are streamed with ``COPY``,
    elsewhere inserted with ``bulk_create``."""
    created_at = created_at or timezone.now()
    delivered, others = [], []
    for notice in notices:
        for user in notice.recipients():
            (delivered if channels.needs_ids(via, user) else others).append(notice.row(user, created_at))
    created = Notification.objects.bulk_create(delivered, batch_size=1000)
    connection = transaction.get_connection()
    if connection.vendor == "postgresql" and others:
        _copy(others, connection)
    else:
        Notification.objects.bulk_create(others, batch_size=1000)
    channels.owe(via, created, urgent=urgent)
    return len(created) + len(others)


def _copy(rows: list[Notification], connection) -> None:
    """Stream inbox rows into the table with PostgreSQL's ``COPY`` (every column but the id)."""
    fields = [f for f in Notification._meta.concrete_fields if not f.primary_key]
    q = connection.ops.quote_name
    columns = ", ".join(q(f.column) for f in fields)
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {q(Notification._meta.db_table)} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields])


@dataclass(frozen=True)
class BulkLink:
    """A row to write in another table beside each inbox row :func:`notify_bulk` writes (a
    warning's ``Delivery``): the person's id into ``user_column``, the inbox row's id into
    ``notification_column``, ``values`` as they are; conflicts are skipped (``ON CONFLICT DO
    NOTHING``, a unique constraint saying "once per person")."""

    table: str
    values: Mapping[str, Any]
    user_column: str = "user_id"
    notification_column: str = "notification_id"


def notify_bulk(
    users: QuerySet,
    *,
    verb: str,
    texts: Mapping[str, tuple[str, str]],
    url: str = "",
    subject: Subject | None = None,
    created_at: dt.datetime | None = None,
    link: BulkLink | None = None,
) -> int:
    """Write one inbox row for each person ``users`` selects, in SQL: an ``INSERT … SELECT``
    from the query, the title and body chosen per row by the person's language from ``texts``
    (language → (title, body); the site's language for the others). Returns the rows written.

    For a notice to hundreds of thousands (a warning): no Python object per person, a batch of
    thousands is one statement. ``users`` is taken as given (filter it to active people, and to
    those not told yet); nothing else is owed (warnings push in batches of their own).

    ``link``: a row in another table per inbox row, in the same statement on PostgreSQL (a
    data-modifying ``WITH``); on SQLite the inbox rows come back with ``RETURNING`` and the
    linked rows follow in one ``executemany``.
    """
    created_at = created_at or timezone.now()
    default = texts.get(settings.LANGUAGE_CODE) or next(iter(texts.values()))
    subject_fields = subject.fields() if subject else NO_SUBJECT_FIELDS

    def by_language(index: int) -> Case:
        return Case(*[When(preferred_language=code, then=Value(text[index])) for code, text in texts.items()],
                    default=Value(default[index]), output_field=TextField())

    people = (users.order_by()
              .annotate(n_verb=Value(verb, output_field=TextField()), n_title=by_language(0),
                        n_body=by_language(1), n_url=Value(url, output_field=TextField()),
                        n_at=Value(created_at, output_field=DateTimeField()),
                        n_type=Value(subject_fields["subject_type"], output_field=TextField()),
                        n_id=Value(subject_fields["subject_id"], output_field=IntegerField()),
                        n_ref=Value(subject_fields["reference"], output_field=TextField()))
              .values_list("pk", "n_verb", "n_title", "n_body", "n_url", "n_at", "n_type", "n_id", "n_ref"))
    select, params = people.query.sql_with_params()
    connection = default_connection
    q = connection.ops.quote_name
    insert = (f"INSERT INTO {q(Notification._meta.db_table)} (user_id, verb, title, body, url, created_at, "
              f"subject_type, subject_id, reference) {select}")
    with connection.cursor() as cursor:
        if link is None:
            cursor.execute(insert, params)
            return cursor.rowcount
        names = list(link.values)
        columns = ", ".join(q(c) for c in [*names, link.user_column, link.notification_column])
        if connection.vendor == "postgresql":
            constants = ", ".join(["%s"] * len(names))
            cursor.execute(
                f"WITH n AS ({insert} RETURNING id, user_id) INSERT INTO {q(link.table)} ({columns}) "
                f"SELECT {constants}{', ' if names else ''}n.user_id, n.id FROM n ON CONFLICT DO NOTHING",
                [*params, *[_db_value(link.values[c], connection) for c in names]])
            return cursor.rowcount
        cursor.execute(f"{insert} RETURNING id, user_id", params)
        rows = cursor.fetchall()
        constants_values = [_db_value(link.values[c], connection) for c in names]
        placeholders = ", ".join(["%s"] * (len(names) + 2))
        cursor.executemany(
            f"INSERT INTO {q(link.table)} ({columns}) VALUES ({placeholders}) ON CONFLICT DO NOTHING",
            [(*constants_values, user_id, notification_id) for notification_id, user_id in rows])
        return len(rows)


def _db_value(value, connection):
    """A linked row's constant as the database takes it (datetimes adapted for SQLite)."""
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def notifications_email(*, ids: list[int]) -> int:
    """E-mail inbox entries not e-mailed yet (the e-mail channel's outbox handler)."""
    return channels.get(EMAIL).deliver(ids=ids)


def notify_broadcast(
    *,
    verb: str,
    texts: Mapping[str, tuple[str, str]],
    area_ids: Iterable[int] = (),
    unplaced: bool = False,
    located_after: dt.datetime | None = None,
    url: str = "",
    subject: Subject | None = None,
    created_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
) -> Notification:
    """One notice to everyone whose home ward is in ``area_ids`` (and, ``unplaced``, everyone who
    told us no home ward; ``located_after``, everyone whose location shared since then lies in
    one of the areas): ONE inbox row, a broadcast, whatever the number of people. ``texts``:
    language → (title, body). It is in every inbox of the audience as soon as the caller's
    transaction commits; nothing else is owed (a warning pushes in batches of its own)."""
    default = texts.get(settings.LANGUAGE_CODE) or next(iter(texts.values()))
    subject_fields = subject.fields() if subject else NO_SUBJECT_FIELDS
    row = Notification(
        user=None, verb=verb, title=str(default[0])[:200], body=str(default[1]), url=url,
        created_at=created_at or timezone.now(), ends_at=ends_at, audience_unplaced=unplaced,
        audience_located_after=located_after, **subject_fields,
        translations={code: [str(t)[:200], str(b)] for code, (t, b) in texts.items() if code != settings.LANGUAGE_CODE},
    )
    row.full_clean(exclude=["user"])
    row.save()
    row.audience_areas.set(sorted(set(area_ids)))
    return row


def broadcast_end(*, notification_id: int, at: dt.datetime) -> int:
    """The broadcast stops running at ``at`` if it ran longer (its subject was replaced): new
    accounts no longer see it; the accounts it was shown to keep it."""
    return (Notification.objects.filter(pk=notification_id, user__isnull=True)
            .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at)).update(ends_at=at))


def broadcast_mark_read(*, user, notification_ids: Iterable[int] | None = None,
                        at: dt.datetime | None = None) -> int:
    """Record that the person read these broadcasts (all those in their inbox if ``None``):
    one receipt each, only for broadcasts in their inbox and not read yet. Returns how many."""
    if user is None or not user.is_authenticated:
        return 0
    ids = inbox_unread_broadcast_ids(user=user, ids=notification_ids)
    at = at or timezone.now()
    NotificationReceipt.objects.bulk_create(
        [NotificationReceipt(notification_id=pk, user_id=user.pk, read_at=at) for pk in ids],
        ignore_conflicts=True)
    return len(ids)


def notification_mark_read_ids(*, user, ids: Iterable[int], at: dt.datetime | None = None) -> int:
    """Mark these of the person's own inbox rows read (a warning page opened: its old rows)."""
    return Notification.objects.filter(user=user, pk__in=list(ids), read_at__isnull=True).update(
        read_at=at or timezone.now())


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one inbox entry (``notification_id``) or all of them read: the person's own rows get
    their ``read_at``, broadcasts a receipt of this person's."""
    now = timezone.now()
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    marked = qs.update(read_at=now)
    return marked + broadcast_mark_read(
        user=user, notification_ids=None if notification_id is None else [notification_id], at=now)


# --- Push subscriptions ----------------------------------------------------------------------

def _b64url(value, *, field: str, length: int) -> str:
    text = str(value or "").strip()
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != length:
        raise ValidationError(_("This browser sent an invalid push subscription."), field=field,
                              code="invalid_subscription")
    return text


def push_subscribe(*, user, endpoint: str, p256dh: str, auth: str, user_agent: str = "") -> PushSubscription:
    """Remember a browser's push subscription for the signed-in person.

    A browser belongs to whoever signed in last: its endpoint moves to them. The endpoint must
    be a known push service's (``push.check_endpoint``). A person keeps at most
    ``OPENCITY_PUSH_MAX_SUBSCRIPTIONS`` devices: a new one replaces the one not heard of for the
    longest (no success since, or never) — a phone that was reset or a browser whose data was
    cleared leaves its old subscription behind, and the device in hand must still get warnings.
    The person's row is locked so that two subscribes at once keep the cap. Any message sent
    through the web-push channel reaches these devices: warnings, rescue steps, inbox entries.
    """
    if user is None or not user.is_authenticated:
        raise PermissionDeniedError()
    endpoint = check_endpoint(endpoint)
    p256dh = _b64url(p256dh, field="p256dh", length=65)
    auth = _b64url(auth, field="auth", length=16)
    with transaction.atomic():
        list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
        PushSubscription.objects.filter(endpoint=endpoint).exclude(user=user).delete()
        sub, _created = PushSubscription.objects.update_or_create(
            user=user, endpoint=endpoint,
            defaults={"p256dh": p256dh, "auth": auth, "user_agent": (user_agent or "")[:300], "failures": 0},
        )
        _drop_oldest_subscriptions(user, keep=settings.OPENCITY_PUSH_MAX_SUBSCRIPTIONS, current=sub)
    return sub


def _drop_oldest_subscriptions(user, *, keep: int, current: PushSubscription) -> int:
    """Delete the person's subscriptions beyond ``keep``, the least recently confirmed first
    (last successful push, else creation); ``current`` always stays."""
    others = (PushSubscription.objects.filter(user=user).exclude(pk=current.pk)
              .annotate(last_seen=Coalesce("last_success_at", "created_at"))
              .order_by("-last_seen", "-pk").values_list("pk", flat=True))
    stale = list(others[max(0, keep - 1):])
    if not stale:
        return 0
    deleted, _rows = PushSubscription.objects.filter(pk__in=stale).delete()
    return deleted


def push_unsubscribe(*, user, endpoint: str) -> int:
    if user is None or not user.is_authenticated:
        raise PermissionDeniedError()
    deleted, _rows = PushSubscription.objects.filter(user=user, endpoint=str(endpoint or "").strip()).delete()
    return deleted
