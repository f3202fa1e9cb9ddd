"""Open311 state changes: issuing and checking API keys, the per-key rate limit, and turning a
GeoReport v2 POST into a field report through ``reports.services.report_submit``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opencity.errors import DomainError, NotFoundError, PermissionDeniedError, ValidationError
from opencity.lib.credentials import (
    CredentialRefused,
    credential_issue,
    credential_lineage,
    credential_revoke,
    credential_rotate,
    credential_verify,
)
from opencity.reports import workflow
from opencity.reports.models import Category, Report
from opencity.reports.services import report_submit
from opencity.reports.services.common import lock_report

from .models import ApiKey, RateWindow

MEDIA_URL_MAX = 1000
NAME_MAX = 120
_validate_url = URLValidator(schemes=["http", "https"])


class Throttled(DomainError):
    code = "throttled"
    http_status = 429
    default_message = gettext_lazy("Too many requests. Wait a moment and try again.")

    def __init__(self, message=None, *, retry_after: int = 60, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


# --- API keys (credentials: opencity.lib.credentials) ---------------------------------------


def api_key_issue(
    *,
    name: str,
    application: str,
    contact: str = "",
    rate_limit_per_minute: int = 10,
    actor=None,
) -> tuple[ApiKey, str]:
    """A new key and its raw value, shown once (audited as ``open311_key_issue``)."""
    return credential_issue(
        ApiKey,
        actor=actor,
        expires_at=None,
        name=name,
        application=application,
        contact=contact,
        rate_limit_per_minute=rate_limit_per_minute,
    )


def api_key_rotate(*, key: ApiKey, actor=None, grace: dt.timedelta | None = None) -> tuple[ApiKey, str]:
    """A successor with the same holder and limit; ``key`` keeps working for ``grace`` (7 days
    by default, ``ApiKey.rotation_grace``) so the partner can deploy the new one."""
    return credential_rotate(key, actor=actor, grace=grace)


def api_key_revoke(*, key: ApiKey, actor=None) -> bool:
    return credential_revoke(key, actor=actor)


def api_key_authenticate(raw: str | None) -> ApiKey:
    """The working key with this value, or PermissionDeniedError (HTTP 403)."""
    if not (raw or "").strip():
        raise PermissionDeniedError(
            _("An api_key is required to submit a service request."), field="api_key"
        )
    try:
        return credential_verify(ApiKey, raw)  # stamps last_used_at (once a minute at most)
    except CredentialRefused:
        raise PermissionDeniedError(
            _("This api_key is not valid or was deactivated."), field="api_key"
        ) from None


def api_key_hit(key: ApiKey, *, now: dt.datetime | None = None) -> None:
    """Count one POST in the current clock minute; raise Throttled (HTTP 429) past the key's
    limit. Attempts count whether or not they succeed, so bad input cannot be retried fast."""
    now = now or timezone.now()
    window = now.replace(second=0, microsecond=0)
    count = _increment(credential_lineage(key), window)  # a rotated key and its successor: one client
    if count > key.rate_limit_per_minute:
        retry_after = max(1, 60 - now.second)
        raise Throttled(
            _(
                "This api_key may submit %(n)d service requests a minute. Try again in %(s)d seconds."
            )
            % {"n": key.rate_limit_per_minute, "s": retry_after},
            retry_after=retry_after,
        )


def _increment(key: ApiKey, window: dt.datetime) -> int:
    counters = RateWindow.objects.filter(api_key=key, window_start=window)
    if not counters.update(count=F("count") + 1):
        try:
            with transaction.atomic():
                RateWindow.objects.create(api_key=key, window_start=window, count=1)
            # Old windows are of no use: drop them when a key starts a new one.
            RateWindow.objects.filter(
                api_key=key, window_start__lt=window - dt.timedelta(minutes=5)
            ).delete()
            return 1
        except IntegrityError:  # another request created it first
            counters.update(count=F("count") + 1)
    return counters.values_list("count", flat=True).first() or 1


# --- POST requests -------------------------------------------------------------------------

# Our fields (as report_submit names them in errors) → the Open311 parameter at fault.
FIELD_NAMES = {
    "category": "service_code",
    "location": "lat/long/address_string",
    "address": "address_string",
    "description": "description",
    "reporter_name": "first_name/last_name",
    "phone": "phone",
}


def open311_field(field: str | None) -> str | None:
    if not field:
        return None
    if field.startswith("q_"):
        return f"attribute[{field[2:]}]"
    return FIELD_NAMES.get(field, field)


@dataclass
class PostedRequest:
    """The parameters of a GeoReport v2 POST, already stripped; empty ones are None."""

    service_code: str | None = None
    lat: str | None = None
    long: str | None = None
    address_string: str | None = None
    address_id: str | None = None
    description: str | None = None
    media_url: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    device_id: str | None = None
    account_id: str | None = None
    attributes: dict | None = None


def _answer(category: Category, attributes: dict) -> dict:
    """Open311 attribute values → our answers. A ``datetime`` attribute may come as a full
    ISO 8601 datetime; our date questions keep the date (in the city's time zone)."""
    answers = dict(attributes)
    for q in category.questions.all():
        value = answers.get(q.code)
        if q.kind == "date" and isinstance(value, str) and "T" in value:
            try:
                parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue  # validate_answers names the question
            if timezone.is_aware(parsed):
                parsed = timezone.localtime(parsed)
            answers[q.code] = parsed.date().isoformat()
    return answers


def _check(params: PostedRequest) -> Category:
    if not params.service_code:
        raise ValidationError(_("service_code is required."), field="service_code", code="required")
    category = (
        Category.objects.filter(code=params.service_code[:100], is_active=True)
        .prefetch_related("questions")
        .first()
    )
    if category is None:
        raise NotFoundError(_("There is no service with this service_code."), field="service_code")
    if bool(params.lat) != bool(params.long):
        raise ValidationError(_("Send lat and long together."), field="lat/long")
    if params.address_id and not (params.lat or params.address_string):
        raise ValidationError(
            _("address_id is not supported here: send lat and long, or address_string."),
            field="address_id",
        )
    for name in ("lat", "long"):
        value = getattr(params, name)
        if value and len(value) > 40:
            raise ValidationError(_("The position on the map is not valid."), field=name)
    if params.media_url:
        try:
            if len(params.media_url) > MEDIA_URL_MAX:
                raise DjangoValidationError("too long")
            _validate_url(params.media_url)
        except DjangoValidationError:
            raise ValidationError(
                _("media_url must be an http(s) URL."), field="media_url"
            ) from None
    if params.email:
        try:
            validate_email(params.email)
        except DjangoValidationError:
            raise ValidationError(_("Enter a valid e-mail address."), field="email") from None
    for name in ("device_id", "account_id"):
        value = getattr(params, name)
        if value and len(value) > 200:
            raise ValidationError(_("At most 200 characters, please."), field=name)
    return category


def service_request_submit(*, api_key: ApiKey, params: PostedRequest) -> Report:
    """Create a report from an Open311 POST (channel ``open311``, no account).

    The reporter's first and last name and phone become the report's contact for calls
    (shown to staff in scope only, never in Open311 output). ``email`` and ``device_id`` are
    checked but not kept: a report has no e-mail field, and the timeline is immutable, so no
    place for personal data. ``media_url`` is never fetched (the server calls out to nobody):
    it is recorded, with the client's name, in an internal timeline note that only staff see.
    Report and note are written in one transaction.
    """
    category = _check(params)
    name = " ".join(p for p in (params.first_name, params.last_name) if p)
    if len(name) > NAME_MAX:
        raise ValidationError(
            _("At most %(n)d characters, please (you wrote %(m)d).")
            % {"n": NAME_MAX, "m": len(name)},
            field="reporter_name",
        )
    with transaction.atomic():
        report = report_submit(
            reporter=None,
            category=category,
            description=params.description or "",
            lat=params.lat,
            lon=params.long,
            address=params.address_string or "",
            answers=_answer(category, params.attributes or {}),
            channel="open311",
            reporter_name=name,
            reporter_phone=params.phone or "",
        )
        data = {"client": api_key.application, "api_key": api_key.prefix}
        note = _("Submitted through Open311 by %(client)s.") % {"client": api_key.application}
        if params.media_url:
            data["media_url"] = params.media_url
            note += " " + _("Media link sent by the client (not downloaded): %(url)s") % {
                "url": params.media_url
            }
        locked = lock_report(report.pk)
        workflow.apply(locked, "note", actor=None, note=note, is_public=False, data=data)
    return locked


__all__ = [
    "PostedRequest",
    "Throttled",
    "api_key_authenticate",
    "api_key_hit",
    "api_key_issue",
    "api_key_revoke",
    "api_key_rotate",
    "open311_field",
    "service_request_submit",
]
