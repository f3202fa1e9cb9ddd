"""MQTT ingest against the real Mosquitto broker (OPENCITY_MQTT_HOST:PORT, 127.0.0.1:1883 here;
``.ci/run`` starts it). Each test has its own topic prefix and client ids, and wipes the
sessions it left on the broker."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import subprocess
import sys
import uuid

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from opencity.monitoring import mqtt, simulator
from opencity.monitoring.models import (
    Datastream,
    MonitoringEvent,
    Observation,
    Rule,
    RuleKind,
    RuleLevel,
    Severity,
    StationKind,
)
from opencity.monitoring.tasks import judge_silence


def _broker_answers() -> bool:
    try:
        with socket.create_connection((django_settings.OPENCITY_MQTT_HOST, django_settings.OPENCITY_MQTT_PORT),
                                      timeout=2):
            return True
    except OSError:
        return False


needs_broker = pytest.mark.skipif(
    not _broker_answers(),
    reason=f"no MQTT broker at {django_settings.OPENCITY_MQTT_HOST}:{django_settings.OPENCITY_MQTT_PORT} "
           "(start it: mosquitto -d -c /etc/mosquitto/mosquitto.conf)")


@pytest.fixture
def prefix(settings) -> str:
    settings.OPENCITY_MQTT_TOPIC_PREFIX = f"opencity-test/{uuid.uuid4().hex[:10]}"
    return settings.OPENCITY_MQTT_TOPIC_PREFIX


@pytest.fixture
def client_ids():
    """Unique client ids; their persistent sessions are removed from the broker afterwards (a
    clean-session connection with the same id ends the stored session)."""
    made: list[str] = []

    def make() -> str:
        made.append(f"opencity-test-{uuid.uuid4().hex[:12]}")
        return made[-1]

    yield make
    for client_id in made:
        client = mqtt.make_client(client_id, clean_session=True)
        try:
            client.connect(django_settings.OPENCITY_MQTT_HOST, django_settings.OPENCITY_MQTT_PORT)
            client.loop(timeout=0.5)
            client.disconnect()
        except OSError:
            pass


def publish(topic: str, payload) -> None:
    """Publish with QoS 1 and wait for the broker's acknowledgement."""
    client = mqtt.make_client(f"opencity-test-pub-{uuid.uuid4().hex[:12]}")
    client.connect(django_settings.OPENCITY_MQTT_HOST, django_settings.OPENCITY_MQTT_PORT)
    client.loop_start()
    try:
        body = payload if isinstance(payload, bytes) else json.dumps(payload)
        info = client.publish(topic, body, qos=1)
        info.wait_for_publish(timeout=10)
        assert info.is_published()
    finally:
        client.disconnect()
        client.loop_stop()


def reading(minutes_ago: int, value: float) -> dict:
    when = (timezone.now() - dt.timedelta(minutes=minutes_ago)).replace(second=0, microsecond=0)
    return {"time": when.isoformat(), "value": value, "unit": "m"}


def run_worker(client_id: str, *, messages: int, then=None) -> mqtt.Stats:
    """The worker in this thread (inside the test's transaction): ``then`` publishes once it is
    subscribed; it returns after ``messages`` acknowledged messages (or 30 s: a failure)."""
    worker = mqtt.Worker(client_id=client_id)
    stats = worker.run(max_messages=messages, max_seconds=30, on_subscribed=then)
    assert stats.messages == messages, stats
    return stats


pytestmark = needs_broker


@pytest.mark.django_db
def test_a_reading_published_over_mqtt_is_stored_and_raises_the_flood_event(prefix, client_ids, flood_rule,
                                                                              level_stream):
    stats = run_worker(client_ids(), messages=1,
                       then=lambda: publish(f"{prefix}/kim-long-h", [reading(20, 1.4), reading(10, 2.3)]))
    assert stats.created == 2 and stats.rejected == 0
    assert sorted(Observation.objects.filter(datastream=level_stream).values_list("value", flat=True)) == [1.4, 2.3]
    event = MonitoringEvent.objects.get(rule=flood_rule)
    assert (event.level_code, event.value, event.datastream_id) == ("BD2", 2.3, level_stream.pk)
    level_stream.refresh_from_db()
    assert level_stream.last_value == 2.3


@pytest.mark.django_db
def test_the_sensorthings_spelling_and_items_are_taken_too(prefix, client_ids, level_stream, camera, camera_source):
    when = (timezone.now() - dt.timedelta(minutes=5)).isoformat()

    def send():
        publish(f"{prefix}/kim-long-h", {"phenomenonTime": when, "result": 0.8})
        publish(f"{prefix}/items/camera", {"kind": "camera_violation", "id": "v-1", "station": "cam-le-loi",
                                           "time": when, "subject": "75A-123.45"})

    stats = run_worker(client_ids(), messages=2, then=send)
    assert stats.created == 2
    assert Observation.objects.get(datastream=level_stream).value == 0.8
    from opencity.monitoring.models import Item

    assert Item.objects.get(source=camera_source).subject == "75A12345"


