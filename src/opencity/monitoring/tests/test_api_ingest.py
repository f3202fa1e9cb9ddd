"""``/api/v1/monitoring/``: sources send readings and items with their key, each row answered;
anyone reads the public stations and series."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import override_settings

from opencity.lib.credentials import credential_revoke
from opencity.monitoring import api as monitoring_api
from opencity.monitoring.models import Item, Observation, ObservedProperty, SourceKey
from opencity.monitoring.services import observations_ingest

from .ingest_cast import *  # noqa: F403 — the reservoirs, cameras and vessels

pytestmark = pytest.mark.django_db

OBS = "/api/v1/monitoring/observations"
ITEMS = "/api/v1/monitoring/items"


def post(client, url, body, key=None, *, content_type="application/json", bearer=False, **extra):
    if key is not None:
        extra["HTTP_AUTHORIZATION" if bearer else "HTTP_X_API_KEY"] = f"Bearer {key}" if bearer else key
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    extra.setdefault("HTTP_ACCEPT_LANGUAGE", "en")  # the tests read some messages
    return client.post(url, data, content_type=content_type, **extra)


def reading(stream, when, value, **extra):
    return {"datastream": stream.code, "time": when.isoformat(), "value": value, **extra}


def values(stream):
    return sorted(Observation.objects.filter(datastream=stream).values_list("value", flat=True))


# --- readings ------------------------------------------------------------------------------------


def test_one_reading_is_stored_and_answered(client, level_stream, hydro_key, t0):
    response = post(client, OBS, reading(level_stream, t0, 1.25, unit="m"), hydro_key)
    assert response.status_code == 200
    body = response.json()
    assert body["created"] == 1 and body["duplicate"] == 0 and body["rejected"] == 0 and body["listed"] == "all"
    assert body["rows"] == [{"index": 0, "status": "created", "datastream": "kim-long-h",
                             "time": t0.astimezone(dt.UTC).isoformat()}]
    assert values(level_stream) == [1.25]


def test_a_batch_with_a_bearer_key_and_its_replay_creates_nothing_twice(client, level_stream, rain_stream,
                                                                       hydro_key, t0):
    batch = {"observations": [reading(level_stream, t0 + dt.timedelta(minutes=10 * i), 1 + i / 10)
                              for i in range(5)] + [reading(rain_stream, t0, 12.5)]}
    first = post(client, OBS, batch, hydro_key, bearer=True)
    assert first.status_code == 200 and first.json()["created"] == 6
    again = post(client, OBS, batch, hydro_key)
    assert again.status_code == 200
    assert again.json()["created"] == 0 and again.json()["duplicate"] == 6
    assert {r["status"] for r in again.json()["rows"]} == {"duplicate"}
    assert Observation.objects.count() == 6
    level_stream.refresh_from_db()
    assert level_stream.observation_count == 5 and level_stream.last_value == pytest.approx(1.4)


def test_the_sensorthings_data_array_shape(client, level_stream, rain_stream, hydro_key, t0):
    body = [
        {"Datastream": {"code": "kim-long-h"}, "components": ["phenomenonTime", "result"],
         "dataArray": [[t0.isoformat(), 1.1], [(t0 + dt.timedelta(minutes=10)).isoformat(), 1.2]]},
        {"Datastream": {"@iot.id": "kim-long-rain"}, "components": ["result", "phenomenonTime", "resultQuality"],
         "dataArray": [[3.5, t0.isoformat(), "suspect"], [4.0]]},
    ]
    response = post(client, OBS, body, hydro_key)
    assert response.status_code == 207
    rows = response.json()["rows"]
    assert [r["status"] for r in rows] == ["created", "created", "created", "rejected"]
    assert rows[3]["code"] == "malformed" and "3 values" in rows[3]["message"]
    assert values(level_stream) == [1.1, 1.2]
    assert list(Observation.objects.filter(datastream=rain_stream).values_list("value", "quality")) == [
        (3.5, "suspect")]


def test_a_data_array_without_result_is_a_400_and_stores_nothing(client, level_stream, hydro_key, t0):
    body = [{"Datastream": {"code": "kim-long-h"}, "components": ["phenomenonTime"], "dataArray": [[t0.isoformat()]]}]
    response = post(client, OBS, body, hydro_key)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_body" and response.json()["error"]["field"] == "components"
    assert not Observation.objects.exists()


def test_ndjson_with_a_malformed_line_stores_the_other_lines(client, level_stream, hydro_key, t0):
    lines = [json.dumps(reading(level_stream, t0, 1.0)), "", "{not json",
             json.dumps(reading(level_stream, t0 + dt.timedelta(minutes=5), 1.1))]
    response = post(client, OBS, "\n".join(lines) + "\n", hydro_key, content_type="application/x-ndjson")
    assert response.status_code == 207
    body = response.json()
    assert (body["created"], body["rejected"]) == (2, 1)
    bad = [r for r in body["rows"] if r["status"] == "rejected"]
    assert bad == [{"index": 1, "status": "rejected", "line": 3, "code": "malformed", "message": bad[0]["message"]}]
    assert "Line 3" in bad[0]["message"]
    assert [r["line"] for r in body["rows"]] == [1, 3, 4]
    assert values(level_stream) == [1.0, 1.1]


def test_a_partial_batch_is_a_207_with_each_reason(client, level_stream, hydro_key, t0):
    batch = {"observations": [
        reading(level_stream, t0, 1.3),
        reading(level_stream, t0 + dt.timedelta(minutes=5), 400),
        reading(level_stream, t0 + dt.timedelta(minutes=10), 1.3, unit="mm"),
        {"datastream": "kim-long-h", "time": "1970-01-01T00:00:00Z", "value": 1},
        {"datastream": "no-such", "time": t0.isoformat(), "value": 1},
    ]}
    response = post(client, OBS, batch, hydro_key)
    assert response.status_code == 207
    rows = response.json()["rows"]
    assert [r.get("code") for r in rows] == [None, "out_of_range", "wrong_unit", "too_old", "unknown_datastream"]
    assert "400 m" in rows[1]["message"]
    assert values(level_stream) == [1.3]


@pytest.mark.parametrize(("when", "code"), [("0001-01-01T00:00:00+07:00", "too_old"), ("0001-01-01T00:00:00", "too_old"),
                                            ("9999-12-31T23:59:00-14:00", "future_time")])
def test_a_time_at_the_ends_of_the_calendar_is_a_rejected_row(client, level_stream, hydro_key, when, code):
    response = post(client, OBS, {"datastream": "kim-long-h", "time": when, "value": 1}, hydro_key)
    assert response.status_code == 422
    assert response.json()["rows"][0]["code"] == code


def test_a_batch_with_every_row_rejected_is_a_422(client, level_stream, hydro_key, t0):
    response = post(client, OBS, {"observations": [reading(level_stream, t0, "abc")]}, hydro_key)
    assert response.status_code == 422
    assert response.json()["rejected"] == 1 and response.json()["rows"][0]["code"] == "invalid_value"


def test_another_sources_datastream_is_rejected(client, level_stream, camera_source, source_key, t0):
    response = post(client, OBS, reading(level_stream, t0, 1.0), source_key(camera_source))
    assert response.status_code == 422
    assert response.json()["rows"][0]["code"] == "unknown_datastream"
    assert not Observation.objects.exists()


@pytest.mark.parametrize("key", [None, "", "not-a-key"])
def test_a_missing_or_wrong_key_is_a_401_and_stores_nothing(client, level_stream, hydro_key, t0, key):
    response = post(client, OBS, reading(level_stream, t0, 1.0), key)
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == ("invalid_key" if key else "missing_key") and "key" in error["message"].lower()
    assert not Observation.objects.exists()


def test_a_revoked_key_and_a_users_api_token_are_refused(client, level_stream, hydro_key, t0):
    credential_revoke(SourceKey.objects.get(), actor=None)
    response = post(client, OBS, reading(level_stream, t0, 1.0), hydro_key, bearer=True)
    assert response.status_code == 401 and response.json()["error"]["code"] == "invalid_key"
    assert not Observation.objects.exists()


def test_a_session_is_not_a_source_key(client, operator, level_stream, t0):
    client.force_login(operator)
    assert post(client, OBS, reading(level_stream, t0, 1.0)).status_code == 401


def test_an_oversized_batch_is_a_413_and_stores_nothing(client, level_stream, hydro_key, t0):
    batch = {"observations": [reading(level_stream, t0 + dt.timedelta(minutes=i), 1.0) for i in range(4)]}
    with override_settings(OPENCITY_MONITORING_MAX_BATCH=3):
        response = post(client, OBS, batch, hydro_key)
        ndjson = post(client, OBS, "\n".join(json.dumps(r) for r in batch["observations"]), hydro_key,
                      content_type="application/x-ndjson")
    assert response.status_code == 413 and response.json()["error"]["code"] == "payload_too_large"
    assert "3" in response.json()["error"]["message"]
    assert ndjson.status_code == 413
    assert not Observation.objects.exists()


def test_a_body_too_large_is_a_413(client, level_stream, hydro_key, t0):
    batch = {"observations": [reading(level_stream, t0 + dt.timedelta(minutes=i), 1.0) for i in range(40)]}
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000):
        response = post(client, OBS, batch, hydro_key)
    assert response.status_code == 413 and not Observation.objects.exists()


@pytest.mark.parametrize("body", ["{not json", "", '"a string"', '{"nothing": 1}', '{"observations": 5}',
                                  b"\xff\xfe", '{"datastream": "kim-long-h\\u0000", "time": "x", "value": 1}'])
def test_a_body_that_cannot_be_read_is_a_400_never_a_500(client, level_stream, hydro_key, body):
    response = post(client, OBS, body, hydro_key)
    assert response.status_code == 400
    assert response.json()["error"]["message"]
    assert not Observation.objects.exists()


def test_the_ingest_operations_refuse_get(client, hydro_key):
    assert client.get(OBS, HTTP_X_API_KEY=hydro_key).status_code == 405
    assert client.get(ITEMS, HTTP_X_API_KEY=hydro_key).status_code == 405


def test_only_the_rejected_rows_are_listed_in_a_large_batch(client, level_stream, hydro_key, t0, monkeypatch):
    monkeypatch.setattr(monitoring_api, "LIST_ALL_UP_TO", 2)
    batch = {"observations": [reading(level_stream, t0, 1.0), reading(level_stream, t0, 9999),
                              reading(level_stream, t0 + dt.timedelta(minutes=1), 1.1)]}
    body = post(client, OBS, batch, hydro_key).json()
    assert body["listed"] == "rejected" and body["created"] == 2
    assert [r["index"] for r in body["rows"]] == [1]


# --- items ---------------------------------------------------------------------------------------


def violation(ident, camera_code, when, plate="75A-123.45"):
    return {"kind": "camera_violation", "id": ident, "station": camera_code, "time": when.isoformat(),
            "subject": plate, "payload": {"violation": "red_light", "notice_sent": True}}


def test_items_in_a_batch_one_object_and_ndjson(client, cameras, camera_source, source_key, t0):
    key = source_key(camera_source)
    batch = {"items": [violation("VP-1", "cam-le-loi", t0), violation("VP-2", "cam-nguyen-hue", t0)]}
    assert post(client, ITEMS, batch, key).json()["created"] == 2
    one = post(client, ITEMS, violation("VP-3", "cam-le-loi", t0), key)
    assert one.status_code == 200 and one.json()["created"] == 1
    ndjson = "\n".join([json.dumps(violation("VP-1", "cam-le-loi", t0)), "[oops",
                        json.dumps(violation("VP-4", "cam-hung-vuong", t0))])
    response = post(client, ITEMS, ndjson, key, content_type="application/x-ndjson")
    assert response.status_code == 207
    assert [(r["status"], r["line"]) for r in response.json()["rows"]] == [
        ("duplicate", 1), ("rejected", 2), ("created", 3)]
    assert sorted(Item.objects.values_list("dedup_key", flat=True)) == ["VP-1", "VP-2", "VP-3", "VP-4"]
    assert Item.objects.get(dedup_key="VP-1").subject == "75A12345"


def test_items_of_another_sources_station_are_rejected(client, cameras, hydro_key, t0):
    response = post(client, ITEMS, {"items": [violation("VP-1", "cam-le-loi", t0)]}, hydro_key)
    assert response.status_code == 422 and response.json()["rows"][0]["code"] == "unknown_station"
    assert not Item.objects.exists()


def test_items_need_a_key(client, cameras, t0):
    assert post(client, ITEMS, violation("VP-1", "cam-le-loi", t0)).status_code == 401
    assert not Item.objects.exists()


# --- public reads --------------------------------------------------------------------------------


STATIONS = "/api/v1/monitoring/stations"


def test_visitors_see_public_stations_with_levels_and_never_cameras(client, flood_rule, level_stream, camera,
                                                                   vessels, hydro_source, t0):
    observations_ingest(rows=[reading(level_stream, t0, 2.1)], source=hydro_source)
    response = client.get(STATIONS)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60" and response["ETag"]
    body = response.json()
    assert [s["code"] for s in body] == ["kim-long"]
    [stream] = body[0]["datastreams"]
    assert stream["code"] == "kim-long-h" and stream["unit"] == "m" and stream["last_value"] == 2.1
    assert [(lv["code"], lv["value"]) for lv in stream["levels"]] == [("BD1", 1.0), ("BD2", 2.0), ("BD3", 3.5)]
    assert body[0]["ward"]["name"] == "Phường Phú Xuân"
    assert client.get(STATIONS, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_an_operator_sees_cameras_and_vessels_and_a_citizen_does_not(client, operator, citizen, level_stream,
                                                                     camera, vessels):
    client.force_login(citizen)
    assert {s["kind"] for s in client.get(STATIONS).json()} == {"hydro"}
    client.force_login(operator)
    response = client.get(STATIONS)
    assert {s["kind"] for s in response.json()} == {"hydro", "camera", "vessel"}
    assert response["Cache-Control"].startswith("private")


def series_url(code, **params):
    from urllib.parse import urlencode

    return f"/api/v1/monitoring/datastreams/{code}/observations?{urlencode(params)}"


def test_a_short_range_is_raw_and_a_long_one_hourly(client, flood_rule, level_stream, hydro_source, t0):
    t0 = t0.replace(minute=0)
    rows = [reading(level_stream, t0 - dt.timedelta(hours=60) + dt.timedelta(minutes=30 * i), 1 + i / 100)
            for i in range(6)] + [reading(level_stream, t0 + dt.timedelta(minutes=m), v)
                                  for m, v in ((0, 1.0), (10, 2.0), (20, 3.0))]
    observations_ingest(rows=rows, source=hydro_source)
    end = t0 + dt.timedelta(hours=1)
    raw = client.get(series_url("kim-long-h", **{"from": (t0 - dt.timedelta(hours=1)).isoformat(),
                                                 "to": end.isoformat()}))
    assert raw.status_code == 200 and raw["Cache-Control"] == "public, max-age=60"
    body = raw.json()
    assert body["resolution"] == "raw" and [p["value"] for p in body["points"]] == [1.0, 2.0, 3.0]
    assert body["points"][0]["quality"] == "good" and [lv["code"] for lv in body["levels"]] == ["BD1", "BD2", "BD3"]
    hourly = client.get(series_url("kim-long-h", **{"from": (t0 - dt.timedelta(hours=72)).isoformat(),
                                                    "to": end.isoformat()})).json()
    assert hourly["resolution"] == "hourly"
    assert sum(p["count"] for p in hourly["points"]) == 9
    last = hourly["points"][-1]
    assert (last["mean"], last["min"], last["max"], last["count"]) == (pytest.approx(2.0), 1.0, 3.0, 3)
    assert last["value"] == pytest.approx(2.0)


def test_rainfall_hours_are_totals(client, rain_stream, hydro_source, t0):
    t0 = t0.replace(minute=0)
    observations_ingest(rows=[reading(rain_stream, t0 + dt.timedelta(minutes=m), 5.0) for m in (0, 15, 30)],
                        source=hydro_source)
    body = client.get(series_url("kim-long-rain", **{"from": (t0 - dt.timedelta(days=3)).isoformat(),
                                                     "to": (t0 + dt.timedelta(hours=1)).isoformat()})).json()
    assert [p["value"] for p in body["points"]] == [15.0]


@pytest.mark.parametrize("params", [{"from": "yesterday"}, {"to": "2026-13-45T00:00"}, {"to": "0001-01-01"},
                                    {"from": "2026-10-28T00:00:00+07:00" * 3}, {"to": "9999-12-31T23:59:00-14:00"},
                                    {"from": "2026-10-29T00:00", "to": "2026-10-28T00:00"}])
def test_a_bad_time_is_a_400_naming_it(client, level_stream, params):
    response = client.get(series_url("kim-long-h", **params))
    assert response.status_code == 400 and response.json()["error"]["field"] in ("from", "to")


def test_a_cameras_datastream_is_a_404_for_visitors(client, operator, camera):
    from opencity.monitoring.models import Datastream

    prop = ObservedProperty.objects.create(code="violations", name="Vi phạm", name_en="Violations", unit="lượt",
                                           min_value=0, max_value=1000)
    Datastream.objects.create(code="cam-le-loi-count", station=camera, observed_property=prop)
    assert client.get(series_url("cam-le-loi-count")).status_code == 404
    assert client.get(series_url("no-such-stream")).status_code == 404
    client.force_login(operator)
    assert client.get(series_url("cam-le-loi-count")).status_code == 200


def test_the_operations_are_documented(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (OBS, ITEMS, STATIONS, "/api/v1/monitoring/datastreams/{code}/observations"):
        operation = next(iter(paths[path].values()))
        assert operation["summary"] and operation["description"] and operation["tags"] == ["monitoring"]

