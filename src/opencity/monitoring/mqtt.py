"""The MQTT ingest worker (``manage.py mqtt_ingest``): readings and items from the broker into
``services.ingest``, nothing lost that the broker delivered, nothing stored twice.

Topics (``P`` is ``OPENCITY_MQTT_TOPIC_PREFIX``, ``opencity/ingest`` by default):

- ``P/<datastream code>`` — readings of one datastream. The payload is JSON: one reading
  ``{"time": "2026-10-28T14:00:00+07:00", "value": 2.31, "unit": "m", "quality": "good"}``
  (``unit`` and ``quality`` optional), a list of them, or the SensorThings spelling
  ``{"phenomenonTime": …, "result": …}``. The topic names the datastream; a ``datastream``
  field in the payload is ignored.
- ``P/items/<source code>`` — items of one source (camera violations, vessel positions,
  security alerts): one object or a list, as ``items_ingest`` takes them.

Delivery — *acknowledge after commit*. The worker subscribes with QoS 1 under a fixed client id
and a persistent session (``clean_session=False``), so the broker keeps the messages published
while the worker is down and redelivers those it sent but never saw acknowledged. paho is told
not to acknowledge by itself (``manual_ack=True``); a message's PUBACK is sent only after the
transaction that stored its rows has committed. So:

- a message whose rows are stored, duplicates of stored rows, or rejected (bad JSON, an unknown
  datastream, a value out of range: permanent, retrying cannot help) is acknowledged; rejected
  rows are logged with their code;
- a message that met a database error is *not* acknowledged: the worker closes its database
  connections, leaves the broker, waits (1 s, doubling to 60 s) and connects again, and the
  broker delivers the message again;
- a worker killed between receiving a message and its commit leaves it unacknowledged too: the
  next worker with the same client id gets it again, and the key (datastream, time) stores it
  once.

Messages are taken in small batches: whatever has arrived while the previous batch was being
stored (up to ``batch`` messages) is stored in one transaction per kind, so a busy broker costs
one commit per batch, not one per reading; a quiet one is answered at once.

Test hook: ``OPENCITY_MQTT_TEST_CRASH_AFTER_RECEIVE=1`` in the environment makes the worker end
its process (``os._exit(1)``, no clean-up, as a ``kill -9`` would) as soon as it receives a
message, before storing or acknowledging it. Only the redelivery test sets it.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import paho.mqtt.client as paho
from django.conf import settings
from django.db import Error as DatabaseError
from django.db import close_old_connections, connections

from .models import Source
from .services.ingest import (
    CREATED,
    REJECTED,
    IngestResult,
    RowResult,
    items_ingest,
    observations_ingest,
)

logger = logging.getLogger(__name__)

CRASH_HOOK = "OPENCITY_MQTT_TEST_CRASH_AFTER_RECEIVE"
QOS = 1
MIN_BACKOFF, MAX_BACKOFF = 1.0, 60.0
MAX_PAYLOAD = 1_000_000  # bytes: a message larger than this is refused (logged and acknowledged)


def topic_prefix() -> str:
    return settings.OPENCITY_MQTT_TOPIC_PREFIX.strip("/")


def reading_topic(code: str, prefix: str | None = None) -> str:
    return f"{prefix or topic_prefix()}/{code}"


def items_topic(source_code: str, prefix: str | None = None) -> str:
    return f"{prefix or topic_prefix()}/items/{source_code}"


def make_client(client_id: str, *, manual_ack: bool = False, clean_session: bool = True) -> paho.Client:
    """A paho client for our broker (MQTT 3.1.1, the settings' user name and password)."""
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=clean_session,
                         protocol=paho.MQTTv311, manual_ack=manual_ack, reconnect_on_failure=False)
    if settings.OPENCITY_MQTT_USERNAME:
        client.username_pw_set(settings.OPENCITY_MQTT_USERNAME, settings.OPENCITY_MQTT_PASSWORD or None)
    return client


