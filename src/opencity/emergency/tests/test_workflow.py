import pytest
from django.db import transaction

from opencity.emergency import workflow
from opencity.emergency.models import RescueEvent, RescueRequest, Status
from opencity.errors import ConflictError, IllegalTransitionError

S = Status
ALL = list(S.values)
LEGAL = {
    ("acknowledge", S.NEW), ("assign", S.ACKNOWLEDGED), ("dispatch", S.ASSIGNED), ("arrive", S.DISPATCHED),
    ("rescue", S.ON_SCENE), ("close", S.ON_SCENE), ("escalate", S.NEW),
    *(("cancel", s) for s in (S.NEW, S.ACKNOWLEDGED, S.ASSIGNED, S.DISPATCHED, S.ON_SCENE)),
}
ACTIONS = [a for a in workflow.TRANSITIONS if a != "file"]


def _at(req: RescueRequest, status: str) -> RescueRequest:
    RescueRequest.objects.filter(pk=req.pk).update(status=status)
    req.refresh_from_db()
    return req


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("status", ALL)
def test_every_transition_is_legal_only_from_its_sources(file_sos, operator, action, status):
    req = _at(file_sos(), status)
    with transaction.atomic():
        if (action, status) in LEGAL:
            event = workflow.apply(req, action, actor=operator)
            target = workflow.TRANSITIONS[action].target or status
            assert req.status == target == RescueRequest.objects.get(pk=req.pk).status
            assert (event.from_status, event.to_status) == (status, target)
        else:
            with pytest.raises(IllegalTransitionError):
                workflow.apply(req, action, actor=operator)
            assert RescueRequest.objects.get(pk=req.pk).status == status


def test_it_sets_the_step_timestamp(file_sos, operator):
    req = file_sos()
    with transaction.atomic():
        workflow.apply(req, "acknowledge", actor=operator)
    assert RescueRequest.objects.get(pk=req.pk).acknowledged_at is not None


def test_a_stale_version_is_refused(file_sos, operator):
    req = file_sos()
    stale = RescueRequest.objects.get(pk=req.pk)
    with transaction.atomic():
        workflow.apply(req, "acknowledge", actor=operator)
    with pytest.raises(ConflictError), transaction.atomic():
        workflow.apply(stale, "cancel", actor=operator, note="x")
    with pytest.raises(ConflictError), transaction.atomic():
        workflow.apply(req, "assign", actor=operator, expected_version=req.version - 1)
    assert RescueRequest.objects.get(pk=req.pk).status == Status.ACKNOWLEDGED


def test_conflict_and_illegal_map_to_409():
    assert ConflictError.http_status == IllegalTransitionError.http_status == 409


def test_events_are_immutable(file_sos):
    event = file_sos().events.get()
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        RescueEvent.objects.filter(pk=event.pk).update(note="x")
    with pytest.raises(ValueError):
        event.delete()
