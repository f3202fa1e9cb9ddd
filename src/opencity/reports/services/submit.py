"""Submitting a field report (citizen, hotline operator on a caller's behalf, API)."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from opencity.errors import ConflictError, UnprocessableError, ValidationError
from opencity.geo import selectors as geo
from opencity.geo.geocode import geocode
from opencity.geo.models import LocationPrecision
from opencity.lib.images import ProcessedImage, process_upload
from opencity.lib.phone import normalize_phone
from opencity.lib.text import refuse_nul

from .. import routing, workflow
from ..models import Category, PhotoKind, QuestionKind, Report
from .common import clean_text, save_photos, staff_audit

_TAGS = re.compile(r"<[^>]*>")


def validate_answers(category: Category, raw: dict | None, *, errors: list | None = None) -> dict:
    """Check answers to the category's extra questions; return them normalised.

    Keys are question codes; multiple-choice answers are lists of choice keys. With ``errors``
    (a list), every question's error is appended there instead of raising the first.
    """
    raw = raw or {}
    clean: dict = {}
    for q in category.questions.all():
        try:
            _validate_answer(q, raw.get(q.code), clean)
        except ValidationError as exc:
            if errors is None:
                raise
            errors.append(exc)
    return clean


def _validate_answer(q, value, clean: dict) -> None:
    """One question's answer, normalised into ``clean`` (nothing for no answer)."""
    field = f"q_{q.code}"
    if isinstance(value, str):
        value = value.strip()  # "   " is no answer to a required question
    empty = value in (None, "", []) or (isinstance(value, list) and not any(value))
    if empty:
        if q.required:
            raise ValidationError(
                _("Please answer: %(q)s") % {"q": q.label}, field=field, code="required"
            )
        return
    if q.kind == QuestionKind.TEXT:
        clean[q.code] = clean_text(str(value), field=field, max_chars=500)
    elif q.kind == QuestionKind.NUMBER:
        try:
            number = Decimal(str(value).replace(",", "."))
            if not number.is_finite() or not math.isfinite(float(number)):
                raise InvalidOperation  # 1e400 would be stored as Infinity: not JSON
        except InvalidOperation:
            raise ValidationError(_("“%(q)s” needs a number.") % {"q": q.label}, field=field) from None
        clean[q.code] = float(number)
    elif q.kind == QuestionKind.DATE:
        text = str(value).strip()
        for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                clean[q.code] = dt.datetime.strptime(text, fmt).date().isoformat()
                break
            except ValueError:
                continue
        else:
            raise ValidationError(
                _("“%(q)s” needs a date as dd/mm/yyyy.") % {"q": q.label}, field=field
            )
    else:
        keys = {k for k, _label in q.choice_pairs()}
        values = value if isinstance(value, list) else [value]
        values = [str(v) for v in values if v not in (None, "")]
        if any(v not in keys for v in values):
            raise ValidationError(_("Choose one of the offered answers."), field=field)
        if q.kind == QuestionKind.SINGLE:
            if len(values) != 1:
                raise ValidationError(_("Choose one answer."), field=field)
            clean[q.code] = values[0]
        else:
            clean[q.code] = sorted(set(values))


def _locate(lat, lon, address: str, precision: str | None = None):
    """Resolve the place to (lat, lon, area, precision) — never an approximate place stored as
    a precise one (issue 14).

    A pin wins: ``exact``, unless the sender says it is less (``address``: the form put the pin
    where the geocoder placed the typed address and the person did not confirm or move it).
    An address alone: the geocoder's point of it (``address``) when one is configured and
    finds it in the city, else only its ward (``area``: the ward's centre, which maps never
    draw as a pin)."""
    if lat not in (None, "") and lon not in (None, ""):
        try:
            lat_f, lon_f = float(lat), float(lon)
        except (TypeError, ValueError):
            raise ValidationError(_("The position on the map is not valid."), field="location") from None
        if not (-90 <= lat_f <= 90 and -180 <= lon_f <= 180):
            raise ValidationError(_("The position on the map is not valid."), field="location")
        area = geo.area_for_point(lat_f, lon_f)
        if area is None:
            raise ValidationError(
                _("This place is outside the city. Move the pin to a place in the city."),
                field="location",
                code="outside_city",
            )
        claimed = precision if precision in LocationPrecision.values else LocationPrecision.EXACT
        return lat_f, lon_f, area, claimed
    if address:
        place = geocode(address)
        if place is not None:
            return place.lat, place.lon, place.area, LocationPrecision.ADDRESS
        area = geo.area_for_address(address)
        if area is None:
            raise ValidationError(
                _("We could not find this address in the city. Put a pin on the map instead."),
                field="location",
                code="address_not_found",
            )
        return area.lat, area.lon, area, LocationPrecision.AREA
    raise ValidationError(
        _("Show us where: put a pin on the map, use your location or type the address."),
        field="location",
        code="location_required",
    )


