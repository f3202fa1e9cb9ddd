from __future__ import annotations

from opencity.dossiers.models import Dossier
from opencity.dossiers.services import dossiers_mark_overdue
from opencity.ioc.models import LiveEvent

from .conftest import at, row


def test_a_dossier_that_became_overdue_is_published_once(load, published):
    load(row("C-0001", status="4"), row("C-0002", status="4", due="20/11/2026 17:00"),
         row("C-0003", status="9", finished="04/11/2026 10:00"))
    assert dossiers_mark_overdue(now=at(6)) == 1
    assert dossiers_mark_overdue(now=at(7)) == 0  # once per dossier
    happenings = [h for h in published if h.subject == "dossier"]
    assert len(happenings) == 1
    h = happenings[0]
    d = Dossier.objects.get(code="C-0001")
    assert (h.kind, h.ref, h.area_id, h.unit_id) == ("dossier.overdue", "C-0001", d.area_id, d.unit_id)
    assert d.overdue_at is not None


def test_the_feed_carries_no_personal_data(load, published):
    load(row("C-0001", status="4"))
    dossiers_mark_overdue(now=at(6))
    h = next(h for h in published if h.subject == "dossier")
    text = repr(h.payload)
    assert "Trần Thị Lan" not in text and "905123456" not in text and "123456" not in text


def test_the_console_feed_records_it(load):
    load(row("C-0001", status="4"))
    dossiers_mark_overdue(now=at(6))
    assert LiveEvent.objects.filter(kind="dossier.overdue", ref="C-0001").exists()


def test_the_overdue_step_is_not_in_the_public_history(load):
    from opencity.dossiers.selectors import dossier_history

    load(row("C-0001", status="4"))
    dossiers_mark_overdue(now=at(6))
    d = Dossier.objects.get()
    assert [s.action for s in dossier_history(d)] == ["status_4"]
    assert d.steps.count() == 2


def test_a_dossier_given_a_later_due_date_is_announced_again_when_that_one_passes(load, published):
    load(row("C-0001", status="4"))
    assert dossiers_mark_overdue(now=at(6)) == 1
    load(row("C-0001", status="4", due="10/11/2026 17:00"), seen_at=at(7))  # the agency extended it
    d = Dossier.objects.get()
    assert d.overdue_at is None
    assert dossiers_mark_overdue(now=at(8)) == 0  # not overdue before the new date
    assert dossiers_mark_overdue(now=at(11)) == 1
    assert [h.kind for h in published if h.subject == "dossier"] == ["dossier.overdue", "dossier.overdue"]
