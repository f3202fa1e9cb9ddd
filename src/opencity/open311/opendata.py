"""Open data: the public reports as CSV and GeoJSON, under the Creative Commons Attribution 4.0
licence (``docs/open-data.md``).

Both exports stream: rows are read from the database in chunks and written as they come, so
an export of 200,000 reports never sits in memory. Only the columns of ``COLUMNS`` leave —
never the reporter's name, phone, e-mail, account or citizen ID, the original text of a
moderated report, nor the answers to the category's questions that are not marked public
(``policy.can_view_answer``).

They read from the read replica when one is configured (``lib.dbrouter.read_from_replica``),
streamed rows included.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_safe

from opencity import policy
from opencity.errors import ValidationError
from opencity.geo.models import Area
from opencity.lib.api import error_body
from opencity.lib.concurrency import at_most
from opencity.lib.dbrouter import read_from_replica
from opencity.lib.urls import site_url
from opencity.reports import selectors as report_selectors
from opencity.reports.models import Category, Report, Status

from . import selectors
from .serializers import w3c
from .views import clean

LICENSE = "CC-BY-4.0"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
CHUNK_ROWS = 500

# name → (datatype, description). The allow-list: a test checks every export against it.
COLUMNS: dict[str, tuple[str, str]] = {
    "id": ("integer", "The report's number; its page is /reports/<id>/."),
    "ref": ("string", "The reference people quote, e.g. PA000123."),
    "category_code": ("string", "The category's code (the Open311 service_code)."),
    "category_name": ("string", "The category's Vietnamese name."),
    "status": ("string", "new, assigned, in_progress, resolved, closed, rejected or merged."),
    "ward_code": ("string", "The official code of the ward or commune (2025 units)."),
    "ward_name": ("string", "The ward's or commune's name."),
    "lat": ("number", "Latitude, WGS84."),
    "lon": ("number", "Longitude, WGS84."),
    "created_at": ("datetime", "When the report was submitted (ISO 8601, +07:00)."),
    "assigned_at": ("datetime", "When it was verified and sent to a unit (empty if not yet)."),
    "resolved_at": ("datetime", "When the unit published its result (empty if not yet)."),
    "closed_at": ("datetime", "When it was closed after the rating window (empty if not yet)."),
    "unit_name": ("string", "The unit in charge (empty until routed)."),
    "on_time": ("boolean", "Resolved by its deadline: true or false; empty if not resolved."),
    "rating": ("integer", "The reporter's rating of the result, 1 to 5 (empty if none)."),
    "description": ("string", "The public text of the report, as moderated by the city."),
    "answers": ("string", "Answers to the category's questions marked public, as a JSON object "
                          "keyed by the question's code (see the Open311 service definition); "
                          "empty when there are none."),
}


def download_name(extension: str) -> str:
    """The export's file name in the reader's language, with the day it was taken:
    ``phan-anh-2026-12-04.csv`` in Vietnamese, ``reports-2026-12-04.csv`` in English (ASCII, so
    every browser keeps it as it is)."""
    return f"{pgettext('file name', 'reports')}-{timezone.localdate():%Y-%m-%d}.{extension}"


@require_safe
@read_from_replica
def index(request: HttpRequest) -> HttpResponse:
    """``/open-data/``: every dataset we publish, its formats, licence and freshness, and the
    APIs (Open311 GeoReport v2, the REST API) for programs."""
    from opencity.alerts.models import Message

    latest_report = (
        Report.objects.filter(policy.listed_report_q()).order_by("-pk").values_list("created_at", flat=True).first()
    )
    latest_warning = Message.objects.order_by("-sent").values_list("sent", flat=True).first()
    return render(request, "open311/open_data.html", {
        "license": LICENSE,
        "license_url": LICENSE_URL,
        "latest_report": latest_report,
        "latest_warning": latest_warning,
        "columns": [(name, datatype) for name, (datatype, _description) in COLUMNS.items()],
        "example_ward": Area.objects.filter(parent__code=settings.OPENCITY_CITY_CODE)
        .order_by("code").values_list("code", flat=True).first(),
    })


def _error(message: str, field: str) -> JsonResponse:
    return JsonResponse(
        error_body("invalid", message, field), status=400, json_dumps_params={"ensure_ascii": False}
    )


def _date(value: str, field: str) -> dt.date:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            parsed = dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        if 1900 <= parsed.year <= 2999:
            return parsed
    raise ValidationError(_("A date as dd/mm/yyyy or yyyy-mm-dd, please."), field=field)


def filters_from(request: HttpRequest) -> selectors.ExportFilters:
    """The query: ``from``/``to`` (dates, inclusive), ``category`` (code), ``ward`` (official
    code), ``status`` (our statuses, comma-separated). Empty parameters are ignored."""
    get = {k: v[:200] for k, v in ((k, clean(v, k)) for k, v in request.GET.items()) if v}
    f = selectors.ExportFilters()
    if "from" in get:
        f.date_from = _date(get["from"], "from")
    if "to" in get:
        f.date_to = _date(get["to"], "to")
    if f.date_from and f.date_to and f.date_to < f.date_from:
        raise ValidationError(_("“to” is before “from”."), field="to")
    if "category" in get:
        if not Category.objects.filter(code=get["category"]).exists():
            raise ValidationError(_("There is no category with this code."), field="category")
        f.category = get["category"]
    if "ward" in get:
        if not Area.objects.filter(
            code=get["ward"], parent__code=settings.OPENCITY_CITY_CODE
        ).exists():
            raise ValidationError(_("There is no ward or commune with this code."), field="ward")
        f.ward = get["ward"]
    if "status" in get:
        statuses = [s.strip() for s in get["status"].split(",") if s.strip()]
        if any(s not in Status.values for s in statuses):
            raise ValidationError(
                _("status is one or more of: %(values)s.") % {"values": ", ".join(Status.values)},
                field="status",
            )
        f.statuses = statuses
    return f


def _public_answers(questions, answers) -> str | None:
    visible = {q.code: answers[q.code] for q in questions if answers and q.code in answers}
    return json.dumps(visible, ensure_ascii=False, separators=(",", ":")) if visible else None


def _records(filters: selectors.ExportFilters) -> Iterator[dict]:
    public = report_selectors.public_questions()
    for (
        pk,
        category_code,
        category_name,
        status,
        ward_code,
        ward_name,
        lat,
        lon,
        created_at,
        assigned_at,
        resolved_at,
        closed_at,
        due_at,
        unit_name,
        rating,
        description,
        description_public,
        category_id,
        answers,
    ) in selectors.export_rows(filters):
        on_time = None
        if resolved_at is not None and due_at is not None:
            on_time = resolved_at <= due_at
        yield {
            "id": pk,
            "ref": f"PA{pk:06d}",
            "category_code": category_code,
            "category_name": category_name,
            "status": status,
            "ward_code": ward_code,
            "ward_name": ward_name,
            "lat": lat,
            "lon": lon,
            "created_at": w3c(created_at),
            "assigned_at": w3c(assigned_at),
            "resolved_at": w3c(resolved_at),
            "closed_at": w3c(closed_at),
            "unit_name": unit_name,
            "on_time": on_time,
            "rating": rating,
            "description": description_public or description,
            "answers": _public_answers(public.get(category_id, ()), answers),
        }


def _chunks(lines: Iterable[str]) -> Iterator[str]:
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= CHUNK_ROWS:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


class _Echo:
    """A file-like object for csv.writer that hands each written row back."""

    def write(self, value: str) -> str:
        return value


def _csv_value(value):
    """Empty for null, true/false, and text that a spreadsheet would run as a formula
    (=, +, -, @ first) behind an apostrophe (the OWASP advice on CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv_lines(filters: selectors.ExportFilters) -> Iterator[str]:
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield writer.writerow(list(COLUMNS))
    for record in _records(filters):
        yield writer.writerow([_csv_value(record[name]) for name in COLUMNS])


def _links(request: HttpRequest) -> str:
    metadata = request.build_absolute_uri(reverse("opendata:reports_csv_metadata"))
    return f'<{LICENSE_URL}>; rel="license", <{metadata}>; rel="describedby"; type="application/csvm+json"'


@require_safe
@at_most("open-data-export", setting="OPENCITY_EXPORTS_AT_ONCE")  # ~15 s of a core at 100,000 reports
@read_from_replica
def reports_csv(request: HttpRequest) -> HttpResponse:
    try:
        filters = filters_from(request)
    except ValidationError as exc:
        return _error(exc.message, exc.field)
    response = StreamingHttpResponse(
        _chunks(_csv_lines(filters)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{download_name("csv")}"'
    response["Link"] = _links(request)
    return response


def _metadata(request: HttpRequest, filters: selectors.ExportFilters) -> dict:
    return {
        "title": _("%(site)s: public field reports") % {"site": settings.SITE_NAME},
        "publisher": settings.SITE_NAME,
        "source": site_url(request),
        "license": LICENSE,
        "license_url": LICENSE_URL,
        "attribution": f"© {settings.SITE_NAME}, {LICENSE}",
        "generated_at": w3c(timezone.now()),
        "filters": {
            "from": filters.date_from.isoformat() if filters.date_from else None,
            "to": filters.date_to.isoformat() if filters.date_to else None,
            "category": filters.category or None,
            "ward": filters.ward or None,
            "status": filters.statuses or None,
        },
        "fields": {
            name: description
            for name, (_type, description) in COLUMNS.items()
            if name not in ("lat", "lon")
        },
    }


def _geojson_parts(request: HttpRequest, filters: selectors.ExportFilters) -> Iterator[str]:
    head = {"type": "FeatureCollection", "metadata": _metadata(request, filters)}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "features": ['
    first = True
    for record in _records(filters):
        properties = {k: v for k, v in record.items() if k not in ("lat", "lon")}
        feature = {
            "type": "Feature",
            "id": record["id"],
            "geometry": {"type": "Point", "coordinates": [record["lon"], record["lat"]]},
            "properties": properties,
        }
        yield ("" if first else ",\n") + json.dumps(feature, ensure_ascii=False)
        first = False
    yield "]}\n"


@require_safe
@at_most("open-data-export", setting="OPENCITY_EXPORTS_AT_ONCE")
@read_from_replica
def reports_geojson(request: HttpRequest) -> HttpResponse:
    try:
        filters = filters_from(request)
    except ValidationError as exc:
        return _error(exc.message, exc.field)
    response = StreamingHttpResponse(
        _chunks(_geojson_parts(request, filters)),
        content_type="application/geo+json; charset=utf-8",
    )
    response["Content-Disposition"] = f'inline; filename="{download_name("geojson")}"'
    response["Link"] = f'<{LICENSE_URL}>; rel="license"'
    return response


@require_safe
@read_from_replica
def reports_csv_metadata(request: HttpRequest) -> JsonResponse:
    """The CSV's companion (W3C CSV on the Web metadata): licence, publisher and every column."""
    body = {
        "@context": "http://www.w3.org/ns/csvw",
        "url": request.build_absolute_uri(reverse("opendata:reports_csv")),
        "dc:title": _("%(site)s: public field reports") % {"site": settings.SITE_NAME},
        "dc:publisher": settings.SITE_NAME,
        "dc:source": site_url(request),
        "dc:license": {"@id": LICENSE_URL},
        "dialect": {"header": True, "encoding": "utf-8"},
        "tableSchema": {
            "columns": [
                {"name": name, "titles": name, "datatype": datatype, "dc:description": description}
                for name, (datatype, description) in COLUMNS.items()
            ],
            "primaryKey": "id",
        },
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/csvm+json; charset=utf-8"
    return response
