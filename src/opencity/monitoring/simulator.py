"""Live readings for the demo (``manage.py monitoring_simulate``): what the simulator publishes.

A water level that wanders a few centimetres around where it is, or — with ``rise`` — climbs
steadily toward the next level of the datastream's threshold rule and past it (three steps to
reach it), so that the rules engine raises an event within seconds of the start. The database is
read only for the datastream's last value, its property's range and its rules' levels; a code
unknown here is published all the same (the worker decides), starting from ``start`` or 0.5.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from .models import Datastream, StationKind
from .selectors import threshold_levels

DEFAULT_START = 0.5
STEPS_TO_LEVEL = 3


@dataclass
class Plan:
    code: str
    unit: str
    start: float
    step: float  # added per reading when rising; 0: wander
    low: float
    high: float
    next_level: float | None = None


def default_codes() -> list[str]:
    """Every active hydrological water-level datastream."""
    return list(Datastream.objects.filter(
        is_active=True, station__is_active=True, station__kind=StationKind.HYDRO,
        observed_property__code="water_level").order_by("code").values_list("code", flat=True))


def _levels(stream: Datastream) -> list[float]:
    """The rising levels of the threshold rules that judge the stream (the chart's lines)."""
    return [level["value"] for level in threshold_levels(stream) if level["direction"] == "above"]


def plan_for(code: str, *, start: float | None = None, rise: bool = False) -> Plan:
    stream = Datastream.objects.filter(code=code).select_related("observed_property", "station").first()
    if stream is None:
        value = DEFAULT_START if start is None else start
        return Plan(code, "", value, 0.1 if rise else 0.0, float("-inf"), float("inf"))
    prop = stream.observed_property
    value = start if start is not None else (stream.last_value if stream.last_value is not None else DEFAULT_START)
    value = min(max(value, prop.min_value), prop.max_value)
    plan = Plan(code, prop.unit, value, 0.0, prop.min_value, prop.max_value)
    if rise:
        above = [level for level in _levels(stream) if level > value]
        if above:
            plan.next_level = above[0]
            plan.step = round((above[0] - value) / STEPS_TO_LEVEL + 0.01, 3)
        else:
            plan.step = round(max((prop.max_value - prop.min_value) / 500, 0.05), 3)
    return plan


def values(plan: Plan, *, rng: random.Random | None = None) -> Iterator[float]:
    """The plan's readings, one per call, for ever (the caller counts)."""
    rng = rng or random.Random()
    value = plan.start
    while True:
        yield round(min(max(value, plan.low), plan.high), 3)
        value += plan.step if plan.step else rng.uniform(-0.02, 0.02)
