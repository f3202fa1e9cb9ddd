"""GeoReport v2 documents: our objects as Open311 fields, written as XML or JSON.

A document is a root tag and a body. The body is either a :class:`ListOf` (``<services>`` of
``<service>``, ``<service_requests>`` of ``<request>``, ``<errors>`` of ``<error>``), which
JSON writes as a top-level array, or a dict (``<service_definition>``, ``<discovery>``), which
JSON writes as an object — the Spark convention the specification prescribes: the root
element is dropped and repeated children become an array.

XML: ``<?xml version="1.0" encoding="utf-8"?>``, no namespace, no attributes, empty values as
empty elements; JSON: UTF-8, empty values as ``null``. Characters XML 1.0 cannot carry (control
characters a client may have sent) are dropped so the XML is always well-formed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opencity.reports.models import OPEN_STATUSES, QuestionKind, RejectReason, Report, Status

FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"

# Everything outside the XML 1.0 Char production.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

OPEN, CLOSED = "open", "closed"

DATATYPES = {
    QuestionKind.TEXT: "string",
    QuestionKind.NUMBER: "number",
    QuestionKind.DATE: "datetime",
    QuestionKind.SINGLE: "singlevaluelist",
    QuestionKind.MULTIPLE: "multivaluelist",
}


@dataclass
class ListOf:
    """A repeated element: ``<tag>`` once per item in XML, an array in JSON."""

    tag: str
    items: list


# --- writing ---------------------------------------------------------------------------


def w3c(value: dt.datetime | None) -> str | None:
    """A W3C datetime in the city's time zone, with its offset: 2025-05-01T10:00:00+07:00."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return w3c(value) or ""
    return _NOT_XML.sub("", str(value))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xml_value(tag: str, value: Any, out: list[str]) -> None:
    if isinstance(value, ListOf):
        out.append(f"<{tag}>")
        for item in value.items:
            _xml_value(value.tag, item, out)
        out.append(f"</{tag}>")
    elif isinstance(value, dict):
        out.append(f"<{tag}>")
        for key, inner in value.items():
            _xml_value(key, inner, out)
        out.append(f"</{tag}>")
    else:
        text = _text(value)
        out.append(f"<{tag}>{_escape(text)}</{tag}>" if text else f"<{tag}/>")


def to_xml(root: str, body: ListOf | dict) -> str:
    out = [XML_DECLARATION, "\n"]
    _xml_value(root, body, out)
    out.append("\n")
    return "".join(out)


def _json_value(value: Any) -> Any:
    if isinstance(value, ListOf):
        return [_json_value(item) for item in value.items]
    if isinstance(value, dict):
        return {key: _json_value(inner) for key, inner in value.items()}
    if value is None or value == "":
        return None
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, dt.datetime):
        return w3c(value)
    return str(value)


def to_json(body: ListOf | dict) -> str:
    return json.dumps(_json_value(body), ensure_ascii=False)


def render(fmt: str, root: str, body: ListOf | dict, *, status: int = 200) -> HttpResponse:
    content = to_xml(root, body) if fmt == "xml" else to_json(body)
    return HttpResponse(content.encode("utf-8"), content_type=FORMATS[fmt], status=status)


def render_errors(fmt: str, errors: list[tuple[int, str]], *, status: int) -> HttpResponse:
    """``<errors><error><code/><description/></error></errors>`` / ``[{"code", "description"}]``."""
    body = ListOf(
        "error", [{"code": code, "description": description} for code, description in errors]
    )
    return render(fmt, "errors", body, status=status)


# --- services ----------------------------------------------------------------------------


def service(category) -> dict:
    """One ``<service>``. Names are the Vietnamese ones (the city's language); the English
    name is a keyword, so clients can match either."""
    return {
        "service_code": str(category.code),
        "service_name": category.name_vi,
        "description": service_description(category),
        "metadata": bool(category.questions.all()),  # prefetched
        "type": "realtime",
        "keywords": ", ".join(k for k in (category.name_en, category.code) if k),
        "group": category.group,
    }


def service_description(category) -> str:
    with translation.override("vi"):
        return _(
            "%(name)s. Processing deadline: %(hours)d working hours from when a unit receives "
            "the report."
        ) % {"name": category.name_vi, "hours": category.deadline_hours}


def _datatype_description(question) -> str:
    with translation.override("vi"):
        if question.kind == QuestionKind.DATE:
            return _("A date: YYYY-MM-DD (an ISO 8601 datetime is also accepted).")
        if question.kind == QuestionKind.NUMBER:
            return _("A number, e.g. 3 or 2.5.")
        if question.kind == QuestionKind.TEXT:
            return _("Text, at most 500 characters.")
        if question.kind == QuestionKind.MULTIPLE:
            return _("One or more keys from the values, as attribute[code][]=key.")
        return _("One key from the values.")


