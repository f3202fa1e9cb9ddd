"""Agency aliases: another name or code the one-stop system uses for one of the city's units."""

from __future__ import annotations

from django.db import transaction

from ..models import AgencyAlias


@transaction.atomic
def agency_alias_set(*, alias: str, unit) -> AgencyAlias:
    """Map ``alias`` (as ``DonViXuLy`` says it) to ``unit``; setting it again moves it."""
    row = AgencyAlias.objects.filter(alias__iexact=alias.strip()).first() or AgencyAlias(alias=alias.strip())
    row.unit = unit
    row.full_clean(validate_unique=False)
    row.save()
    return row
