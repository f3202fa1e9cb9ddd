"""Web push for the steps of a rescue request: each step the requester is told of in the inbox
is also pushed, once, to the requester's devices only, after commit and in the worker (huey
runs tasks at once in tests); push failures never undo a step."""

from __future__ import annotations

import logging

import pytest
from django.utils import translation

from opencity.emergency import services
from opencity.emergency.models import Status
from opencity.errors import IllegalTransitionError
from opencity.notifications.models import Notification, PushSubscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def memory_push(settings):
    from opencity.notifications.push import MemoryBackend

    settings.OPENCITY_PUSH_BACKEND = "opencity.notifications.push.MemoryBackend"
    MemoryBackend.reset()
    yield MemoryBackend
    MemoryBackend.reset()


def _subscribe(user, n: int = 1) -> PushSubscription:
    return PushSubscription.objects.create(user=user, endpoint=f"https://push.example/{user.pk}/{n}",
                                           p256dh="key", auth="auth")


def _step(callback, capture):
    with capture(execute=True):
        return callback()


def test_every_step_is_pushed_once_to_the_requester_only(
        file_sos, operator, rescuer, team, citizen, citizen2, memory_push, django_capture_on_commit_callbacks):
    phone, tablet = _subscribe(citizen, 1), _subscribe(citizen, 2)
    for someone in (operator, rescuer, citizen2):
        _subscribe(someone)
    capture = django_capture_on_commit_callbacks
    req = _step(file_sos, capture)
    assert memory_push.outbox == []  # filing is the requester's own act
    steps = [
        ("acknowledge", lambda: services.rescue_acknowledge(actor=operator, request_id=req.pk)),
        ("assign", lambda: services.rescue_assign(actor=operator, request_id=req.pk, team_id=team.pk)),
        ("dispatch", lambda: services.rescue_team_step(actor=rescuer, request_id=req.pk, action="dispatch")),
        ("arrive", lambda: services.rescue_team_step(actor=rescuer, request_id=req.pk, action="arrive")),
        ("rescue", lambda: services.rescue_team_step(actor=rescuer, request_id=req.pk, action="rescue")),
    ]
    for i, (action, run) in enumerate(steps, start=1):
        _step(run, capture)
        pushed = memory_push.outbox[(i - 1) * 2:]
        assert {p["endpoint"] for p in pushed} == {phone.endpoint, tablet.endpoint}, action
        note = Notification.objects.filter(user=citizen, verb="sos").order_by("-pk").first()
        assert {p["payload"]["title"] for p in pushed} == {note.title}, action  # in the requester's language
        with translation.override("vi"):
            assert note.title == str(services.STEP_MESSAGES[action])
    assert len(memory_push.outbox) == 2 * len(steps)
    assert {p["user_id"] for p in memory_push.outbox} == {citizen.pk}
    payload = memory_push.outbox[0]["payload"]
    assert payload["url"] == f"/sos/{req.pk}/" and payload["tag"] == f"sos-{req.pk}" and payload["renotify"]
    assert Notification.objects.filter(user=citizen, verb="sos").count() == len(steps)


def test_closing_and_cancelling_are_pushed(file_sos, walk, operator, rescuer, citizen, memory_push,
                                           django_capture_on_commit_callbacks):
    citizen.preferred_language = "en"
    citizen.save()
    _subscribe(citizen)
    closed = walk(file_sos(), "on_scene")
    memory_push.reset()
    with django_capture_on_commit_callbacks(execute=True):
        services.rescue_team_step(actor=rescuer, request_id=closed.pk, action="close", note="Đã đưa lên xe")
    assert [(p["payload"]["title"], p["payload"]["body"]) for p in memory_push.outbox] == [
        ("Your rescue request was closed.", "Đã đưa lên xe")]
    cancelled = walk(file_sos(), "assigned")
    memory_push.reset()
    with django_capture_on_commit_callbacks(execute=True):
        services.rescue_cancel(actor=operator, request_id=cancelled.pk, reason="Người dân đã tự sơ tán")
    [push] = memory_push.outbox
    assert push["payload"]["title"] == "Your rescue request was cancelled."
    assert push["payload"]["body"] == "Người dân đã tự sơ tán" and push["payload"]["tag"] == f"sos-{cancelled.pk}"
    assert Notification.objects.filter(user=citizen, title="Your rescue request was closed.").count() == 1