def service_definition(category) -> dict:
    attributes = []
    for position, q in enumerate(category.questions.all(), start=1):
        attribute = {
            "variable": True,
            "code": q.code,
            "datatype": DATATYPES.get(q.kind, "string"),
            "required": q.required,
            "datatype_description": _datatype_description(q),
            "order": position,  # positive and unique, as the specification requires
            "description": q.label_vi,
        }
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            attribute["values"] = ListOf(
                "value", [{"key": str(c["key"]), "name": str(c.get("vi") or c["key"])} for c in q.choices]
            )
        attributes.append(attribute)
    return {"service_code": str(category.code), "attributes": ListOf("attribute", attributes)}


# --- service requests ----------------------------------------------------------------------


def open311_status(status: str) -> str:
    return OPEN if status in OPEN_STATUSES else CLOSED


def status_notes(report: Report) -> str:
    """Our detailed state in Vietnamese, with the public result or reason."""
    with translation.override("vi"):
        label = str(Status(report.status).label)
        parts = [label]
        if report.status == Status.ASSIGNED and report.unit_id:
            parts = [f"{label}: {report.unit.name}"]
        elif report.status in (Status.RESOLVED, Status.CLOSED) and report.result_text:
            parts.append(f"{_('Result')}: {report.result_text}")
        elif report.status == Status.REJECTED:
            reason = report.status_note or (
                str(RejectReason(report.reject_reason).label) if report.reject_reason else ""
            )
            parts = [f"{label}: {reason}" if reason else label]
        elif report.status == Status.MERGED and report.merged_into_id:
            parts = [f"{_('Merged into another report')}: PA{report.merged_into_id:06d}"]
        if report.status_note and report.status != Status.REJECTED:
            parts.append(report.status_note)
    return ". ".join(p.rstrip(". ") for p in parts if p)


def updated_datetime(report: Report) -> dt.datetime:
    """The last change; for a closed request, when it was closed (as the specification says):
    for us, when its result was published."""
    if report.status in (Status.RESOLVED, Status.CLOSED) and report.resolved_at:
        return report.resolved_at
    return report.updated_at


def _answer_text(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def extended_attributes(report: Report) -> dict:
    """The GeoReport v2 extensions' ``extended_attributes`` (sent with ``extensions=true``): the
    answers to the category's questions that everyone may see (``policy.can_view_answer`` for
    an anonymous reader: questions marked public only), as the service definition names them."""
    from opencity.reports.selectors import answered_questions

    attributes = [
        {"code": q.code, "description": q.label_vi, "value": _answer_text(report.answers[q.code])}
        for q in answered_questions(user=None, report=report)
    ]
    return {"attributes": ListOf("attribute", attributes)}


def service_request(report: Report, *, request, extensions: bool = False) -> dict:
    """One ``<request>``: public fields only — never the reporter's name, phone, nor answers to
    questions that are not marked public (those only with ``extensions``)."""
    photos = list(report.public_report_photos) if hasattr(report, "public_report_photos") else []
    media_url = None
    if photos:
        media_url = request.build_absolute_uri(
            reverse("reports:photo", args=[photos[0].pk, "full"])
        )
    return {
        "service_request_id": str(report.pk),  # a string, as the schema says, also in JSON
        "status": open311_status(report.status),
        "status_notes": status_notes(report),
        "service_name": report.category.name_vi,
        "service_code": str(report.category.code),
        "description": report.public_description,
        "agency_responsible": report.unit.name if report.unit_id else None,
        "service_notice": None,
        "requested_datetime": report.created_at,
        "updated_datetime": updated_datetime(report),
        "expected_datetime": report.due_at,
        "address": report.address or report.area.name,
        "address_id": None,
        "zipcode": None,
        "lat": report.lat,
        "long": report.lon,
        "media_url": media_url,
        **({"extended_attributes": extended_attributes(report)} if extensions else {}),
    }


def created(report: Report, *, account_id: str | None) -> dict:
    """The answer to a POST: we create requests at once, so an id and never a token."""
    return {
        "service_request_id": str(report.pk),
        "service_notice": submit_notice(report),
        "account_id": account_id or None,
    }


def submit_notice(report: Report) -> str:
    with translation.override("vi"):
        if report.unit_id:
            return _("Report %(ref)s was sent to %(unit)s; deadline %(due)s.") % {
                "ref": report.ref,
                "unit": report.unit.name,
                "due": timezone.localtime(report.due_at).strftime("%H:%M %d/%m/%Y")
                if report.due_at
                else "—",
            }
        return _(
            "Report %(ref)s was received; the operations centre will verify it and send it to the "
            "unit in charge."
        ) % {"ref": report.ref}