def broker_address() -> str:
    return f"{settings.OPENCITY_MQTT_HOST}:{settings.OPENCITY_MQTT_PORT}"


@dataclass
class Parsed:
    """One message, read: its kind (``readings``, ``items`` or ``invalid``), its key (the
    datastream or the source code) and its rows."""

    kind: str
    key: str = ""
    rows: list[Any] = field(default_factory=list)
    problem: str = ""


def parse_message(topic: str, payload: bytes, prefix: str) -> Parsed:
    """What a message says, without touching the database."""
    if not topic.startswith(prefix + "/"):
        return Parsed("invalid", problem="topic outside the prefix")
    parts = topic[len(prefix) + 1:].split("/")
    if len(parts) == 1 and parts[0]:
        kind, key = "readings", parts[0]
    elif len(parts) == 2 and parts[0] == "items" and parts[1]:
        kind, key = "items", parts[1]
    else:
        return Parsed("invalid", problem="unknown topic")
    if len(payload) > MAX_PAYLOAD:
        return Parsed("invalid", key=key, problem=f"payload over {MAX_PAYLOAD} bytes")
    try:
        data = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return Parsed("invalid", key=key, problem="payload is not JSON")
    rows = data if isinstance(data, list) else [data]
    if not rows:
        return Parsed("invalid", key=key, problem="empty list")
    if kind == "readings":
        rows = [dict(row, datastream=key) if isinstance(row, dict) else row for row in rows]
    return Parsed(kind, key=key, rows=rows)


@dataclass
class Received:
    mid: int
    qos: int
    topic: str
    parsed: Parsed


@dataclass
class Stats:
    messages: int = 0  # acknowledged
    created: int = 0
    duplicate: int = 0
    rejected: int = 0  # rows
    refused: int = 0  # messages that were not JSON, on an unknown topic or of an unknown source
    events: int = 0
    db_errors: int = 0


