"""Pull adapters: files a city already has, turned into readings and items.

``manage.py monitoring_import <kind> <file> --source CODE`` reads one file with the adapter of
``kind`` (:data:`ADAPTERS`) and sends its rows through the same services as HTTP and MQTT
(``services.observations_ingest`` / ``items_ingest``), as the source ``CODE``: each row is
created, a duplicate (a re-import creates nothing twice) or rejected with its line number.

- ``camera-violations`` (CSV, the police camera system's export): Mã vi phạm, Thời gian, Camera,
  Biển số, Lỗi vi phạm, Đã gửi thông báo → items ``camera_violation`` of the camera station;
- ``reservoir-operations`` (CSV, the reservoir operator's report): Thời gian, Hồ chứa, Mực nước hồ
  (m), Lưu lượng đến hồ (m³/s), Lưu lượng xả (m³/s) → readings of ``<hồ>-h``, ``<hồ>-q-in``,
  ``<hồ>-q-out`` (the reservoir by code, ``binh-dien``, or by name, "Bình Điền");
- ``vessel-positions`` (CSV or JSON lines, the fisheries' vessel monitoring): Số đăng ký, Thời
  gian, Vĩ độ, Kinh độ, Tốc độ (hải lý/giờ) → items ``vessel_position`` of the station
  ``vessel-<registration>`` (TH-90123-TS → ``vessel-th-90123-ts``).

Headers are matched without accents, case or units: "Mực nước hồ (m)", "muc nuoc ho" and
``level`` are one column; English names are accepted too (:data:`COLUMNS`). A header that lacks
a required column is an :class:`AdapterError` for the whole file, and nothing is stored. A row
whose date does not exist (31/02/2026) or whose number cannot be read is rejected with its
line; the other rows are imported. Times: ``dd/mm/yyyy HH:MM[:SS]`` (Vietnam time) or ISO 8601.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from opencity.errors import ValidationError

from .models import ItemKind, Source
from .services import REJECTED, items_ingest, observations_ingest
from .services.ingest import LOCAL_TZ


class AdapterError(ValidationError):
    """The file as a whole cannot be read (wrong header, not UTF-8): nothing is stored."""

    code = "bad_file"


@dataclass
class LineResult:
    """One row of the file that was not stored, or one row's outcome."""

    line: int
    status: str
    code: str = ""
    message: str = ""
    ref: str = ""  # the datastream or the item's id


@dataclass
class Parsed:
    """What an adapter read: ``rows`` for ``target`` (``observations`` or ``items``) and the line
    of each; ``rejected``: rows refused while reading (bad date, bad number)."""

    target: str
    rows: list[dict] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    rejected: list[LineResult] = field(default_factory=list)

    def add(self, line: int, row: dict) -> None:
        self.rows.append(row)
        self.lines.append(line)

    def reject(self, line: int, code: str, message: str, ref: str = "") -> None:
        self.rejected.append(LineResult(line, REJECTED, code, message, ref))


@dataclass
class ImportReport:
    """``created``/``duplicate``: readings or items; ``rejected``: one entry per refused line
    and reason (a reservoir report's line holds up to three readings)."""

    kind: str
    created: int = 0
    duplicate: int = 0
    rejected: list[LineResult] = field(default_factory=list)
    events: list[int] = field(default_factory=list)

    def summary(self) -> dict:
        return {"created": self.created, "duplicate": self.duplicate, "rejected": len(self.rejected)}


class RowError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


# --- reading the file ----------------------------------------------------------------------------


def normalise_header(text: str) -> str:
    """ "Mực nước hồ (m)" → "muc_nuoc_ho"; "Lưu lượng đến (m³/s)" → "luu_luong_den"."""
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", str(text)).replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def slug(text: str) -> str:
    return normalise_header(text).replace("_", "-")


