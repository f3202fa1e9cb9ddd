"""The working calendar's tables, moved from ``reports`` without moving a row: they keep their
tables ``reports_calendarday`` and ``reports_workingperiod`` (migrations 0001 here and
``reports`` 0009 change Django's state only)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDayKind(models.TextChoices):
    WORK = "work", _("Make-up working day")
    OFF = "off", _("Extra day off")


class CalendarDay(models.Model):
    """A day the government's yearly decisions change: a Saturday worked in exchange for a day
    off around Tết or 2/9, or an extra day off. Read by ``worktime.selectors.default_calendar()``."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=4, choices=CalendarDayKind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        db_table = "reports_calendarday"
        ordering = ["-date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()}"


class WorkingPeriod(models.Model):
    """Office hours of every working day. None configured: 07:30–11:30 and 13:30–17:00."""

    start = models.TimeField(_("from"))
    end = models.TimeField(_("to"))

    class Meta:
        db_table = "reports_workingperiod"
        ordering = ["start"]
        verbose_name = _("working period")
        verbose_name_plural = _("working periods")

    def __str__(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self):
        if self.start is None or self.end is None:
            return
        if self.start >= self.end:
            raise ValidationError({"end": _("A period must end after it starts.")})
        overlapping = WorkingPeriod.objects.exclude(pk=self.pk).filter(start__lt=self.end, end__gt=self.start)
        if overlapping.exists():
            raise ValidationError(_("Working periods must not overlap."))


def _invalidate_calendar(sender, **kwargs):
    from .selectors import reset_default_calendar

    reset_default_calendar()


for _model in (CalendarDay, WorkingPeriod):
    models.signals.post_save.connect(_invalidate_calendar, sender=_model, dispatch_uid=f"calendar-{_model.__name__}")
    models.signals.post_delete.connect(_invalidate_calendar, sender=_model,
                                       dispatch_uid=f"calendar-del-{_model.__name__}")