class Worker:
    """Subscribes, stores, acknowledges; reconnects with backoff. Runs in the calling thread:
    :meth:`run` returns when :meth:`stop` was called (a signal handler may call it), after
    ``max_messages`` acknowledged messages or after ``max_seconds``."""

    def __init__(self, *, client_id: str, prefix: str | None = None, batch: int = 200,
                 say: Callable[[str], None] | None = None, warn: Callable[[str], None] | None = None) -> None:
        self.client_id = client_id
        self.prefix = (prefix or topic_prefix()).strip("/")
        self.batch = max(1, batch)
        self.say = say or logger.info
        self.warn = warn or logger.warning
        self.stats = Stats()
        self.subscribed = False
        self._stop = threading.Event()
        self._pending: list[Received] = []
        self._connected = False
        self._failed = False  # a database error: leave, so that the broker redelivers
        self._crash = os.environ.get(CRASH_HOOK) == "1"
        self.client = make_client(client_id, manual_ack=True, clean_session=False)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message

    # --- paho's callbacks (called from client.loop(), in this thread) ---

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            self.warn(f"The MQTT broker at {broker_address()} refused the connection: {reason_code}.")
            return
        self._connected = True
        self.say(f"Connected to the MQTT broker at {broker_address()} as {self.client_id} "
                 f"(session {'resumed' if flags.session_present else 'new'}).")
        client.subscribe([(f"{self.prefix}/+", QOS), (f"{self.prefix}/items/+", QOS)])

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:
        if any(code.is_failure for code in reason_codes):
            self.warn(f"The MQTT broker refused the subscription to {self.prefix}/#: {reason_codes}.")
            return
        self.subscribed = True
        self.say(f"Subscribed to {self.prefix}/<datastream> and {self.prefix}/items/<source> (QoS {QOS}).")

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self._connected = False
        self.subscribed = False

    def _on_message(self, client, userdata, message: paho.MQTTMessage) -> None:
        if self._crash:
            os._exit(1)  # the test hook (see the module's docstring): received, neither stored nor acked
        if self._failed:
            return  # not acknowledged: redelivered after the reconnection
        self._pending.append(Received(message.mid, message.qos, message.topic,
                                      parse_message(message.topic, message.payload, self.prefix)))

    # --- the loop ---

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self, *, max_messages: int | None = None, max_seconds: float | None = None,
            on_subscribed: Callable[[], None] | None = None) -> Stats:
        deadline = time.monotonic() + max_seconds if max_seconds else None
        backoff = MIN_BACKOFF
        told_subscribed = False

        def done() -> bool:
            return (self.stopping or (deadline is not None and time.monotonic() >= deadline)
                    or (max_messages is not None and self.stats.messages >= max_messages))

        while not done():
            self._failed = False
            if not self._connect():
                self.warn(f"MQTT broker not reachable at {broker_address()}; retrying in {backoff:g} s.")
                self._wait(backoff, deadline)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            while True:
                before = len(self._pending)
                rc = self.client.loop(timeout=0.05)
                if self.subscribed and not told_subscribed:
                    told_subscribed = True
                    if on_subscribed:
                        on_subscribed()
                # Store what came once the socket is quiet, or when a batch is full.
                if self._connected and self._pending and (len(self._pending) == before
                                                          or len(self._pending) >= self.batch):
                    self._flush()
                if self._failed or done() or rc != paho.MQTT_ERR_SUCCESS or not self._connected:
                    break
            if self._pending and self._connected and not self._failed:
                self._flush()  # received before a stop: stored and acknowledged
            self._pending.clear()  # the connection is gone: the broker delivers them again
            if self.client.is_connected():
                self._settle()
                self.client.disconnect()
            self._connected = self.subscribed = False
            if self._failed:
                self.warn(f"Database error: the unacknowledged messages come again after reconnecting "
                          f"(in {backoff:g} s).")
                self._wait(backoff, deadline)
                backoff = min(backoff * 2, MAX_BACKOFF)
            elif not done():
                self.warn(f"Lost the MQTT broker at {broker_address()}; reconnecting.")
                self._wait(MIN_BACKOFF, deadline)
            else:
                backoff = MIN_BACKOFF
        return self.stats

    def _connect(self) -> bool:
        try:
            self.client.connect(settings.OPENCITY_MQTT_HOST, settings.OPENCITY_MQTT_PORT, keepalive=30)
        except OSError:
            return False
        # CONNECT is sent; CONNACK comes in the loop (on_connect). Wait for it here.
        until = time.monotonic() + 10
        while not self._connected and time.monotonic() < until and not self.stopping:
            if self.client.loop(timeout=0.1) != paho.MQTT_ERR_SUCCESS:
                return False
        return self._connected

    def _settle(self, timeout: float = 5.0) -> None:
        """Make sure the broker has taken our acknowledgements before we leave: a PUBACK written
        just before DISCONNECT was seen lost by Mosquitto (its message delivered again on the next
        connection). The broker answers packets in order, so the answer to an UNSUBSCRIBE (of a
        filter we never held) comes after it has handled every PUBACK sent before it."""
        answered = threading.Event()
        self.client.on_unsubscribe = lambda *args: answered.set()
        self.client.unsubscribe(f"{self.prefix}/-settle")
        until = time.monotonic() + timeout
        while not answered.is_set() and time.monotonic() < until:
            if self.client.loop(timeout=0.05) != paho.MQTT_ERR_SUCCESS:
                break

    def _wait(self, seconds: float, deadline: float | None) -> None:
        if deadline is not None:
            seconds = max(0.0, min(seconds, deadline - time.monotonic()))
        self._stop.wait(seconds)

    # --- storing and acknowledging ---

    def _flush(self) -> None:
        """Store the pending messages (readings in one transaction, each source's items in one),
        then acknowledge those whose transaction committed, and the invalid ones."""
        pending, self._pending = self._pending, []
        _fresh_connections()
        readings = [m for m in pending if m.parsed.kind == "readings"]
        by_source: dict[str, list[Received]] = {}
        for m in pending:
            if m.parsed.kind == "items":
                by_source.setdefault(m.parsed.key, []).append(m)
        done: set[int] = set()  # positions in ``pending`` that may be acknowledged
        for position, m in enumerate(pending):
            if m.parsed.kind == "invalid":
                logger.warning("MQTT message on %s refused: %s.", m.topic, m.parsed.problem)
                self.stats.refused += 1
                done.add(position)
        groups: list[tuple[list[Received], Callable[[list], IngestResult] | None]] = []
        if readings:
            groups.append((readings, lambda rows: observations_ingest(rows=rows, source=None)))
        if by_source:
            sources = {s.code: s for s in Source.objects.filter(code__in=list(by_source), is_active=True)}
            for code, messages in by_source.items():
                source = sources.get(code)
                if source is None:
                    for m in messages:
                        logger.warning("MQTT message on %s refused: unknown_source (no active source %r).",
                                       m.topic, code)
                        self.stats.refused += 1
                    groups.append((messages, None))
                else:
                    groups.append((messages, lambda rows, source=source: items_ingest(rows=rows, source=source)))
        index_of = {id(m): position for position, m in enumerate(pending)}
        for messages, ingest in groups:
            if ingest is not None:
                rows, owner = [], []
                for m in messages:
                    rows += m.parsed.rows
                    owner += [(m, i) for i in range(len(m.parsed.rows))]
                try:
                    result = ingest(rows)
                except DatabaseError:
                    logger.exception("MQTT ingest of %s message(s) failed on the database; not acknowledged.",
                                     len(messages))
                    self.stats.db_errors += 1
                    self._failed = True
                    _drop_connections()
                    continue
                self._count(result, rows, owner)
            done.update(index_of[id(m)] for m in messages)
        for position in sorted(done):
            m = pending[position]
            self.client.ack(m.mid, m.qos)
            self.stats.messages += 1
        _fresh_connections()

    def _count(self, result: IngestResult, rows: list[Any], owner: list[tuple[Received, int]]) -> None:
        """Add up and log the rows' outcomes. Messages of one batch are stored together, so a
        message sent twice (a resend, a redelivery) meets itself as ``duplicate_in_batch``: that
        is counted as the duplicate it is, and only a row repeated within its own message is
        rejected."""
        kept: dict[Any, Received] = {}
        for row in result.rows:
            if row.status != REJECTED:
                kept[_row_key(row, rows[row.index])] = owner[row.index][0]
        for row in result.rows:
            message, index = owner[row.index]
            if row.status == REJECTED and row.code == "duplicate_in_batch":
                first = kept.get(_row_key(row, rows[row.index]))
                if first is not None and first is not message:
                    self.stats.duplicate += 1
                    continue
            if row.status == REJECTED:
                self.stats.rejected += 1
                logger.warning("MQTT %s row %s rejected: %s (%s)", message.topic, index, row.code, row.message)
            elif row.status == CREATED:
                self.stats.created += 1
            else:
                self.stats.duplicate += 1
        self.stats.events += len(result.events)


def _row_key(result: RowResult, row: Any) -> tuple:
    """What makes two rows the same: a reading's datastream and time, an item's id."""
    if result.datastream:
        return ("reading", result.datastream, result.time)
    ident = row.get("id") if isinstance(row, dict) else None
    return ("item", str(ident).strip())


def _fresh_connections() -> None:
    """Drop database connections that are broken or past their age between batches — but never
    one inside a transaction somebody else opened (a test running the worker in its own)."""
    if not any(c.in_atomic_block for c in connections.all(initialized_only=True)):
        close_old_connections()


def _drop_connections() -> None:
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close()