# Each adapter's columns: name → (the headers that mean it, required).
COLUMNS: dict[str, dict[str, tuple[tuple[str, ...], bool]]] = {
    "camera-violations": {
        "id": (("ma_vi_pham", "ma", "so_vi_pham", "id", "violation_id"), True),
        "time": (("thoi_gian", "thoi_diem", "ngay_gio", "time", "datetime", "timestamp"), True),
        "camera": (("camera", "ma_camera", "camera_code", "camera_id"), True),
        "plate": (("bien_so", "bien_so_xe", "bien_kiem_soat", "plate", "licence_plate", "license_plate"), True),
        "violation": (("loi_vi_pham", "hanh_vi_vi_pham", "loi", "violation", "violation_type"), True),
        "notice": (("da_gui_thong_bao", "gui_thong_bao", "thong_bao", "notice_sent", "notified"), False),
    },
    "reservoir-operations": {
        "time": (("thoi_gian", "thoi_diem", "ngay_gio", "time", "datetime", "timestamp"), True),
        "reservoir": (("ho_chua", "ho", "ten_ho", "ma_ho", "reservoir", "reservoir_code"), True),
        "level": (("muc_nuoc_ho", "muc_nuoc", "mnh", "level", "level_m", "water_level"), True),
        "inflow": (("luu_luong_den_ho", "luu_luong_den", "q_den", "inflow", "inflow_m3s", "q_in"), True),
        "discharge": (("luu_luong_xa", "tong_luu_luong_xa", "q_xa", "discharge", "discharge_m3s", "outflow",
                       "q_out"), True),
    },
    "vessel-positions": {
        "id": (("ma", "ma_ban_tin", "id", "message_id"), False),
        "registration": (("so_dang_ky", "so_hieu_tau", "tau", "registration", "vessel", "vessel_id"), True),
        "time": (("thoi_gian", "thoi_diem", "ngay_gio", "time", "datetime", "timestamp"), True),
        "lat": (("vi_do", "lat", "latitude"), True),
        "lon": (("kinh_do", "lon", "lng", "longitude"), True),
        "speed": (("toc_do", "van_toc", "speed", "speed_kn", "sog"), False),
        "course": (("huong", "huong_di", "course", "cog"), False),
    },
}


def _columns(kind: str, header: list[str]) -> dict[str, int]:
    """Where each column of ``kind`` is in ``header``; AdapterError naming the missing ones."""
    wanted = COLUMNS[kind]
    names = [normalise_header(h) for h in header]
    found: dict[str, int] = {}
    for column, (aliases, _required) in wanted.items():
        for position, name in enumerate(names):
            if name in aliases:
                found[column] = position
                break
    missing = [aliases[0] for column, (aliases, required) in wanted.items() if required and column not in found]
    if missing:
        raise AdapterError(_("This file is not a %(kind)s file: the header lacks %(missing)s (it has: "
                             "%(header)s).") % {"kind": kind, "missing": ", ".join(missing),
                                                "header": ", ".join(h.strip() for h in header)[:300] or "-"})
    return found


def _text(raw: bytes | str) -> str:
    if isinstance(raw, str):
        return raw.lstrip("\ufeff")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AdapterError(_("The file must be UTF-8 text (in Excel: Save As, CSV UTF-8).")) from None


def _csv_records(kind: str, text: str):
    """(line, {column: text}) of each data row of a CSV (delimiter , ; or tab)."""
    sample = text[:4096]
    try:
        delimiter = csv.Sniffer().sniff(sample.splitlines()[0] if sample else "", delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise AdapterError(_("The file is empty."))
    columns = _columns(kind, header)
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        record = {column: (cells[i].strip() if i < len(cells) else "") for column, i in columns.items()}
        yield reader.line_num, record


def _jsonl_records(kind: str, text: str, parsed: Parsed):
    """(line, {column: value}) of each line of JSON lines; a line that is not a JSON object is
    rejected; the first object's keys must name the required columns."""
    columns_checked = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            parsed.reject(number, "malformed", _("Line %(line)s is not valid JSON.") % {"line": number})
            continue
        if not isinstance(obj, dict):
            parsed.reject(number, "malformed", _("Line %(line)s is not a JSON object.") % {"line": number})
            continue
        try:
            positions = _columns(kind, list(obj))
        except AdapterError as error:
            if not columns_checked:  # the first object stands for the header
                raise
            parsed.reject(number, "missing_value", error.message)
            continue
        columns_checked = True
        values = list(obj.values())
        yield number, {column: values[i] for column, i in positions.items()}


# --- reading values ------------------------------------------------------------------------------

DATE_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%d/%m/%Y %Hh%M",
                "%d/%m/%Y %Hh")


