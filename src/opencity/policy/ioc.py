"""The city's numbers: the IOC console and the digital reports (opencity.ioc)."""

from __future__ import annotations

from dataclasses import dataclass

from .core import (
    Role,
    head_unit_ids,
    role_of,
)

# --- The city's numbers (opencity.ioc console and digital reports) -----------------------
# Two government levels: operators, administrators and city leaders see the whole city; a
# ward/commune official sees only the reports located in the home ward; a unit head sees the
# units they head. Everyone else sees only the public statistics page.


@dataclass(frozen=True)
class KpiBounds:
    """The part of the city's numbers a user may see: the whole city (no bound), one ward
    (``area_id``) or some units (``unit_ids``)."""

    level: str  # "city" | "ward" | "unit"
    area_id: int | None = None
    unit_ids: frozenset[int] = frozenset()

    def allows(self, *, area_id: int | None = None, unit_id: int | None = None) -> bool:
        """May a figure filtered to this ward and/or unit be shown?"""
        if self.level == "city":
            return True
        if self.level == "ward":
            return area_id == self.area_id
        return unit_id is not None and unit_id in self.unit_ids


def kpi_bounds(user) -> KpiBounds | None:
    """None: no access to the console or the digital reports."""
    role = role_of(user)
    if role in (Role.OPERATOR, Role.ADMIN, Role.LEADER):
        return KpiBounds("city")
    if role == Role.WARD_OFFICIAL and user.home_area_id is not None:
        return KpiBounds("ward", area_id=user.home_area_id)
    heads = head_unit_ids(user) if role in (Role.OFFICER, Role.WARD_OFFICIAL) else frozenset()
    if heads:
        return KpiBounds("unit", unit_ids=heads)
    return None


def can_view_console(user) -> bool:
    return kpi_bounds(user) is not None


# --- Digital reports (opencity.ioc.digital) ----------------------------------------------
# A monthly report shows the figures of the console, so the same bounds decide who may
# generate, download or subscribe to it: the city's report only with city-wide bounds, a
# ward's report for the whole city's staff and that ward's officials, a unit's report for the
# whole city's staff and that unit's heads.


def can_use_digital_reports(user) -> bool:
    return kpi_bounds(user) is not None


def can_access_digital_report(user, *, level: str, area_id: int | None, unit_id: int | None) -> bool:
    """Generate, download or subscribe to the report of this level and ward or unit."""
    bounds = kpi_bounds(user)
    if bounds is None:
        return False
    if level == "city":
        return bounds.allows()
    if level == "ward":
        return area_id is not None and bounds.allows(area_id=area_id)
    if level == "unit":
        return unit_id is not None and bounds.allows(unit_id=unit_id)
    return False