def test_the_requesters_own_cancel_is_not_pushed_to_them(file_sos, citizen, memory_push,
                                                          django_capture_on_commit_callbacks):
    _subscribe(citizen)
    req = file_sos()
    with django_capture_on_commit_callbacks(execute=True):
        services.rescue_cancel(actor=citizen, request_id=req.pk, reason="Đã an toàn")
    assert memory_push.outbox == []


def test_a_requester_without_devices_still_gets_the_inbox_entry(file_sos, operator, citizen, memory_push,
                                                               django_capture_on_commit_callbacks):
    req = file_sos()
    with django_capture_on_commit_callbacks(execute=True):
        services.rescue_acknowledge(actor=operator, request_id=req.pk)
    assert memory_push.outbox == []
    assert Notification.objects.filter(user=citizen, verb="sos").count() == 1


def test_nothing_is_pushed_before_commit_or_if_the_step_fails(file_sos, operator, citizen, memory_push,
                                                              django_capture_on_commit_callbacks):
    _subscribe(citizen)
    req = file_sos()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.rescue_acknowledge(actor=operator, request_id=req.pk)
    assert memory_push.outbox == []  # queued for after the commit
    for callback in callbacks:
        callback()
    assert len(memory_push.outbox) == 1
    memory_push.reset()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(IllegalTransitionError):
            services.rescue_acknowledge(actor=operator, request_id=req.pk)  # already acknowledged
    assert memory_push.outbox == []


def test_a_failing_push_service_is_logged_and_the_step_stands(file_sos, operator, citizen, settings, caplog,
                                                               django_capture_on_commit_callbacks):
    settings.OPENCITY_PUSH_BACKEND = "opencity.emergency.tests.test_services_push.BrokenBackend"
    _subscribe(citizen)
    req = file_sos()
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        services.rescue_acknowledge(actor=operator, request_id=req.pk)
    req.refresh_from_db()
    assert req.status == Status.ACKNOWLEDGED
    assert Notification.objects.filter(user=citizen, verb="sos").count() == 1
    assert "web push of notification" in caplog.text
    sub = PushSubscription.objects.get(user=citizen)
    assert sub.failures == 0  # the exception came before any answer


def test_without_vapid_keys_push_is_skipped_and_logged(file_sos, operator, citizen, settings, caplog,
                                                       django_capture_on_commit_callbacks):
    settings.OPENCITY_PUSH_BACKEND = "opencity.notifications.push.WebPushBackend"
    settings.OPENCITY_VAPID_PUBLIC_KEY = settings.OPENCITY_VAPID_PRIVATE_KEY = ""
    _subscribe(citizen)
    req = file_sos()
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        services.rescue_acknowledge(actor=operator, request_id=req.pk)
    assert "VAPID keys are not configured" in caplog.text
    assert Notification.objects.filter(user=citizen, verb="sos").count() == 1


class BrokenBackend:
    """A push backend whose service is down in a way the backend did not foresee."""

    def is_configured(self) -> bool:
        return True

    def send(self, subscription, payload, *, ttl=3600):
        raise ConnectionError("push service unreachable")


def test_the_status_page_tells_the_requester_how_to_get_pushes(file_sos, citizen, operator, client):
    req = file_sos()
    client.force_login(citizen)
    assert 'data-testid="sos-push-hint"' in client.get(f"/sos/{req.pk}/").content.decode()
    client.force_login(operator)
    assert 'data-testid="sos-push-hint"' not in client.get(f"/sos/{req.pk}/").content.decode()