@pytest.mark.django_db
def test_a_resent_message_creates_nothing_twice(prefix, client_ids, flood_rule, level_stream):
    message = [reading(10, 2.4)]

    def send_twice():
        publish(f"{prefix}/kim-long-h", message)
        publish(f"{prefix}/kim-long-h", message)

    stats = run_worker(client_ids(), messages=2, then=send_twice)
    assert (stats.created, stats.duplicate) == (1, 1)
    assert Observation.objects.filter(datastream=level_stream).count() == 1
    assert MonitoringEvent.objects.filter(rule=flood_rule).count() == 1
    level_stream.refresh_from_db()
    assert level_stream.observation_count == 1


@pytest.mark.django_db
def test_a_malformed_message_is_acknowledged_and_does_not_block_the_next(prefix, client_ids, level_stream, caplog):
    client_id = client_ids()

    def send():
        publish(f"{prefix}/kim-long-h", b"{not json")
        publish(f"{prefix}/no-such-stream", reading(9, 1.0))
        publish(f"{prefix}/kim-long-h", reading(10, 500.0))  # a river at 500 m
        publish(f"{prefix}/kim-long-h", reading(8, 1.2))

    with caplog.at_level(logging.WARNING, logger="opencity.monitoring.mqtt"):
        stats = run_worker(client_id, messages=4, then=send)
    assert (stats.created, stats.rejected, stats.refused) == (1, 2, 1)
    assert list(Observation.objects.filter(datastream=level_stream).values_list("value", flat=True)) == [1.2]
    logged = caplog.text
    assert "payload is not JSON" in logged and "unknown_datastream" in logged and "out_of_range" in logged
    # All four were acknowledged: the same session, resumed, gets none of them again — the first
    # message it receives is a new one.
    again = run_worker(client_id, messages=1, then=lambda: publish(f"{prefix}/kim-long-h", reading(7, 1.3)))
    assert (again.created, again.duplicate, again.rejected, again.refused) == (1, 0, 0, 0)


@pytest.mark.django_db
def test_messages_published_while_the_worker_is_down_are_kept_for_it(prefix, client_ids, level_stream):
    client_id = client_ids()
    run_worker(client_id, messages=1, then=lambda: publish(f"{prefix}/kim-long-h", reading(30, 1.0)))
    publish(f"{prefix}/kim-long-h", reading(20, 1.1))  # nobody connected: the broker keeps it
    publish(f"{prefix}/kim-long-h", reading(10, 1.2))
    stats = run_worker(client_id, messages=2)
    assert stats.created == 2
    assert Observation.objects.filter(datastream=level_stream).count() == 3


