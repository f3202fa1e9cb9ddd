"""The roles a person has (``accounts.User.role``), as codes.

Below both ``accounts`` (whose user model stores them) and ``policy`` (which says what each role
may do), so that neither imports the other's module to name a role: ``accounts`` asks ``policy``
who may do what, and ``policy`` imports no app's models at import time. ``accounts.models``
re-exports :class:`Role`, where code has always found it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    OPERATOR = "operator", _("IOC operator")
    OFFICER = "officer", _("Unit officer")
    WARD_OFFICIAL = "ward_official", _("Ward/commune official")
    HOTLINE = "hotline", _("Hotline operator")
    LEADER = "leader", _("City leader")
    ADMIN = "admin", _("Administrator")