def parse_when(raw: Any) -> dt.datetime:
    """``dd/mm/yyyy HH:MM[:SS]`` (Vietnam time) or ISO 8601 (without an offset: Vietnam time)."""
    text = str(raw or "").strip()
    if not text:
        raise RowError("invalid_time", _("The time is missing."))
    when = None
    if re.match(r"^\d{4}-\d{2}-\d{2}", text):
        try:
            when = parse_datetime(text.replace(" ", "T", 1))
        except ValueError:
            when = None
    else:
        for fmt in DATE_FORMATS:
            try:
                when = dt.datetime.strptime(" ".join(text.split()), fmt)
                break
            except ValueError:
                continue
    if when is None or not 1900 <= when.year <= 2200:
        raise RowError("invalid_time", _("%(text)s is not a date and time that exists, as dd/mm/yyyy HH:MM or "
                                         "ISO 8601.") % {"text": text[:40]})
    return when.replace(tzinfo=LOCAL_TZ) if when.tzinfo is None else when


def parse_float(raw: Any, label: str, *, required: bool = True) -> float | None:
    """A number as people type it ("85,3" too); None for an empty optional cell."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        value = float(raw)
    else:
        text = str(raw if raw is not None else "").strip().replace(" ", "")
        if not text:
            if required:
                raise RowError("missing_value", _("%(column)s is missing.") % {"column": label})
            return None
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            raise RowError("invalid_value", _("%(column)s is not a number: %(text)s.") % {
                "column": label, "text": text[:30]}) from None
    if not math.isfinite(value):
        raise RowError("invalid_value", _("%(column)s is not a number.") % {"column": label})
    return value


YES = {"co", "yes", "y", "x", "1", "true", "da_gui", "roi", "da"}
NO = {"khong", "no", "n", "0", "false", "chua", "chua_gui", ""}


def parse_yes_no(raw: Any, label: str) -> bool:
    if isinstance(raw, bool):
        return raw
    text = normalise_header(str(raw if raw is not None else ""))
    if text in YES:
        return True
    if text in NO:
        return False
    raise RowError("invalid_value", _("%(column)s must be yes or no (có/không).") % {"column": label})


def _required_text(raw: Any, label: str, limit: int) -> str:
    text = str(raw if raw is not None else "").strip()
    if not text:
        raise RowError("missing_value", _("%(column)s is missing.") % {"column": label})
    if len(text) > limit:
        raise RowError("invalid_value", _("%(column)s is too long (at most %(n)s characters).") % {
            "column": label, "n": limit})
    return text


# --- the adapters --------------------------------------------------------------------------------


def camera_violations(text: str) -> Parsed:
    parsed = Parsed("items")
    for line, rec in _csv_records("camera-violations", text):
        try:
            ident = _required_text(rec["id"], _("Violation id"), 120)
            when = parse_when(rec["time"])
            camera = slug(_required_text(rec["camera"], _("Camera"), 40))
            plate = _required_text(rec["plate"], _("Plate"), 20)
            violation = _required_text(rec["violation"], _("Violation"), 200)
            notice = parse_yes_no(rec.get("notice", ""), _("Notice sent"))
        except RowError as error:
            parsed.reject(line, error.code, error.message, str(rec.get("id", ""))[:40])
            continue
        parsed.add(line, {"kind": ItemKind.CAMERA_VIOLATION.value, "id": ident, "station": camera, "time": when,
                          "subject": plate, "payload": {"plate": plate, "violation": violation,
                                                        "notice_sent": notice}})
    return parsed


RESERVOIR_STREAMS = (("level", "h", "m"), ("inflow", "q-in", "m³/s"), ("discharge", "q-out", "m³/s"))


def reservoir_code(name: str) -> str:
    """"Hồ Bình Điền" / "Bình Điền" / "binh-dien" → "binh-dien"."""
    code = slug(name)
    return code[3:] if code.startswith("ho-") else code


def reservoir_operations(text: str) -> Parsed:
    parsed = Parsed("observations")
    labels = {"level": _("Reservoir level"), "inflow": _("Inflow"), "discharge": _("Discharge")}
    for line, rec in _csv_records("reservoir-operations", text):
        try:
            code = reservoir_code(_required_text(rec["reservoir"], _("Reservoir"), 80))
            when = parse_when(rec["time"])
            numbers = {col: parse_float(rec[col], labels[col], required=False) for col, _s, _u in RESERVOIR_STREAMS}
            if all(v is None for v in numbers.values()):
                raise RowError("missing_value", _("The row holds no level, inflow or discharge."))
        except RowError as error:
            parsed.reject(line, error.code, error.message, str(rec.get("reservoir", ""))[:40])
            continue
        for column, suffix, unit in RESERVOIR_STREAMS:
            if numbers[column] is not None:
                parsed.add(line, {"datastream": f"{code}-{suffix}", "time": when, "value": numbers[column],
                                  "unit": unit})
    return parsed


def vessel_station(registration: str) -> str:
    return f"vessel-{slug(registration)}"


def vessel_positions(text: str) -> Parsed:
    parsed = Parsed("items")
    first = text.lstrip()[:1]
    records = (_jsonl_records("vessel-positions", text, parsed) if first == "{"
               else _csv_records("vessel-positions", text))
    for line, rec in records:
        try:
            registration = _required_text(rec["registration"], _("Registration"), 40)
            when = parse_when(rec["time"])
            lat = parse_float(rec["lat"], _("Latitude"))
            lon = parse_float(rec["lon"], _("Longitude"))
            speed = parse_float(rec.get("speed"), _("Speed"), required=False)
            course = parse_float(rec.get("course"), _("Course"), required=False)
            ident = str(rec.get("id") or "").strip() or f"{slug(registration)}@{when.astimezone(dt.UTC):%Y%m%dT%H%M%S}"
        except RowError as error:
            parsed.reject(line, error.code, error.message, str(rec.get("registration", ""))[:40])
            continue
        payload: dict[str, Any] = {"registration": registration}
        if speed is not None:
            payload["speed_kn"] = speed
        if course is not None:
            payload["course"] = course
        parsed.add(line, {"kind": ItemKind.VESSEL_POSITION.value, "id": ident[:120],
                          "station": vessel_station(registration), "time": when, "subject": registration,
                          "lat": lat, "lon": lon, "payload": payload})
    return parsed


ADAPTERS: dict[str, Callable[[str], Parsed]] = {
    "camera-violations": camera_violations,
    "reservoir-operations": reservoir_operations,
    "vessel-positions": vessel_positions,
}


def parse(kind: str, raw: bytes | str) -> Parsed:
    """Read a file with the adapter of ``kind`` (no database); AdapterError for the whole file."""
    if kind not in ADAPTERS:
        raise AdapterError(_("Unknown kind of file %(kind)s; one of: %(kinds)s.") % {
            "kind": kind, "kinds": ", ".join(ADAPTERS)})
    return ADAPTERS[kind](_text(raw))


def import_file(*, kind: str, raw: bytes | str, source: Source) -> ImportReport:
    """Read and ingest one file as ``source`` (its own stations only). Rows refused while
    reading and by ingest come back with their line, in line order."""
    parsed = parse(kind, raw)
    report = ImportReport(kind=kind, rejected=list(parsed.rejected))
    if parsed.rows:
        if parsed.target == "observations":
            result = observations_ingest(rows=parsed.rows, source=source)
        else:
            result = items_ingest(rows=parsed.rows, source=source)
        report.events = result.events
        for row in result.rows:
            if row.status == REJECTED:
                ref = row.datastream or str(parsed.rows[row.index].get("id", ""))
                report.rejected.append(LineResult(parsed.lines[row.index], REJECTED, row.code, row.message, ref))
        summary = result.summary()
        report.created, report.duplicate = summary["created"], summary["duplicate"]
    report.rejected = _by_line(report.rejected)
    return report


def _by_line(rejected: list[LineResult]) -> list[LineResult]:
    """One entry per line and reason, in line order: a reservoir's line refused for an unknown
    reservoir is one rejection naming its datastreams, not three."""
    merged: dict[tuple[int, str, str], LineResult] = {}
    for row in sorted(rejected, key=lambda r: r.line):
        key = (row.line, row.code, row.message)
        if key in merged:
            if row.ref and row.ref not in merged[key].ref.split(", "):
                merged[key].ref = f"{merged[key].ref}, {row.ref}" if merged[key].ref else row.ref
        else:
            merged[key] = LineResult(row.line, row.status, row.code, row.message, row.ref)
    return list(merged.values())
