"""Import dossiers from the one-stop system: rows named as the national public-service portal
names them (``MaHoSo``, ``MaTTHC``, ``TenTTHC``, ``ChuHoSo``, ``SoDienThoai``, ``NgayTiepNhan``,
``NgayHenTra``, ``NgayKetThucXuLy``, ``TrangThaiHoSo``, ``DonViXuLy``, ``PhuongXa``; and
``NgayCapNhat``, the time the source gives for the row's status).

What must hold:

- Idempotent on ``MaHoSo``: a row equal to what is stored changes nothing; a new status is one
  step in the dossier's history (``workflow.DOSSIER``), seen now, with the source's time.
- A row is imported whole or not at all: every check runs before anything is written, and each
  changed dossier is written in its own savepoint. A refused row is a :class:`RowError` (its
  line number, and the reason in Vietnamese and in English); the other rows are imported.
- ``DonViXuLy`` must name one of the city's units, by its code or an alias (``AgencyAlias``):
  an unknown agency is refused, never created.
- Dossiers not seen before are written in bulk (the demo imports thousands in seconds).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from opencity.errors import ValidationError
from opencity.geo.models import Area
from opencity.lib.phone import normalize_phone
from opencity.lib.worktime import TZ
from opencity.orgs.models import Unit

from ..models import AgencyAlias, Dossier, DossierStep, ImportRun, RunStatus
from ..statuses import DONE, Status
from ..workflow import DOSSIER, status_action

FIELDS = ("MaHoSo", "MaTTHC", "TenTTHC", "ChuHoSo", "SoDienThoai", "NgayTiepNhan", "NgayHenTra",
          "NgayKetThucXuLy", "TrangThaiHoSo", "DonViXuLy", "PhuongXa", "NgayCapNhat")
REQUIRED = ("MaHoSo", "TenTTHC", "NgayTiepNhan", "TrangThaiHoSo", "DonViXuLy")
MAX_ERRORS_KEPT = 500
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-_]{2,59}$")
_FORMATS = ("%Y%m%d%H%M%S", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d")


def _both(message, values: dict | None = None) -> dict[str, str]:
    out = {}
    for language in ("vi", "en"):
        with translation.override(language):
            out[language] = str(message) % values if values else str(message)
    return out


@dataclass(frozen=True)
class RowError:
    line: int
    code: str  # the MaHoSo, when the row had one
    vi: str
    en: str

    def as_dict(self) -> dict:
        return {"line": self.line, "code": self.code, "vi": self.vi, "en": self.en}


@dataclass
class ImportResult:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.created + self.changed + self.unchanged + len(self.errors)


class _RowRefused(Exception):
    """A refused row: the (lazy) message and its values, rendered later in Vietnamese and English."""

    def __init__(self, message, **values):
        super().__init__(str(message))
        self.message, self.values = message, values


def parse_moment(raw: str, *, name: str) -> dt.datetime | None:
    """A time in one of the formats one-stop exports use (the portal's ``yyyyMMddHHmmss``,
    dd/mm/yyyy with or without the time, ISO 8601); naive times are Huế time."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        moment = None
        for fmt in _FORMATS:
            try:
                moment = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if moment is None:
        raise _RowRefused(_("%(field)s “%(value)s” is not a date (dd/mm/yyyy or yyyyMMddHHmmss)."),
                          field=name, value=text[:40])
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=TZ)
    return moment


@dataclass
class _Parsed:
    line: int
    code: str
    fields: dict
    status: str
    given_at: dt.datetime | None


class _Lookup:
    """The city's units by code and alias, and its wards by code and name, read once."""

    def __init__(self) -> None:
        self.units = {u.code.lower(): u.pk for u in Unit.objects.only("pk", "code")}
        self.unit_areas = dict(Unit.objects.filter(level="ward").values_list("pk", "area_id"))
        self.aliases = {a.alias.strip().lower(): a.unit_id for a in AgencyAlias.objects.only("alias", "unit_id")}
        self.areas = {}
        for pk, code, name in Area.objects.exclude(kind="city").values_list("pk", "code", "name"):
            self.areas[code.lower()] = pk
            self.areas[name.strip().lower()] = pk

    def unit(self, text: str) -> int:
        key = text.strip().lower()
        unit_id = self.units.get(key) or self.aliases.get(key)
        if unit_id is None:
            raise _RowRefused(_("DonViXuLy “%(value)s” is not one of the city's units (neither a unit code nor an "
                                "alias)."), value=text[:80])
        return unit_id

    def area(self, text: str, unit_id: int) -> int | None:
        key = text.strip().lower()
        if not key:
            return self.unit_areas.get(unit_id)
        area_id = self.areas.get(key)
        if area_id is None:
            raise _RowRefused(_("PhuongXa “%(value)s” is not a ward or commune of the city."), value=text[:80])
        return area_id


