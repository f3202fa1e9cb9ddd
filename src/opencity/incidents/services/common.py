"""Helpers of the incident services: locking a row, asking the policy, reading form values."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from opencity.errors import NotFoundError, PermissionDeniedError, ValidationError
from opencity.geo import selectors as geo
from opencity.geo.models import Area
from opencity.lib.params import BadParameter, require_id

from ..models import Incident


def lock(model: type[models.Model], pk, *, message: str | None = None):
    """The row for writing (row lock on PostgreSQL; SQLite serialises writers), or 404."""
    try:
        return model.objects.select_for_update().get(pk=require_id(pk, field="id"))
    except (model.DoesNotExist, BadParameter):
        raise NotFoundError(message) from None


def lock_incident(incident_id) -> Incident:
    return lock(Incident, incident_id, message=_("This incident does not exist."))


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDeniedError()


def ward(area_id, *, incident: Incident | None = None, field: str = "area", required: bool = False) -> Area | None:
    """A ward or commune of the city (``incident``: one of its affected wards)."""
    if area_id in (None, ""):
        if required:
            raise ValidationError(_("Choose a ward or commune."), field=field, code="required")
        return None
    try:
        pk = require_id(area_id, field=field)
    except BadParameter:
        raise ValidationError(_("Choose a ward or commune."), field=field) from None
    qs = incident.areas.all() if incident is not None else geo.wards()
    area = qs.filter(pk=pk).first()
    if area is None:
        raise ValidationError(_("Choose one of the incident's wards.") if incident is not None
                              else _("Choose a ward or commune."), field=field)
    return area


def moment(value, *, field: str, required: bool = False) -> dt.datetime | None:
    """An aware datetime (from a form's cleaned data or the API), or a 400."""
    if value in (None, ""):
        if required:
            raise ValidationError(_("This field is required."), field=field, code="required")
        return None
    if not isinstance(value, dt.datetime):
        raise ValidationError(_("Enter a date and time as dd/mm/yyyy hh:mm."), field=field)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if not dt.datetime(2000, 1, 1, tzinfo=dt.UTC) <= value <= timezone.now() + dt.timedelta(days=366):
        raise ValidationError(_("This date is out of range."), field=field)
    return value
