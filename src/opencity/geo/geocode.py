"""Typed address → a place in the city, through a pluggable geocoder (issue 14).

``area_for_address`` (``geo.selectors``) knows only ward names: "32 Lê Văn Hưu" or "Lê Lợi"
name no ward. A geocoder knows streets. Which one is chosen by the environment:

- ``OPENCITY_GEOCODER=none`` (the default, and in tests): no geocoder; :func:`geocode`
  answers None and the caller falls back to the ward, marked approximate.
- ``OPENCITY_GEOCODER=nominatim``: a Nominatim-compatible service at
  ``OPENCITY_GEOCODER_URL`` — OpenStreetMap's own (mind its usage policy: a real user agent,
  at most one request a second) or the city's own instance — through ``geopy``.

What must hold:

- The search is **bounded to the city** (its bounding box as ``viewbox`` with ``bounded=1``,
  country ``vn``), and an answer is kept only if the point lies inside one of the city's wards
  (``area_for_point``): "Lê Lợi" is a street in every Vietnamese city.
- It **never raises** to the person: a timeout, an outage, a refusal or a malformed answer is
  "not found" (put a pin), logged for the operators.
- Answers are **cached** (``OPENCITY_GEOCODER_CACHE_SECONDS``) by the normalised text, found or
  not found; an outage is not cached, so the next try asks again.
- A geocoded place is the place of an *address*, never of the problem itself: callers store it
  with precision ``address`` (``Report.location_precision``) and ask for a pin.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

_MISS = "-"  # cached "not found"
MAX_QUERY_CHARS = 255


@dataclass(frozen=True)
class Place:
    """A geocoded address: its point, the geocoder's name for it and the ward it falls in."""

    lat: float
    lon: float
    label: str
    area_id: int

    @property
    def area(self):
        from .models import Area

        return Area.objects.get(pk=self.area_id)


def enabled() -> bool:
    return settings.OPENCITY_GEOCODER == "nominatim"


def _normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split()).strip()[:MAX_QUERY_CHARS]


def _cache_key(text: str) -> str:
    digest = hashlib.sha1(f"{settings.OPENCITY_GEOCODER_URL}\n{text.casefold()}".encode()).hexdigest()
    return f"geo:geocode:{digest}"


def _nominatim():
    from geopy.geocoders import Nominatim

    url = settings.OPENCITY_GEOCODER_URL.strip()
    parts = urlsplit(url if "://" in url else f"https://{url}")
    return Nominatim(
        domain=f"{parts.netloc}{parts.path}".rstrip("/"),
        scheme=parts.scheme or "https",
        user_agent=settings.OPENCITY_GEOCODER_USER_AGENT,
        timeout=settings.OPENCITY_GEOCODER_TIMEOUT,
    )


def _viewbox():
    """The city's bounding box as two corners ((south, west), (north, east)), or None."""
    from .selectors import city

    try:
        c = city()
    except Exception:  # no city loaded: search the country
        return None
    if c.min_lat is None:
        return None
    return [(c.min_lat, c.min_lon), (c.max_lat, c.max_lon)]


def _lookup(text: str) -> Place | None:
    """Ask the service (may raise anything geopy or the network raises)."""
    from .selectors import area_id_for_point

    viewbox = _viewbox()
    results = _nominatim().geocode(
        text, exactly_one=False, limit=5, language="vi", country_codes="vn",
        viewbox=viewbox, bounded=viewbox is not None,
    ) or []
    for loc in results:
        lat, lon = float(loc.latitude), float(loc.longitude)
        area_id = area_id_for_point(lat, lon)
        if area_id is not None:  # inside the city, not the same street name elsewhere
            return Place(lat=round(lat, 6), lon=round(lon, 6), label=str(loc.address or "")[:255], area_id=area_id)
    return None


def geocode(text: str) -> Place | None:
    """The place of a typed address inside the city, or None (not found, no geocoder, or the
    geocoder failed). Never raises."""
    text = _normalise(text)
    if not text or not enabled():
        return None
    key = _cache_key(text)
    try:
        hit = cache.get(key)
    except Exception:  # a cache outage is not the person's problem
        hit = None
    if hit == _MISS:
        return None
    if isinstance(hit, Place):
        return hit
    try:
        place = _lookup(text)
    except Exception:  # timeout, refused, 5xx, bad JSON: "not found, put a pin"
        logger.warning("geocoder failed for %r", text, exc_info=True)
        return None
    try:
        cache.set(key, place or _MISS, settings.OPENCITY_GEOCODER_CACHE_SECONDS)
    except Exception:
        logger.debug("geocoder cache write failed", exc_info=True)
    return place