def _parse(line: int, row: dict, lookup: _Lookup) -> _Parsed:
    def get(name: str) -> str:
        return str(row.get(name) or "").strip()

    code = get("MaHoSo")
    if not _CODE.match(code):
        raise _RowRefused(_("MaHoSo “%(value)s” is missing or not a dossier code."), value=code[:60])
    for name in ("TenTTHC", "TrangThaiHoSo", "DonViXuLy", "NgayTiepNhan"):
        if not get(name):
            raise _RowRefused(_("%(field)s is empty."), field=name)
    status = get("TrangThaiHoSo").lstrip("0") or "0"
    if status not in Status.values:
        raise _RowRefused(_("TrangThaiHoSo “%(value)s” is not a known status code (1 to 10)."),
                          value=get("TrangThaiHoSo")[:20])
    received = parse_moment(get("NgayTiepNhan"), name="NgayTiepNhan")
    due = parse_moment(get("NgayHenTra"), name="NgayHenTra")
    finished = parse_moment(get("NgayKetThucXuLy"), name="NgayKetThucXuLy")
    given = parse_moment(get("NgayCapNhat"), name="NgayCapNhat")
    if due is not None and due < received:
        raise _RowRefused(_("NgayHenTra is before NgayTiepNhan."))
    if finished is not None and finished < received:
        raise _RowRefused(_("NgayKetThucXuLy is before NgayTiepNhan."))
    if status in DONE and finished is None:
        raise _RowRefused(_("A processed dossier (status 9 or 10) needs NgayKetThucXuLy."))
    phone = ""
    if get("SoDienThoai"):
        try:
            phone = normalize_phone(get("SoDienThoai"))
        except ValidationError:
            raise _RowRefused(_("SoDienThoai “%(value)s” is not a Vietnamese phone number."),
                              value=get("SoDienThoai")[:20]) from None
    unit_id = lookup.unit(get("DonViXuLy"))
    area_id = lookup.area(get("PhuongXa"), unit_id)
    if given is None:
        given = finished if status == Status.DONE else (received if status in (Status.REGISTERED, Status.RECEIVED) else None)
    fields = {
        "procedure_code": get("MaTTHC")[:60], "procedure_name": get("TenTTHC")[:300],
        "owner_name": get("ChuHoSo")[:200], "owner_phone": phone, "unit_id": unit_id, "area_id": area_id,
        "received_at": received, "due_at": due, "finished_at": finished,
    }
    return _Parsed(line, code, fields, status, given)


def _error(line: int, code: str, message, values: dict | None = None) -> RowError:
    texts = _both(message, values)
    return RowError(line, code, texts["vi"], texts["en"])


def _create_new(parsed: list[_Parsed], *, seen_at: dt.datetime) -> int:
    """Dossiers not seen before, in bulk: each with the first step of its history."""
    if not parsed:
        return 0
    dossiers = [Dossier(code=p.code, status=p.status, version=1, updated_at=seen_at, **p.fields) for p in parsed]
    Dossier.objects.bulk_create(dossiers, batch_size=500)
    if any(d.pk is None for d in dossiers):  # databases that do not return ids (none we support)
        ids = dict(Dossier.objects.filter(code__in=[d.code for d in dossiers]).values_list("code", "pk"))
        for d in dossiers:
            d.pk = ids[d.code]
    DossierStep.objects.bulk_create([
        DossierStep(dossier_id=d.pk, action=status_action(p.status), from_status="", to_status=p.status,
                    created_at=seen_at, given_at=p.given_at, is_public=True)
        for d, p in zip(dossiers, parsed, strict=True)
    ], batch_size=500)
    return len(dossiers)


