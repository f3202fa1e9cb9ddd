"""Positions for tests: a point inside a ward, and one outside the city."""

from __future__ import annotations

from shapely.geometry import shape

# In the sea off Thuận An, well outside every ward.
OUTSIDE_LAT, OUTSIDE_LON = 16.75, 107.90


def point_in(area) -> tuple[float, float]:
    """(lat, lon) of a point inside the ward's boundary."""
    pt = shape(area.boundary).representative_point()
    return round(pt.y, 6), round(pt.x, 6)