@pytest.mark.django_db
def test_a_message_that_met_a_database_error_is_not_acknowledged_and_comes_again(prefix, client_ids, level_stream):
    """A real database error (the roll-up table is missing for a moment): the message is not
    acknowledged, the worker leaves the broker and comes back, and the broker delivers it again."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE monitoring_observationhour RENAME TO monitoring_observationhour_away")
    said: list[str] = []

    def warn(line: str) -> None:
        said.append(line)
        if line.startswith("Database error"):  # before the worker reconnects: the table is back
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE monitoring_observationhour_away RENAME TO monitoring_observationhour")

    worker = mqtt.Worker(client_id=client_ids(), warn=warn)
    stats = worker.run(max_messages=1, max_seconds=30,
                       on_subscribed=lambda: publish(f"{prefix}/kim-long-h", reading(10, 1.7)))
    assert (stats.db_errors, stats.messages, stats.created) == (1, 1, 1), (stats, said)
    assert list(Observation.objects.filter(datastream=level_stream).values_list("value", flat=True)) == [1.7]


def _manage_env(**extra: str) -> dict[str, str]:
    """The environment of a ``manage.py`` subprocess that uses this test's database (the test
    database's name: a file on SQLite, ``test_…`` on PostgreSQL)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", OPENCITY_DB_NAME=str(connection.settings_dict["NAME"]),
               OPENCITY_MQTT_TOPIC_PREFIX=django_settings.OPENCITY_MQTT_TOPIC_PREFIX, **extra)
    env.pop(mqtt.CRASH_HOOK, None)
    env.update(extra)
    return env


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_message_is_delivered_again_after_the_worker_is_killed_mid_message(prefix, client_ids, flood_rule,
                                                                             level_stream, tmp_path):
    client_id = client_ids()
    command = [sys.executable, str(django_settings.BASE_DIR / "manage.py"), "mqtt_ingest", "--client-id", client_id]
    env = _manage_env(OPENCITY_VAR_DIR=str(tmp_path))
    # 1. A worker that dies (os._exit, as kill -9) on receiving a message, before storing it.
    doomed = subprocess.Popen([*command, "--max-seconds", "60"], env={**env, mqtt.CRASH_HOOK: "1"},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        seen = []
        for line in doomed.stdout:
            seen.append(line)
            if line.startswith("Subscribed"):
                break
        assert seen and seen[-1].startswith("Subscribed"), "".join(seen) + doomed.stderr.read()
        publish(f"{prefix}/kim-long-h", [reading(15, 1.6), reading(5, 2.6)])
        assert doomed.wait(timeout=30) == 1
    finally:
        if doomed.poll() is None:
            doomed.kill()
            doomed.wait()
        doomed.stdout.close()
        doomed.stderr.close()
    assert Observation.objects.filter(datastream=level_stream).count() == 0
    assert not MonitoringEvent.objects.exists()
    # 2. The next worker with the same client id gets the message again and stores it, once.
    result = subprocess.run([*command, "--max-messages", "1", "--max-seconds", "60"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "1 messages acknowledged, 2 readings or items stored" in result.stdout, result.stdout + result.stderr
    assert sorted(Observation.objects.filter(datastream=level_stream).values_list("value", flat=True)) == [1.6, 2.6]
    assert MonitoringEvent.objects.get(rule=flood_rule).level_code == "BD2"
    # 3. Acknowledged now: a third start receives nothing of it (the first message is a new one).
    publish(f"{prefix}/kim-long-h", reading(1, 2.7))
    result = subprocess.run([*command, "--max-messages", "1", "--max-seconds", "60"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert "1 messages acknowledged, 1 readings or items stored, 0 duplicates" in result.stdout, result.stderr
    assert Observation.objects.filter(datastream=level_stream).count() == 3


def test_the_worker_says_on_stderr_that_the_broker_is_unreachable_and_keeps_trying(settings, capsys):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        settings.OPENCITY_MQTT_HOST, settings.OPENCITY_MQTT_PORT = "127.0.0.1", probe.getsockname()[1]
    call_command("mqtt_ingest", "--client-id", "opencity-test-nobody", "--max-seconds", "1.5")
    err = capsys.readouterr().err
    tries = err.count(f"MQTT broker not reachable at 127.0.0.1:{settings.OPENCITY_MQTT_PORT}; retrying")
    assert tries >= 2, err


@pytest.mark.django_db
def test_the_simulator_rises_past_the_next_level_and_the_worker_raises_the_event(prefix, client_ids, flood_rule,
                                                                                  level_stream, capsys):
    plan = simulator.plan_for("kim-long-h", start=1.5, rise=True)
    assert plan.next_level == 2.0  # BĐ2, the next level above 1.5
    stats = run_worker(client_ids(), messages=5, then=lambda: call_command(
        "monitoring_simulate", "--datastream", "kim-long-h", "--rise", "--start", "1.5", "--count", "5",
        "--interval", "0"))
    assert stats.created == 5
    values = list(Observation.objects.filter(datastream=level_stream).values_list("value", flat=True))
    assert values[0] == 1.5 and values == sorted(values) and values[-1] > 2.0
    assert MonitoringEvent.objects.get(rule=flood_rule).level_code == "BD2"
    assert "Published 5 readings." in capsys.readouterr().out


@pytest.mark.django_db
def test_the_simulator_rises_towards_the_levels_that_judge_the_station_and_no_other(level_stream):
    """A property-wide rule for reservoirs (station kind "dam") does not judge Kim Long: the
    simulator used to take the first water-level rule whatever its station kind."""
    dams = Rule.objects.create(name="Mực nước hồ chứa", kind=RuleKind.THRESHOLD, station_kind=StationKind.DAM,
                               observed_property=level_stream.observed_property)
    RuleLevel.objects.create(rule=dams, code="DAM", name="Mực nước dâng bình thường", value=1.6,
                             severity=Severity.WARNING)
    hydro = Rule.objects.create(name="Báo động lũ (mọi trạm thủy văn)", kind=RuleKind.THRESHOLD,
                                station_kind=StationKind.HYDRO, observed_property=level_stream.observed_property)
    RuleLevel.objects.create(rule=hydro, code="BD2", name="Báo động II", value=2.0, severity=Severity.WARNING)
    assert simulator.plan_for("kim-long-h", start=1.5, rise=True).next_level == 2.0


@pytest.mark.django_db
def test_the_simulator_defaults_to_every_hydrological_water_level(level_stream, rain_stream):
    assert simulator.default_codes() == ["kim-long-h"]


@pytest.mark.django_db
def test_the_silence_job_raises_the_silent_sensor_event(level_stream):
    rule = Rule.objects.create(name="Trạm im lặng", kind=RuleKind.SILENCE, datastream=level_stream,
                               window_minutes=60)
    Datastream.objects.filter(pk=level_stream.pk).update(created_at=timezone.now() - dt.timedelta(hours=3))
    assert judge_silence.call_local() == 1
    assert MonitoringEvent.objects.get(rule=rule).datastream_id == level_stream.pk