def _photos(photos, *, required: bool, errors: list | None = None) -> list[ProcessedImage]:
    """Validate every photo before anything is saved (nothing half-saved). A photo already
    processed (a staged upload, ``lib.staging``) is taken as it is."""
    items = [p for p in (photos or []) if p]
    if required and not items:
        raise ValidationError(_("Add at least one photo."), field="photos", code="photo_required")
    limit = settings.OPENCITY_PHOTO_MAX_COUNT
    if len(items) > limit:
        raise ValidationError(
            _("At most %(n)d photos, please.") % {"n": limit}, field="photos", code="too_many_photos"
        )
    done = []
    for item in items:
        try:
            done.append(item if isinstance(item, ProcessedImage) else process_upload(item))
        except ValidationError as exc:
            if errors is None:
                raise
            errors.append(exc)
    return done


def _no_category():
    raise ValidationError(_("Choose a category."), field="category", code="required")


def _validate(*, category, description, address, lat, lon, location_precision, answers,
              reporter_name, reporter_phone, photos, photos_required, errors: list | None):
    """Every check of a submit, in one place. ``errors`` None: raise the first error (the API's
    one-error answer); a list: run every check and append each error (the form shows them all
    in one round). Returns the clean values (None for those that failed)."""

    def check(run):
        if errors is None:
            return run()
        try:
            return run()
        except ValidationError as exc:
            errors.append(exc)
            return None

    if not isinstance(category, Category):
        category = Category.objects.filter(pk=category, is_active=True).first() if category else None
    if category is None or not category.is_active:
        category = None
        check(_no_category)
    description = check(lambda: _TAGS.sub("", clean_text(description, field="description", required=True)))
    address = check(lambda: clean_text(address, field="address", max_chars=255))
    place = check(lambda: _locate(lat, lon, address or "", location_precision))
    clean_answers = validate_answers(category, answers, errors=errors) if category else {}
    reporter_name = check(lambda: clean_text(reporter_name, field="reporter_name", max_chars=120))
    if reporter_phone:
        reporter_phone = check(lambda: normalize_phone(reporter_phone))
    processed = check(lambda: _photos(photos, required=photos_required, errors=errors))
    return dict(category=category, description=description, address=address, place=place,
                answers=clean_answers, reporter_name=reporter_name, reporter_phone=reporter_phone,
                photos=processed)


def token_used(client_token: str | None) -> bool:
    """True when a report was already made with this token: a submit with it replays (or is
    refused, ``_replay``) and checks nothing else."""
    token = (client_token or "").strip()[:64]
    # A NUL is never stored (the submit refuses it with a 400) and PostgreSQL refuses it even
    # in a query: such a token was never used.
    return bool(token) and "\x00" not in token and Report.objects.filter(client_token=token).exists()


def report_check(*, category, description: str, lat=None, lon=None, address: str = "",
                 location_precision: str | None = None, answers: dict | None = None,
                 reporter_name: str = "", reporter_phone: str = "", photos=(),
                 photos_required: bool = False) -> list[ValidationError]:
    """Every error ``report_submit`` would find in these inputs, all at once (the web form
    shows them in one round). Writes nothing."""
    errors: list[ValidationError] = []
    _validate(category=category, description=description, address=address, lat=lat, lon=lon,
              location_precision=location_precision, answers=answers, reporter_name=reporter_name,
              reporter_phone=reporter_phone, photos=photos, photos_required=photos_required,
              errors=errors)
    return errors


