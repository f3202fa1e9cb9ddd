"""Processing units (state agencies and enterprises) and their staff."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    STATE = "state", _("State agency")
    ENTERPRISE = "enterprise", _("Organisation/enterprise")


class UnitLevel(models.TextChoices):
    CITY = "city", _("City level")
    WARD = "ward", _("Ward/commune level")


class Unit(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=80, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=UnitKind.choices, default=UnitKind.STATE)
    level = models.CharField(_("level"), max_length=6, choices=UnitLevel.choices, default=UnitLevel.CITY)
    area = models.ForeignKey(
        "geo.Area",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="units",
        help_text=_("The city for city-level units, the ward/commune for ward-level units."),
    )
    requires_result_approval = models.BooleanField(
        _("results need the head's approval"),
        default=False,
        help_text=_("If set, an officer's result is published only after the unit head approves it."),
    )
    can_issue_warnings = models.BooleanField(
        _("may issue warnings"),
        default=False,
        help_text=_("Members may compose disaster and weather warnings (e.g. hydrometeorology, dam operators)."),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="units", blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.short_name or self.name


class Membership(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    is_head = models.BooleanField(_("unit head"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "user"], name="unique_unit_member")]
        verbose_name = _("unit membership")
        verbose_name_plural = _("unit memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.unit}"
