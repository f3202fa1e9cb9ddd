"""API keys for Open311 clients, and the per-minute counters that rate-limit them."""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencity.lib.credentials import Credential


class ApiKey(Credential):
    """One key per client application (a 311 app, a partner's system): a credential
    (``opencity.lib.credentials``).

    Only the key's SHA-256 is stored; ``prefix`` (its first characters) lets staff tell keys
    apart in the admin. The raw key is shown once, when it is issued or rotated. A rotated key
    keeps working for ``rotation_grace`` (7 days: the partner deploys the new one meanwhile).
    """

    name = models.CharField(
        _("name"), max_length=80, help_text=_("Who holds the key, e.g. the partner's name.")
    )
    application = models.CharField(
        _("client application"), max_length=120, help_text=_("The software that uses the key.")
    )
    contact = models.CharField(
        _("contact"),
        max_length=200,
        blank=True,
        help_text=_("E-mail or phone of the person responsible for the client."),
    )
    rate_limit_per_minute = models.PositiveIntegerField(
        _("requests per minute"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(10_000)],
        help_text=_("Service requests (POST) this key may submit per minute."),
    )

    credential_kind = "open311_key"
    secret_bytes = 30  # 40 URL-safe characters
    rotation_grace = dt.timedelta(days=7)
    rotation_fields = ("name", "application", "contact", "rate_limit_per_minute")

    class Meta:
        ordering = ["name"]
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.application}, {self.prefix}…)"


class RateWindow(models.Model):
    """How many POSTs a key made in one clock minute (a fixed-window counter).

    Counted in the database rather than Django's cache: the cache is per process unless a
    shared backend is configured, so with several web workers a cache counter would let a
    client through once per worker. The database is shared by every process and an
    ``UPDATE … SET count = count + 1`` is atomic on SQLite and PostgreSQL alike.
    """

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["api_key", "window_start"], name="unique_open311_rate_window"
            )
        ]
