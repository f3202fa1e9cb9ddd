"""What operators do with a press item: dismiss it, mark it answered, turn it into a field report
(routed like any other, ``reports.services.report_submit``, channel ``press``), publish the
city's response, reopen a dismissed one. Each is a step of the item's lifecycle
(``press.workflow``) under its ``version`` (two operators at once: one 409), audited."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencity import policy
from opencity.errors import NotFoundError, PermissionDeniedError, ValidationError
from opencity.lib.audit import audit
from opencity.lib.params import require_id
from opencity.lib.text import clean_text

from ..models import ItemStatus, PressItem
from ..workflow import ITEM


def _item(item_id, *, actor) -> PressItem:
    item = (PressItem.objects.select_related("source", "area", "category", "report")
            .filter(pk=require_id(item_id, field="item")).first())
    if item is None or not policy.can_view_press(actor):
        raise NotFoundError(_("This press item does not exist."))
    if not policy.can_act_on_press(actor):
        raise PermissionDeniedError()
    return item


@transaction.atomic
def item_dismiss(*, actor, item_id, note: str = "", expected_version: int | None = None) -> PressItem:
    item = _item(item_id, actor=actor)
    ITEM.apply(item, "dismiss", actor=actor, is_public=False, expected_version=expected_version,
               note=clean_text(note, field="note", max_chars=1000))
    audit(actor, "press.dismiss", item, summary=item.headline[:300])
    return item


@transaction.atomic
def item_reopen(*, actor, item_id, expected_version: int | None = None) -> PressItem:
    item = _item(item_id, actor=actor)
    ITEM.apply(item, "reopen", actor=actor, is_public=False, expected_version=expected_version)
    audit(actor, "press.reopen", item, summary=item.headline[:300])
    return item


@transaction.atomic
def item_answer(*, actor, item_id, answer: str, expected_version: int | None = None) -> PressItem:
    """The city has answered (or answers now): ``answer`` says how; it may later be published as
    the city's response."""
    item = _item(item_id, actor=actor)
    text = clean_text(answer, field="answer", required=True, max_chars=4000)
    ITEM.apply(item, "answer", actor=actor, is_public=False, note=text, expected_version=expected_version,
               changes={"answer": text})
    audit(actor, "press.answer", item, summary=item.headline[:300])
    return item


def _place(item: PressItem) -> tuple[float, float]:
    """Where the report is: the ward the item names (its centre), else the city's."""
    if item.area is not None and item.area.lat is not None:
        return item.area.lat, item.area.lon
    from opencity.geo.selectors import city

    area = city()
    if area.lat is not None:
        return area.lat, area.lon
    return settings.OPENCITY_MAP_CENTER


def report_text(item: PressItem) -> str:
    """What the report says: the item's headline and text, and the link (kept for the unit)."""
    head = item.title.strip()
    body = (item.body or "").strip()
    if len(body) > 2500:
        body = body[:2500].rsplit(" ", 1)[0] + "…"
    parts = [p for p in (head, body) if p]
    origin = item.source.name + (f" · @{item.author}" if item.author and item.source.is_social else "")
    parts.append(_("Source: %(origin)s — %(url)s") % {"origin": origin, "url": item.url})
    return "\n\n".join(parts)


def item_to_report(*, actor, item_id, category_id, description: str = "", answers: dict | None = None,
                   client_token: str | None = None):
    """A field report from the item, filed by the operator ("phản ánh từ báo chí, mạng xã hội",
    channel ``press``), at the ward the item names (approximate: the ward's centre), routed like
    any other: the operator filing it has verified it, so when the jurisdiction rules propose a
    unit it goes there at once (``report_route``); with no rule it waits in the triage queue. The
    item keeps it. ``answers``: to the category's questions, as the report form sends them. Sent
    twice (``client_token``): one report."""
    from opencity.reports import routing
    from opencity.reports.models import LocationPrecision, Status
    from opencity.reports.services import report_route, report_submit

    item = _item(item_id, actor=actor)
    extra = clean_text(description, field="description", max_chars=1000)
    text = report_text(item)
    if extra:
        text = f"{extra}\n\n{text}"
    lat, lon = _place(item)
    with transaction.atomic():
        report = report_submit(reporter=actor, category=require_id(category_id, field="category"),
                               description=text[:settings.OPENCITY_DESCRIPTION_MAX_CHARS], lat=lat, lon=lon,
                               location_precision=LocationPrecision.AREA, is_public=False, answers=answers,
                               client_token=client_token, channel="press")
        item.refresh_from_db(fields=["version", "status", "report"])
        if item.report_id == report.pk:
            return report  # the same form sent again: its report, nothing new
        if report.status == Status.NEW and routing.propose(report) is not None:
            report = report_route(report_id=report.pk, actor=actor)
        ITEM.apply(item, "to_report", actor=actor, is_public=False, data={"report": report.pk, "ref": report.ref},
                   changes={"report": report})
        audit(actor, "press.to_report", item, summary=f"{item.ref} → {report.ref}")
    return report


def published_result(item: PressItem) -> str:
    """The unit's published result on the item's report ("" while there is none)."""
    from opencity.reports.models import Status

    report = item.report
    if report is None or report.status not in (Status.RESOLVED, Status.CLOSED) or report.result_pending:
        return ""
    return report.result_text or ""


@transaction.atomic
def item_respond(*, actor, item_id, text: str = "", expected_version: int | None = None) -> PressItem:
    """Publish the city's response to the item (the public responses page shows it with the
    original link): ``text`` as written, or by default the unit's published result (a reported
    item) or the answer (an answered item). A reported item whose unit has not published its
    result cannot be answered yet."""
    item = _item(item_id, actor=actor)
    if item.status == ItemStatus.REPORTED and not published_result(item):
        raise ValidationError(_("The unit has not published its result on the report yet."), field="text")
    default = published_result(item) if item.status == ItemStatus.REPORTED else item.answer
    response = clean_text(text, field="text", max_chars=4000) or default
    if not response:
        raise ValidationError(_("Write the response."), field="text")
    ITEM.apply(item, "respond", actor=actor, is_public=True, note=response, expected_version=expected_version,
               changes={"response_text": response, "response_published_at": timezone.now()})
    audit(actor, "press.respond", item, summary=item.headline[:300])
    return item


@transaction.atomic
def item_withdraw_response(*, actor, item_id) -> PressItem:
    """Take a published response off the public page (it stays in the item's log)."""
    item = _item(item_id, actor=actor)
    if item.response_published_at is None:
        return item
    ITEM.apply(item, "note", actor=actor, is_public=False, note=_("Response withdrawn"),
               changes={"response_published_at": None})
    return item
