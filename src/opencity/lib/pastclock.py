"""Play the product at a moment in the past, for demo stories told through the services.

The services take their moments from ``django.utils.timezone.now`` (directly, or as a model
field's default). To write last year's flood through them — so that the demo's rows are the
product's own, not a copy of its rules — :class:`PastClock` makes ``now`` a moment the story
moves forward by hand. Demo data only: never used while the product serves people.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from django.apps import apps
from django.utils import timezone


class PastClock:
    def __init__(self, start: dt.datetime):
        self.moment = start

    def __call__(self) -> dt.datetime:
        return self.moment

    def set(self, moment: dt.datetime) -> dt.datetime:
        if moment < self.moment:
            raise ValueError(f"the story goes forward: {moment} is before {self.moment}")
        self.moment = moment
        return moment

    def advance(self, **delta) -> dt.datetime:
        return self.set(self.moment + dt.timedelta(**delta))


@contextmanager
def played_at(start: dt.datetime):
    """``timezone.now()`` — and every model field defaulting to it — answers the clock's
    moment inside the block; yields the :class:`PastClock`."""
    real_now = timezone.now
    clock = PastClock(start)
    fields = [f for model in apps.get_models() for f in model._meta.concrete_fields if f.default is real_now]
    def swap(default) -> None:
        for f in fields:
            f.default = default
            f.__dict__.pop("_get_default", None)  # Django caches the default's callable

    timezone.now = clock
    swap(clock)
    try:
        yield clock
    finally:
        timezone.now = real_now
        swap(real_now)