def _by_token(client_token: str) -> Report | None:
    """The report an earlier try with this token created, with what its answer shows."""
    return (Report.objects.select_related("category", "area", "unit", "reporter")
            .filter(client_token=client_token).first())


def _submitted_by(report: Report) -> int | None:
    """Who sent it: the reporter's account, or the staff member who filed it for a caller (the
    actor of its submit event)."""
    if report.reporter_id is not None:
        return report.reporter_id
    return report.events.filter(action="submit").values_list("actor_id", flat=True).first()


def _replay(existing: Report, *, submitter, category, description: str, is_public: bool) -> Report:
    """The report made by an earlier try with the same token — only for the person who sent it
    (anyone else: 409, and nothing of that report), and only for the same request: a token
    reused with another category, text or visibility is a 422 (the IETF httpapi draft on the
    Idempotency-Key header), not the first report in disguise. Photos and the place are not
    compared (a retry sends the same; they are re-encoded or resolved, not kept as sent)."""
    if submitter is None or _submitted_by(existing) != submitter.pk:
        raise ConflictError(_("This form was already used."))
    category_id = category.pk if isinstance(category, Category) else category
    same = (
        str(existing.category_id) == str(category_id)
        and existing.description == _TAGS.sub("", clean_text(description, field="description"))
        and existing.is_public == bool(is_public)
    )
    if not same:
        raise UnprocessableError(
            _("This key was already used for a different report. Send a new report with a new key."),
            code="idempotency_key_reused", field="Idempotency-Key",
        )
    return existing


def report_submit(
    *,
    reporter,
    category: Category | int,
    description: str,
    lat=None,
    lon=None,
    address: str = "",
    location_precision: str | None = None,
    is_public: bool = True,
    photos=(),
    photos_required: bool = False,
    answers: dict | None = None,
    client_token: str | None = None,
    channel: str = "web",
    reporter_name: str = "",
    reporter_phone: str = "",
    filed_by=None,
) -> Report:
    """Create a report in state ``new`` (and route it at once where a rule is automatic).

    Idempotent on ``client_token``: the same person sending the same report again with the same
    token gets the first report and nothing is created (``_replay``: another person is a 409, a
    different report a 422). Everything is validated before anything is written.

    ``photos``: uploads, or photos already processed (``ProcessedImage``, from ``lib.staging``).
    ``location_precision``: how precise a pin is, when the sender knows it is less than exact.
    """
    client_token = (client_token or "").strip()[:64] or None
    refuse_nul(client_token, field="client_token")
    submitter = filed_by or reporter
    replay = dict(submitter=submitter, category=category, description=description, is_public=is_public)
    if client_token:
        existing = _by_token(client_token)
        if existing is not None:
            return _replay(existing, **replay)

    clean = _validate(category=category, description=description, address=address, lat=lat, lon=lon,
                      location_precision=location_precision, answers=answers,
                      reporter_name=reporter_name, reporter_phone=reporter_phone, photos=photos,
                      photos_required=photos_required, errors=None)
    category, description, address = clean["category"], clean["description"], clean["address"]
    lat_f, lon_f, area, precision = clean["place"]
    clean_answers, processed = clean["answers"], clean["photos"]
    reporter_name, reporter_phone = clean["reporter_name"], clean["reporter_phone"]

    try:
        with transaction.atomic():
            report = Report(
                category=category,
                description=description,
                answers=clean_answers,
                lat=lat_f,
                lon=lon_f,
                address=address,
                location_precision=precision,
                area=area,
                is_public=bool(is_public),
                reporter=reporter,
                reporter_name=reporter_name,
                reporter_phone=reporter_phone,
                channel=channel,
                client_token=client_token,
            )
            event = workflow.apply(report, "submit", actor=filed_by or reporter, data={"channel": channel})
            save_photos(report, processed, kind=PhotoKind.REPORT, event=event)
            if filed_by is not None:
                staff_audit(filed_by, "submit_for_caller", report)
            rule = routing.should_route_automatically(report)
            if rule is not None:
                from .triage import route_locked

                route_locked(report, actor=None, unit=rule.unit, note="", automatic=True)
    except IntegrityError:
        if client_token:
            existing = _by_token(client_token)
            if existing is not None:
                return _replay(existing, **replay)
        raise
    return report
