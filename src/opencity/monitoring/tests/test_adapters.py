"""Pull adapters (``monitoring.adapters``, ``manage.py monitoring_import``): the sample files
import whole, a re-import creates nothing twice, a wrong header stores nothing, a bad row is
rejected with its line and the rest imported."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from opencity.monitoring import adapters
from opencity.monitoring.models import Datastream, Item, Observation

from .ingest_cast import *  # noqa: F403 — the reservoirs, cameras and vessels

pytestmark = pytest.mark.django_db

SAMPLES = Path(adapters.__file__).parent / "samples"


def run(kind, path, source) -> str:
    out = io.StringIO()
    with translation.override("en"):  # the tests read the reasons
        call_command("monitoring_import", kind, str(path), source=source, stdout=out)
    return out.getvalue()


def write(tmp_path, name, text) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_camera_sample_imports_once(cameras, camera_source):
    out = run("camera-violations", SAMPLES / "camera_violations.csv", "camera")
    assert "created 30, duplicate 0, rejected 0" in out
    assert Item.objects.filter(kind="camera_violation", station__code__in=CAMERAS).count() == 30  # noqa: F405
    item = Item.objects.get(dedup_key="VP-2611-0001")
    assert item.station.code == "cam-dien-bien-phu" and item.subject == "75A78164"
    assert item.payload == {"plate": "75A-781.64", "violation": "Dừng, đỗ xe sai quy định", "notice_sent": True}
    assert item.observed_at == dt.datetime(2026, 11, 2, 1, 25, tzinfo=dt.UTC)  # 08:25 in Huế
    assert 0.4 < Item.objects.filter(payload__notice_sent=True).count() / 30 < 0.8
    again = run("camera-violations", SAMPLES / "camera_violations.csv", "camera")
    assert "created 0, duplicate 30, rejected 0" in again
    assert Item.objects.count() == 30


def test_the_reservoir_sample_fills_the_three_datastreams_of_each_reservoir(reservoirs):
    out = run("reservoir-operations", SAMPLES / "reservoir_operations.csv", "thuy-loi")
    assert "created 144, duplicate 0, rejected 0" in out
    for code in ("binh-dien", "huong-dien", "ta-trach"):
        for suffix in ("h", "q-in", "q-out"):
            assert Observation.objects.filter(datastream__code=f"{code}-{suffix}").count() == 16
    first = Observation.objects.get(datastream__code="binh-dien-h",
                                    phenomenon_time=dt.datetime(2026, 10, 26, 18, tzinfo=dt.UTC))
    assert first.value == pytest.approx(80.40)
    assert Datastream.objects.get(code="ta-trach-q-in").last_time == dt.datetime(2026, 10, 30, 12, tzinfo=dt.UTC)
    assert "created 0, duplicate 144" in run("reservoir-operations", SAMPLES / "reservoir_operations.csv",
                                             "thuy-loi")
    assert Observation.objects.count() == 144


def test_the_vessel_samples_csv_and_json_lines(vessels, fisheries_source):
    assert "created 24, duplicate 0, rejected 0" in run("vessel-positions", SAMPLES / "vessel_positions.csv",
                                                        "thuy-san")
    assert "created 6, duplicate 0, rejected 0" in run("vessel-positions", SAMPLES / "vessel_positions.jsonl",
                                                       "thuy-san")
    item = Item.objects.filter(station__code="vessel-th-90123-ts").order_by("observed_at").first()
    assert item.kind == "vessel_position" and item.subject == "TH90123TS"
    assert item.lat == pytest.approx(16.5679) and item.lon == pytest.approx(107.6383)
    assert 5 <= item.payload["speed_kn"] <= 9 and item.payload["registration"] == "TH-90123-TS"
    assert "created 0, duplicate 24" in run("vessel-positions", SAMPLES / "vessel_positions.csv", "thuy-san")


def test_a_wrong_header_stores_nothing(tmp_path, reservoirs, cameras):
    path = write(tmp_path, "wrong.csv", "Ngày,Hồ,Mực nước\n27/10/2026 07:00,Bình Điền,80.1\n")
    with pytest.raises(CommandError) as caught:
        run("reservoir-operations", path, "thuy-loi")
    message = str(caught.value)
    assert "thoi_gian" in message and "Nothing was imported" in message and "Ngày" in message
    camera_file = (SAMPLES / "camera_violations.csv").read_text(encoding="utf-8")
    with pytest.raises(CommandError):
        run("vessel-positions", write(tmp_path, "cams.csv", camera_file), "camera")
    assert not Observation.objects.exists() and not Item.objects.exists()


def test_a_date_that_does_not_exist_or_a_bad_number_rejects_that_row_only(tmp_path, reservoirs):
    path = write(tmp_path, "report.csv", (
        "Thời gian;Hồ chứa;Mực nước hồ (m);Lưu lượng đến hồ (m³/s);Lưu lượng xả (m³/s)\n"
        "27/10/2026 07:00;Hồ Bình Điền;80,52;263;203\n"
        "31/02/2026 07:00;Bình Điền;80.6;270;205\n"
        "27/10/2026 13:00;Tả Trạch;abc;210;150\n"
        "27/10/2026 13:00;ta-trach;38.4;;\n"
        "27/10/2026 13:00;Hồ Kẻ Gỗ;20;10;5\n"))
    out = run("reservoir-operations", path, "thuy-loi")
    assert "created 4, duplicate 0, rejected 3" in out
    assert "line 3 [Bình Điền]: invalid_time: 31/02/2026 07:00" in out
    assert "line 4 [Tả Trạch]: invalid_value:" in out
    assert "line 6 [ke-go-h, ke-go-q-in, ke-go-q-out]: unknown_datastream" in out
    assert sorted(Observation.objects.values_list("datastream__code", "value")) == [
        ("binh-dien-h", pytest.approx(80.52)), ("binh-dien-q-in", 263.0), ("binh-dien-q-out", 203.0),
        ("ta-trach-h", pytest.approx(38.4))]


def test_english_headers_iso_times_and_bad_rows_of_cameras(tmp_path, cameras):
    path = write(tmp_path, "export.csv", (
        "violation_id,time,camera,plate,violation_type,notice_sent\n"
        "A1,2026-11-02T08:00:00+07:00,cam-le-loi,75A-123.45,red light,yes\n"
        "A2,2026-11-02 09:00,cam-nowhere,75A-123.45,red light,no\n"
        "A3,2026-11-02 10:00,cam-le-loi,,red light,no\n"
        "A4,02/11/2026 11:00,cam-le-loi,75A-999.99,red light,maybe\n"
        "A5,01/01/0001 00:00,cam-le-loi,75A-999.99,red light,no\n"))
    out = run("camera-violations", path, "camera")
    assert "created 1, duplicate 0, rejected 4" in out and "line 6 [A5]: invalid_time" in out
    assert "line 3 [A2]: unknown_station" in out and "line 4 [A3]: missing_value" in out
    assert "line 5 [A4]: invalid_value" in out
    assert list(Item.objects.values_list("dedup_key", flat=True)) == ["A1"]


def test_a_source_imports_only_to_its_own_stations(reservoirs, camera_source):
    out = run("reservoir-operations", SAMPLES / "reservoir_operations.csv", "camera")
    assert "created 0, duplicate 0, rejected 48" in out and not Observation.objects.exists()


def test_an_unknown_source_or_file_is_an_error(reservoirs):
    with pytest.raises(CommandError, match="no active data source"):
        run("reservoir-operations", SAMPLES / "reservoir_operations.csv", "nobody")
    with pytest.raises(CommandError, match="no such file"):
        run("reservoir-operations", SAMPLES / "nothing.csv", "thuy-loi")


def test_the_parsers_read_without_the_database():
    parsed = adapters.parse("reservoir-operations", (SAMPLES / "reservoir_operations.csv").read_bytes())
    assert parsed.target == "observations" and len(parsed.rows) == 144 and not parsed.rejected
    assert parsed.lines[:3] == [2, 2, 2] and parsed.rows[0]["datastream"] == "binh-dien-h"
    with pytest.raises(adapters.AdapterError):
        adapters.parse("camera-violations", "\xff".encode("latin-1"))
    assert adapters.reservoir_code("Hồ Hương Điền") == "huong-dien"
    assert adapters.vessel_station("TH-90123-TS") == "vessel-th-90123-ts"
