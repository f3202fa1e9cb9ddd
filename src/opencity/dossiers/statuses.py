"""The status codes of a dossier (``TrangThaiHoSo``), as the national public-service portal
(Cổng Dịch vụ công quốc gia) numbers them when a provincial one-stop system synchronises its
dossiers. The code is stored; the words are translated on display."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    REGISTERED = "1", _("Registered online")
    RECEIVED = "2", _("Received")
    NOT_ACCEPTED = "3", _("Not accepted")
    PROCESSING = "4", _("Being processed")
    SUPPLEMENT = "5", _("Waiting for more documents")
    FEES = "6", _("Waiting for fees to be paid")
    WITHDRAWN = "7", _("Withdrawn by the applicant")
    STOPPED = "8", _("Processing stopped")
    DONE = "9", _("Processed")
    RETURNED = "10", _("Result returned")


# Still in the agency's hands: these can become overdue.
OPEN = frozenset({Status.REGISTERED, Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.FEES})
# Processed: a result was made (and perhaps handed over); on time or late by NgayKetThucXuLy.
DONE = frozenset({Status.DONE, Status.RETURNED})
# Ended without a result (refused, withdrawn, stopped): neither done nor overdue.
ENDED = frozenset({Status.NOT_ACCEPTED, Status.WITHDRAWN, Status.STOPPED})
