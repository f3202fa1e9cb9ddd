"""Administrative areas: the city and its wards/communes (2-level government since 2025)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaKind(models.TextChoices):
    CITY = "city", _("City/province")
    WARD = "ward", _("Ward")  # phường
    COMMUNE = "commune", _("Commune")  # xã
    SPECIAL = "special", _("Special zone")  # đặc khu


class Area(models.Model):
    code = models.CharField(_("official code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=AreaKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    boundary = models.JSONField(_("boundary (GeoJSON geometry)"), null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    min_lon = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    max_lon = models.FloatField(null=True, blank=True)
    old_units = models.JSONField(
        _("pre-2025 units merged into this one"), default=list, blank=True
    )
    population = models.PositiveIntegerField(null=True, blank=True)
    area_km2 = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return self.name

    @property
    def is_city(self) -> bool:
        return self.kind == AreaKind.CITY


class LocationPrecision(models.TextChoices):
    """Where a place's lat/lon come from (a report's, a rescue request's): an approximate place
    is never stored as a precise one (issue 14)."""

    EXACT = "exact", _("Exact (pin, GPS or the device's location)")
    ADDRESS = "address", _("Approximate (a typed street address, placed by the geocoder)")
    AREA = "area", _("Approximate (only the ward or commune is known)")
