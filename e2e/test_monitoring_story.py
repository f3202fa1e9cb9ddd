"""The monitoring story of issue #17, end to end with the real broker: the simulator publishes a
rise of the Hương river at Kim Long over MQTT; the ingest worker (``manage.py mqtt_ingest``, a
separate process, as production runs it) stores it and the rules raise the flood event; the
event appears on the operator's console feed within seconds, without a reload; the operator
opens it, acknowledges it and opens a warning draft prefilled with the level."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import expect

from .test_monitoring import kim_long


@pytest.fixture(autouse=True)
def _short_streams(settings):
    # the console's live stream: short streams (EventSource reconnects by itself) free the test
    # server's threads quickly, and end before the test's database goes away
    settings.OPENCITY_LIVE_STREAM_SECONDS = 4
    settings.OPENCITY_LIVE_POLL_SECONDS = 0.3


def _broker_answers() -> bool:
    try:
        with socket.create_connection((settings.OPENCITY_MQTT_HOST, settings.OPENCITY_MQTT_PORT), timeout=2):
            return True
    except OSError:
        return False


def _manage(*args: str, env: dict) -> list[str]:
    return [sys.executable, str(settings.BASE_DIR / "manage.py"), *args]


@pytest.mark.skipif(not _broker_answers(), reason="no MQTT broker (mosquitto -d -c /etc/mosquitto/mosquitto.conf)")
def test_a_rise_published_over_mqtt_reaches_the_console_and_becomes_a_warning_draft(login, operator, phu_xuan,
                                                                                    tmp_path):
    stream = kim_long(phu_xuan, values=[0.5, 0.6, 0.7])  # below BĐ1: nothing raised yet
    env = dict(os.environ, PYTHONUNBUFFERED="1", OPENCITY_DB_NAME=str(connection.settings_dict["NAME"]),
               OPENCITY_VAR_DIR=str(tmp_path), OPENCITY_MQTT_TOPIC_PREFIX=f"opencity-e2e/{uuid.uuid4().hex[:10]}")
    client_id = f"e2e-{uuid.uuid4().hex[:10]}"
    worker = subprocess.Popen(_manage("mqtt_ingest", "--client-id", client_id, "--max-seconds", "120", env=env),
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in worker.stdout:
            if line.startswith("Subscribed"):
                break
        page = login(operator, width=1366)
        page.goto("/ioc/")
        feed = page.locator("#live-feed")
        expect(feed).not_to_contain_text("GS0")
        simulated = subprocess.run(
            _manage("monitoring_simulate", "--datastream", stream.code, "--rise", "--count", "8", "--interval",
                    "0.3", env=env), env=env, capture_output=True, text=True, timeout=120)
        assert simulated.returncode == 0, simulated.stdout + simulated.stderr

        # the event reaches the console's feed by itself (server-sent events), within seconds
        line = feed.locator("li", has_text=re.compile(r"GS0+\d+")).first
        expect(line).to_be_visible(timeout=20_000)
        expect(line).to_contain_text("Kim Long")
        line.get_by_role("link", name=re.compile(r"GS0+\d+")).click()
        page.wait_for_load_state()
        assert re.search(r"/monitoring/events/\d+/$", page.url)

        page.get_by_test_id("event-acknowledge").click()
        page.wait_for_load_state()
        expect(page.get_by_test_id("event-status")).to_have_attribute("data-status", "acknowledged")
        page.get_by_test_id("event-warning").click()
        page.wait_for_load_state()
        expect(page.locator("#id_headline_vi")).to_have_value(re.compile(r"Kim Long.*Báo động"))
        expect(page.locator("#id_event")).to_have_value("flood")
        assert page.js_errors == []
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        worker.stdout.close()
        _end_session(client_id)


def _end_session(client_id: str) -> None:
    """Remove the worker's persistent session from the broker (a clean-session connection with
    the same client id ends it)."""
    from opencity.monitoring.mqtt import make_client

    client = make_client(client_id, clean_session=True)
    try:
        client.connect(settings.OPENCITY_MQTT_HOST, settings.OPENCITY_MQTT_PORT)
        client.loop(timeout=1)
        client.disconnect()
    except OSError:
        pass
