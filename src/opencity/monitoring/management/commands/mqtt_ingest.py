"""`manage.py mqtt_ingest`: the MQTT ingest worker (``monitoring/mqtt.py``) until SIGTERM or
Ctrl+C.

One worker per client id: the broker keeps the worker's session (its subscriptions and the
messages not yet acknowledged) under that id, and a second process with the same id would
take the session from the first. A city that wants two workers gives each its own id and its
own topics (the broker's shared subscriptions are not used here).
"""

from __future__ import annotations

import signal
import sys

from django.core.management.base import BaseCommand

DEFAULT_CLIENT_ID = "opencity-ingest"


class Command(BaseCommand):
    help = ("Subscribe to the MQTT broker (OPENCITY_MQTT_HOST/PORT) and store the readings and items "
            "published under OPENCITY_MQTT_TOPIC_PREFIX; each message is acknowledged after its commit.")

    def add_arguments(self, parser):
        parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID,
                            help="the MQTT client id the broker keeps the session under "
                                 f"(default {DEFAULT_CLIENT_ID}; one worker per id)")
        parser.add_argument("--batch", type=int, default=200,
                            help="at most this many messages stored in one transaction (default 200)")
        parser.add_argument("--max-messages", type=int, default=None,
                            help="stop after this many messages are acknowledged (tests, one-off runs)")
        parser.add_argument("--max-seconds", type=float, default=None,
                            help="stop after this many seconds (tests, one-off runs)")

    def handle(self, *args, **options):
        from opencity.monitoring.mqtt import Worker

        def say(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        def warn(line: str) -> None:
            self.stderr.write(line)
            self.stderr.flush()

        worker = Worker(client_id=options["client_id"], batch=options["batch"], say=say, warn=warn)
        previous = {sig: signal.signal(sig, lambda *_: worker.stop()) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            stats = worker.run(max_messages=options["max_messages"], max_seconds=options["max_seconds"])
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        say(f"MQTT ingest stopped: {stats.messages} messages acknowledged, {stats.created} readings or items "
            f"stored, {stats.duplicate} duplicates, {stats.rejected} rows rejected, {stats.refused} messages "
            f"refused, {stats.events} events raised or moved.")
        sys.stdout.flush()
