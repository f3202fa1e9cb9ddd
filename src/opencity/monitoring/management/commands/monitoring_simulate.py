"""`manage.py monitoring_simulate`: publish live readings over MQTT for demo stations, so that
the console moves while someone watches (``monitoring/simulator.py`` says what is published).

Each reading is published with QoS 1 to ``<OPENCITY_MQTT_TOPIC_PREFIX>/<datastream>`` and the
command waits for the broker's acknowledgement before the next; the ingest worker
(``manage.py mqtt_ingest``) stores it.
"""

from __future__ import annotations

import json
import signal
import threading
import uuid

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = "Publish live readings over MQTT (QoS 1) for demo datastreams; --rise makes a water level cross its next alarm level."

    def add_arguments(self, parser):
        parser.add_argument("--datastream", action="append", default=[], metavar="CODE",
                            help="a datastream code (repeatable; default: every active hydrological water level)")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between rounds (default 5)")
        parser.add_argument("--count", type=int, default=0,
                            help="rounds to publish, one reading per datastream each (default 0: until stopped)")
        parser.add_argument("--rise", action="store_true",
                            help="rise steadily toward and past the next level of the threshold rule")
        parser.add_argument("--start", type=float, default=None,
                            help="the first value (default: the datastream's last value, or 0.5)")

    def handle(self, *args, **options):
        from opencity.monitoring import mqtt, simulator

        codes = options["datastream"] or simulator.default_codes()
        if not codes:
            raise CommandError("No datastream to simulate: name one with --datastream CODE (or load the demo).")
        if options["interval"] < 0 or options["count"] < 0:
            raise CommandError("--interval and --count cannot be negative.")
        plans = [simulator.plan_for(code, start=options["start"], rise=options["rise"]) for code in codes]
        series = {plan.code: simulator.values(plan) for plan in plans}
        for plan in plans:
            towards = f", rising {plan.step:g} per reading" if plan.step else ""
            if plan.next_level is not None:
                towards += f" toward {plan.next_level:g}"
            self.stdout.write(f"{plan.code}: from {plan.start:g} {plan.unit}{towards}".rstrip())

        client = mqtt.make_client(f"opencity-simulate-{uuid.uuid4().hex[:12]}")
        try:
            client.connect(settings.OPENCITY_MQTT_HOST, settings.OPENCITY_MQTT_PORT, keepalive=30)
        except OSError as exc:
            raise CommandError(f"MQTT broker not reachable at {mqtt.broker_address()}: {exc}") from exc
        client.loop_start()
        stop = threading.Event()
        previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
        published = 0
        try:
            rounds = 0
            while not stop.is_set() and (not options["count"] or rounds < options["count"]):
                if rounds:
                    stop.wait(options["interval"])
                    if stop.is_set():
                        break
                now = timezone.now()
                for plan in plans:
                    value = next(series[plan.code])
                    reading = {"time": now.isoformat(), "value": value}
                    if plan.unit:
                        reading["unit"] = plan.unit
                    topic = mqtt.reading_topic(plan.code)
                    info = client.publish(topic, json.dumps(reading), qos=mqtt.QOS)
                    info.wait_for_publish(timeout=10)
                    if not info.is_published():
                        raise CommandError(f"The broker at {mqtt.broker_address()} did not acknowledge {topic}.")
                    published += 1
                    self.stdout.write(f"{topic} {value:g} {plan.unit}".rstrip())
                    self.stdout.flush()
                rounds += 1
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            client.disconnect()
            client.loop_stop()
        self.stdout.write(f"Published {published} readings.")