def _apply_existing(dossier: Dossier, p: _Parsed, *, actor, seen_at: dt.datetime) -> bool:
    """Write what changed in one savepoint; True when something did."""
    changes = {k: v for k, v in p.fields.items() if getattr(dossier, k) != v}
    if p.status == dossier.status and not changes:
        return False
    if dossier.overdue_at is not None and "due_at" in changes and (changes["due_at"] is None
                                                                   or changes["due_at"] > seen_at):
        changes["overdue_at"] = None  # a later due date: announced again if that one passes too
    with transaction.atomic():
        if p.status != dossier.status:
            old = dossier.status
            DOSSIER.apply(dossier, status_action(p.status), actor=actor, changes=changes, given_at=p.given_at)
            from .follow import tell_followers

            tell_followers(dossier, old_status=old)
        else:
            Dossier.objects.filter(pk=dossier.pk).update(**changes, version=F("version") + 1, updated_at=seen_at)
    return True


@transaction.atomic
def dossiers_import(*, rows: Iterable[tuple[int, dict]], actor=None, run: ImportRun | None = None,
                    seen_at: dt.datetime | None = None) -> ImportResult:
    """Import ``rows`` (line number, fields by the portal's names). Returns what it did; refused
    rows are in ``errors``. With ``run``, its counts and errors are recorded on it."""
    seen_at = seen_at or timezone.now()
    lookup = _Lookup()
    result = ImportResult()
    parsed: list[_Parsed] = []
    for line, row in rows:
        try:
            parsed.append(_parse(line, row, lookup))
        except _RowRefused as exc:
            result.errors.append(_error(line, str(row.get("MaHoSo") or "").strip()[:60], exc.message, exc.values))
    codes = {p.code for p in parsed}
    existing: dict[str, Dossier] = {}
    code_list = list(codes)
    for i in range(0, len(code_list), 500):
        for d in Dossier.objects.filter(code__in=code_list[i:i + 500]):
            existing[d.code] = d
    new, later, first_seen = [], [], set()
    for p in parsed:
        if p.code in existing or p.code in first_seen:
            later.append(p)  # known, or a second row of the same dossier in this file: in order
        else:
            first_seen.add(p.code)
            new.append(p)
    try:
        with transaction.atomic():
            result.created = _create_new(new, seen_at=seen_at)
    except IntegrityError:  # another import created some of them meanwhile: one by one
        later = new + later
        new = []
    for p in later:
        dossier = existing.get(p.code) or Dossier.objects.filter(code=p.code).first()
        if dossier is None:
            with transaction.atomic():
                result.created += _create_new([p], seen_at=seen_at)
            continue
        existing[p.code] = dossier
        try:
            if _apply_existing(dossier, p, actor=actor, seen_at=seen_at):
                result.changed += 1
            else:
                result.unchanged += 1
        except ValidationError as exc:
            result.errors.append(_error(p.line, p.code, exc.message))
        dossier.refresh_from_db()
    result.errors.sort(key=lambda e: e.line)
    if run is not None:
        run.created, run.changed, run.unchanged = result.created, result.changed, result.unchanged
        run.errors = [e.as_dict() for e in result.errors[:MAX_ERRORS_KEPT]]
        run.status = RunStatus.DONE
        run.finished_at = timezone.now()
        run.full_clean(exclude=["actor"])
        run.save()
    return result


def new_run(**fields) -> ImportRun:
    """Record the start of an import (a CSV file or a pull)."""
    run = ImportRun(**fields)
    run.full_clean(exclude=["actor"])
    run.save()
    return run


def read_csv(data: bytes) -> list[tuple[int, dict]]:
    """The rows of a CSV export (UTF-8, with or without BOM; comma or semicolon) with their line
    numbers; a file without the required columns is refused whole (ValidationError)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("The file is not UTF-8 text (save the export as CSV UTF-8)."), field="file") from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ValidationError(
            _("The file's header lacks the columns %(missing)s: the first line must name the columns as the national "
              "public-service portal does (%(required)s).") % {"missing": ", ".join(missing),
                                                               "required": ", ".join(REQUIRED)},
            field="file")
    reader.fieldnames = header
    rows = []
    for row in reader:
        rows.append((reader.line_num, {k: v for k, v in row.items() if k}))
    return rows


def dossiers_import_csv(*, data: bytes, name: str = "", actor=None) -> tuple[ImportRun, ImportResult]:
    """Import a CSV export: the run is recorded (staff see it on the import page)."""
    from ..models import RunKind

    rows = read_csv(data)
    with transaction.atomic():
        run = new_run(kind=RunKind.CSV, name=name[:200],
                      actor=actor if getattr(actor, "is_authenticated", False) else None)
        result = dossiers_import(rows=rows, actor=actor, run=run)
    return run, result
