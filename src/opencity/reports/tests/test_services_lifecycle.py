"""A field report's life after submit, through the services (DESIGN.md §4): the IOC's triage,
the unit's processing, the reporter's rating and dispute, and who is told what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.utils import timezone

from opencity.accounts.models import Role, User
from opencity.errors import IllegalTransitionError, PermissionDeniedError, ValidationError
from opencity.lib.models import AuditLog
from opencity.lib.worktime import TZ
from opencity.notifications.models import Notification
from opencity.reports import selectors, services
from opencity.reports.models import (
    Category,
    ExtensionRequest,
    Photo,
    Priority,
    Report,
    RoutingRule,
    Status,
)
from opencity.worktime.selectors import default_calendar

from .factories import jpeg_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(make_report, lighting_rule) -> Report:
    return make_report()


@pytest.fixture
def assigned(report, operator) -> Report:
    return services.report_route(report_id=report.pk, actor=operator)


@pytest.fixture
def in_progress(assigned, officer) -> Report:
    return services.report_accept(report_id=assigned.pk, actor=officer)


@pytest.fixture
def resolved(in_progress, officer) -> Report:
    return services.report_resolve(
        report_id=in_progress.pk,
        actor=officer,
        result="Đã thay bóng đèn mới",
        photos=[jpeg_upload(color=(250, 250, 200))],
    )


def _fresh(report: Report) -> Report:
    return Report.objects.get(pk=report.pk)


def _actions(report: Report) -> list[str]:
    return list(report.events.values_list("action", flat=True))


def _in_working_hours(moment: dt.datetime) -> bool:
    cal = default_calendar()
    local = moment.astimezone(TZ)
    return cal.is_working_day(local.date()) and any(b <= local.time() <= e for b, e in cal.periods)


# --- the whole story ------------------------------------------------------------------


def test_the_street_light_story_runs_from_submit_to_rating(
    make_report, lighting_rule, operator, officer, citizen, urban_works
):
    report = make_report()
    assert report.status == Status.NEW and report.area.name == "Phường Phú Xuân"
    services.report_route(report_id=report.pk, actor=operator)
    services.report_accept(report_id=report.pk, actor=officer)
    services.report_resolve(report_id=report.pk, actor=officer, result="Đã thay bóng đèn")
    services.report_rate(report_id=report.pk, actor=citizen, rating=5, comment="Cảm ơn")
    report = _fresh(report)
    assert report.status == Status.CLOSED and report.rating == 5 and report.unit == urban_works
    assert _actions(report) == ["submit", "route", "accept", "resolve", "rate"]
    assert report.version == 5


# --- route ----------------------------------------------------------------------------


def test_routing_sends_the_report_to_the_unit_the_rules_propose(report, operator, urban_works):
    services.report_route(report_id=report.pk, actor=operator, note="Đã xác minh")
    report = _fresh(report)
    assert report.status == Status.ASSIGNED and report.unit == urban_works
    event = report.events.get(action="route")
    assert event.actor == operator and event.note == "Đã xác minh" and event.is_public
    assert event.data["proposed_unit_id"] == urban_works.pk and event.data["overridden"] is False
    assert AuditLog.objects.filter(
        actor=operator, action="report.route", target_id=str(report.pk)
    ).exists()


def test_a_ward_rule_beats_the_city_rule(report, operator, lighting, phu_xuan, ward_unit):
    RoutingRule.objects.create(category=lighting, area=phu_xuan, unit=ward_unit)
    services.report_route(report_id=report.pk, actor=operator)
    assert _fresh(report).unit == ward_unit


def test_an_operator_can_override_the_proposed_unit_and_it_is_recorded(
    report, operator, other_unit, urban_works
):
    services.report_route(report_id=report.pk, actor=operator, unit_id=other_unit.pk)
    report = _fresh(report)
    assert report.unit == other_unit
    data = report.events.get(action="route").data
    assert data["overridden"] is True and data["proposed_unit_id"] == urban_works.pk
    assert data["unit_id"] == other_unit.pk


def test_without_a_rule_the_operator_must_choose_a_unit(make_report, operator):
    report = make_report()
    with pytest.raises(ValidationError) as exc:
        services.report_route(report_id=report.pk, actor=operator)
    assert exc.value.field == "unit"
    assert _fresh(report).status == Status.NEW


def test_the_deadline_is_counted_in_working_hours_from_routing(assigned, lighting):
    report = _fresh(assigned)
    assert report.assigned_at is not None and report.due_at > report.assigned_at
    assert _in_working_hours(report.due_at)
    hours = default_calendar().working_hours_between(report.assigned_at, report.due_at)
    assert hours == pytest.approx(lighting.deadline_hours)


def test_an_officer_cannot_route(report, officer):
    with pytest.raises(PermissionDeniedError):
        services.report_route(report_id=report.pk, actor=officer)
    assert _fresh(report).status == Status.NEW


# --- merge, reject --------------------------------------------------------------------


def test_merging_makes_the_reporter_follow_the_original(make_report, operator, citizen, citizen2):
    original = make_report(reporter=citizen2, description="Đèn đường tắt cả tuần")
    duplicate = make_report()
    services.report_merge(report_id=duplicate.pk, actor=operator, into_id=original.pk, note="Trùng")
    duplicate, original = _fresh(duplicate), _fresh(original)
    assert duplicate.status == Status.MERGED and duplicate.merged_into == original
    assert original.follows.filter(user=citizen, me_too=True).exists()
    assert original.me_too_count == 1
    assert selectors.report_mine(user=citizen).filter(pk=original.pk).exists()


def test_a_report_cannot_be_merged_into_itself_or_a_rejected_one(make_report, operator):
    report, other = make_report(), make_report()
    with pytest.raises(ValidationError):
        services.report_merge(report_id=report.pk, actor=operator, into_id=report.pk)
    services.report_reject(report_id=other.pk, actor=operator, reason="spam")
    with pytest.raises(ValidationError):
        services.report_merge(report_id=report.pk, actor=operator, into_id=other.pk)
    assert _fresh(report).status == Status.NEW


def test_a_rejection_gives_a_public_reason(report, operator):
    services.report_reject(
        report_id=report.pk, actor=operator, reason="out_of_scope", note="Thuộc phạm vi tư nhân"
    )
    report = _fresh(report)
    assert report.status == Status.REJECTED and report.reject_reason == "out_of_scope"
    assert report.status_note == "Thuộc phạm vi tư nhân"
    public = selectors.timeline(user=None, report=report)
    assert public.filter(action="reject", note="Thuộc phạm vi tư nhân").exists()


def test_a_report_rejected_as_spam_disappears_from_the_public(report, operator):
    services.report_reject(report_id=report.pk, actor=operator, reason="spam")
    report = _fresh(report)
    assert report.status_note  # the reason's label
    assert not selectors.report_list(user=None).filter(pk=report.pk).exists()


def test_a_rejection_needs_a_known_reason(report, operator):
    with pytest.raises(ValidationError):
        services.report_reject(report_id=report.pk, actor=operator, reason="boring")
    assert _fresh(report).status == Status.NEW


# --- correct, priority, moderation ----------------------------------------------------


def test_correcting_the_place_moves_the_report_to_the_new_ward(assigned, operator, thuan_hoa):
    services.report_correct(
        report_id=assigned.pk, actor=operator, lat=thuan_hoa.lat, lon=thuan_hoa.lon
    )
    report = _fresh(assigned)
    assert report.area == thuan_hoa and (report.lat, report.lon) == (thuan_hoa.lat, thuan_hoa.lon)
    assert report.status == Status.ASSIGNED
    event = report.events.get(action="correct")
    assert event.data["area"] == ["Phường Phú Xuân", "Phường Thuận Hóa"]


def test_correcting_the_category(report, operator):
    water = Category.objects.create(code="cap-nuoc", name_vi="Cấp nước", name_en="Water supply")
    services.report_correct(report_id=report.pk, actor=operator, category_id=water.pk)
    report = _fresh(report)
    assert report.category == water
    assert report.events.get(action="correct").data["category"] == [
        "Chiếu sáng công cộng",
        "Cấp nước",
    ]
    assert AuditLog.objects.filter(action="report.correct", target_id=str(report.pk)).exists()


def test_a_correction_outside_the_city_or_without_change_is_refused(report, operator):
    with pytest.raises(ValidationError):
        services.report_correct(report_id=report.pk, actor=operator, lat=21.0285, lon=105.8542)
    with pytest.raises(ValidationError):
        services.report_correct(report_id=report.pk, actor=operator, category_id=report.category_id)
    assert _actions(report) == ["submit"]


def test_setting_the_priority_is_an_internal_event(report, operator):
    services.report_set_priority(report_id=report.pk, actor=operator, priority=Priority.URGENT)
    report = _fresh(report)
    assert report.priority == Priority.URGENT
    event = report.events.get(action="set_priority")
    assert event.is_public is False and event.data == {
        "from": Priority.NORMAL,
        "to": Priority.URGENT,
    }
    with pytest.raises(ValidationError):
        services.report_set_priority(report_id=report.pk, actor=operator, priority=9)


def test_moderating_the_text_changes_what_the_public_sees_and_keeps_the_original(report, operator):
    original = report.description
    services.report_moderate_text(
        report_id=report.pk,
        actor=operator,
        public_text="Điện đường bị hỏng trước nhà dân.",
        note="Bỏ số nhà",
    )
    report = _fresh(report)
    assert report.description == original
    assert report.public_description == "Điện đường bị hỏng trước nhà dân."
    event = report.events.get(action="moderate")
    assert event.is_public is False and event.data["before"] == original
    assert not selectors.timeline(user=None, report=report).filter(action="moderate").exists()
    assert selectors.timeline(user=operator, report=report).filter(action="moderate").exists()
    assert AuditLog.objects.filter(actor=operator, action="report.moderate_text").count() == 1
    services.report_moderate_text(report_id=report.pk, actor=operator, public_text="")
    assert _fresh(report).public_description == original


def _read(field) -> bytes:
    with field.open("rb") as fh:
        return fh.read()


def test_blurring_a_photo_keeps_the_original_for_staff(make_report, operator):
    report = make_report(photos=[jpeg_upload(size=(300, 200), color=(10, 200, 30))])
    photo = report.photos.get()
    before = _read(photo.image)
    services.photo_moderate(
        photo_id=photo.pk, actor=operator, action="blur", boxes=[(0.1, 0.1, 0.5, 0.5)]
    )
    photo = Photo.objects.get(pk=photo.pk)
    assert photo.is_moderated and photo.original
    assert _read(photo.original) == before
    assert _read(photo.image) != before
    assert default_storage.exists(photo.original.name)
    event = report.events.get(action="moderate")
    assert event.is_public is False and event.data["action"] == "blur"
    assert AuditLog.objects.filter(action="report.photo_blur").exists()

    services.photo_moderate(photo_id=photo.pk, actor=operator, action="restore")
    photo = Photo.objects.get(pk=photo.pk)
    assert photo.is_moderated is False


def test_a_hidden_photo_is_hidden_from_the_public_only(make_report, operator, citizen2):
    report = make_report(photos=[jpeg_upload(), jpeg_upload(color=(0, 0, 0))])
    first = report.photos.first()
    services.photo_moderate(photo_id=first.pk, actor=operator, action="hide")
    assert first not in selectors.visible_photos(user=None, report=report, kind="report")
    assert first not in selectors.visible_photos(user=citizen2, report=report)
    assert selectors.visible_photos(user=None, report=report).count() == 1
    assert first in selectors.visible_photos(user=operator, report=report, kind="report")
    services.photo_moderate(photo_id=first.pk, actor=operator, action="show")
    assert selectors.visible_photos(user=None, report=report).count() == 2


def test_an_officer_cannot_moderate(make_report, officer):
    report = make_report(photos=[jpeg_upload()])
    with pytest.raises(PermissionDeniedError):
        services.photo_moderate(photo_id=report.photos.get().pk, actor=officer, action="hide")
    with pytest.raises(PermissionDeniedError):
        services.report_moderate_text(report_id=report.pk, actor=officer, public_text="x")


# --- the unit: accept, return, questions ----------------------------------------------


def test_the_assigned_units_officer_accepts(assigned, officer, urban_works):
    services.report_accept(report_id=assigned.pk, actor=officer)
    report = _fresh(assigned)
    assert report.status == Status.IN_PROGRESS
    event = report.events.get(action="accept")
    assert event.actor == officer and event.actor_unit == urban_works


def test_an_officer_cannot_accept_other_units_report(assigned, other_officer):
    with pytest.raises(PermissionDeniedError):
        services.report_accept(report_id=assigned.pk, actor=other_officer)
    assert _fresh(assigned).status == Status.ASSIGNED


def test_returning_clears_the_unit_and_keeps_the_reason_internal(in_progress, officer, urban_works):
    returned = services.report_return(
        report_id=in_progress.pk, actor=officer, reason="Không thuộc thẩm quyền"
    )
    report = _fresh(in_progress)
    assert report.status == Status.NEW
    assert report.unit is None and report.due_at is None and report.assigned_at is None
    assert returned.unit_id is None  # the object handed back tells the truth too
    event = report.events.get(action="return")
    assert event.is_public is False and event.note == "Không thuộc thẩm quyền"
    assert event.data["unit_id"] == urban_works.pk
    assert not selectors.timeline(user=None, report=report).filter(action="return").exists()


def test_a_return_needs_a_reason(assigned, officer):
    with pytest.raises(ValidationError):
        services.report_return(report_id=assigned.pk, actor=officer, reason="  ")
    assert _fresh(assigned).status == Status.ASSIGNED


def test_asking_and_answering_toggles_awaiting_citizen(in_progress, officer, citizen, citizen2):
    services.report_ask_info(report_id=in_progress.pk, actor=officer, question="Cột đèn số mấy?")
    assert _fresh(in_progress).awaiting_citizen is True
    with pytest.raises(PermissionDeniedError):
        services.report_answer_info(report_id=in_progress.pk, actor=citizen2, text="Cột 12")
    services.report_answer_info(
        report_id=in_progress.pk, actor=citizen, text="Cột số 12", photos=[jpeg_upload()]
    )
    report = _fresh(in_progress)
    assert report.awaiting_citizen is False and report.status == Status.IN_PROGRESS
    answer = report.events.get(action="answer_info")
    assert answer.note == "Cột số 12" and answer.photos.get().kind == "update"
    with pytest.raises(IllegalTransitionError):
        services.report_answer_info(report_id=in_progress.pk, actor=citizen, text="Lần nữa")


# --- extensions -----------------------------------------------------------------------


def test_an_approved_extension_moves_the_deadline_later(in_progress, officer, unit_head):
    due = _fresh(in_progress).due_at
    ext = services.report_request_extension(
        report_id=in_progress.pk, actor=officer, extra_hours=8, reason="Chờ vật tư"
    )
    assert ext.status == "pending"
    assert in_progress.events.get(action="request_extension").is_public is False
    with pytest.raises(PermissionDeniedError):
        services.report_decide_extension(extension_id=ext.pk, actor=officer, approve=True)
    services.report_decide_extension(extension_id=ext.pk, actor=unit_head, approve=True)
    report = _fresh(in_progress)
    assert report.due_at == default_calendar().add_working_hours(due, 8)
    assert report.due_at > due
    ext.refresh_from_db()
    assert ext.status == "approved" and ext.decided_by == unit_head


def test_a_denied_extension_keeps_the_deadline(in_progress, officer, operator):
    due = _fresh(in_progress).due_at
    ext = services.report_request_extension(
        report_id=in_progress.pk, actor=officer, extra_hours=8, reason="Chờ vật tư"
    )
    services.report_decide_extension(extension_id=ext.pk, actor=operator, approve=False)
    assert _fresh(in_progress).due_at == due
    assert ExtensionRequest.objects.get(pk=ext.pk).status == "denied"
    with pytest.raises(ValidationError):
        services.report_decide_extension(extension_id=ext.pk, actor=operator, approve=True)


def test_only_one_extension_request_waits_at_a_time(in_progress, officer):
    services.report_request_extension(
        report_id=in_progress.pk, actor=officer, extra_hours=8, reason="a"
    )
    with pytest.raises(ValidationError):
        services.report_request_extension(
            report_id=in_progress.pk, actor=officer, extra_hours=4, reason="b"
        )
    with pytest.raises(ValidationError):
        services.report_request_extension(
            report_id=in_progress.pk, actor=officer, extra_hours=0, reason="c"
        )


# --- results --------------------------------------------------------------------------


def test_resolving_publishes_the_result_and_its_photos(resolved, officer):
    report = _fresh(resolved)
    assert report.status == Status.RESOLVED and report.resolved_at is not None
    assert report.result_text == "Đã thay bóng đèn mới"
    event = report.events.get(action="resolve")
    assert event.is_public and event.photos.get().kind == "result"
    assert selectors.visible_photos(user=None, report=report, kind="result").count() == 1


@pytest.fixture
def approval_needed(urban_works):
    urban_works.requires_result_approval = True
    urban_works.save()
    return urban_works


def test_a_result_waiting_for_the_heads_approval_is_not_public(
    in_progress, officer, citizen, approval_needed
):
    services.report_resolve(
        report_id=in_progress.pk, actor=officer, result="Đã sửa", photos=[jpeg_upload()]
    )
    report = _fresh(in_progress)
    assert report.status == Status.IN_PROGRESS and report.result_pending is True
    assert report.events.get(action="submit_result").is_public is False
    for user in (None, citizen):
        assert selectors.visible_photos(user=user, report=report, kind="result").count() == 0
        assert selectors.visible_photos(user=user, report=report).count() == 0
    assert selectors.visible_photos(user=officer, report=report, kind="result").count() == 1


def test_the_head_approves_a_result_and_it_becomes_public(
    in_progress, officer, unit_head, approval_needed
):
    services.report_resolve(
        report_id=in_progress.pk, actor=officer, result="Đã sửa", photos=[jpeg_upload()]
    )
    with pytest.raises(PermissionDeniedError):
        services.report_decide_result(report_id=in_progress.pk, actor=officer, approve=True)
    services.report_decide_result(report_id=in_progress.pk, actor=unit_head, approve=True)
    report = _fresh(in_progress)
    assert report.status == Status.RESOLVED and report.result_pending is False
    assert report.events.get(action="resolve").data["approved_by_head"] is True
    assert selectors.visible_photos(user=None, report=report, kind="result").count() == 1


def test_the_head_sends_a_result_back(in_progress, officer, unit_head, approval_needed):
    services.report_resolve(
        report_id=in_progress.pk, actor=officer, result="Đã sửa", photos=[jpeg_upload()]
    )
    services.report_decide_result(
        report_id=in_progress.pk, actor=unit_head, approve=False, note="Ảnh mờ"
    )
    report = _fresh(in_progress)
    assert report.status == Status.IN_PROGRESS and report.result_pending is False
    assert report.photos.get(kind="result").is_hidden
    with pytest.raises(IllegalTransitionError):
        services.report_decide_result(report_id=in_progress.pk, actor=unit_head, approve=True)


def test_the_head_resolves_directly_even_where_approval_is_needed(
    in_progress, unit_head, approval_needed
):
    services.report_resolve(report_id=in_progress.pk, actor=unit_head, result="Đã sửa")
    assert _fresh(in_progress).status == Status.RESOLVED


# --- rating, closing, disputes --------------------------------------------------------


def test_the_reporter_rates_and_the_report_closes(resolved, citizen):
    services.report_rate(report_id=resolved.pk, actor=citizen, rating=4, comment="Nhanh")
    report = _fresh(resolved)
    assert report.status == Status.CLOSED and report.rating == 4 and report.closed_at is not None
    assert report.events.get(action="rate").data == {"rating": 4}


@pytest.mark.parametrize("rating", [0, 6, "năm", None])
def test_a_rating_outside_1_to_5_is_refused(resolved, citizen, rating):
    with pytest.raises(ValidationError) as exc:
        services.report_rate(report_id=resolved.pk, actor=citizen, rating=rating)
    assert exc.value.field == "rating"
    report = _fresh(resolved)
    assert report.status == Status.RESOLVED and report.rating is None


def test_only_the_reporter_rates(resolved, citizen2, officer):
    for user in (citizen2, officer):
        with pytest.raises(PermissionDeniedError):
            services.report_rate(report_id=resolved.pk, actor=user, rating=5)


def _age_result(report: Report, days: float) -> None:
    Report.objects.filter(pk=report.pk).update(resolved_at=timezone.now() - dt.timedelta(days=days))


def test_reports_close_when_the_rating_window_ends_and_it_is_idempotent(
    resolved, make_report, operator, officer
):
    recent = make_report()
    services.report_route(report_id=recent.pk, actor=operator)
    services.report_accept(report_id=recent.pk, actor=officer)
    services.report_resolve(report_id=recent.pk, actor=officer, result="Xong")
    _age_result(resolved, 8)

    assert services.report_close_expired() == 1
    assert services.report_close_expired() == 0
    report = _fresh(resolved)
    assert report.status == Status.CLOSED and report.rating is None
    close = report.events.get(action="close")
    assert close.actor is None and close.from_status == "resolved"
    assert _fresh(recent).status == Status.RESOLVED


def test_the_reporter_disputes_and_the_ioc_reopens_with_a_new_deadline(resolved, citizen, operator):
    services.report_rate(report_id=resolved.pk, actor=citizen, rating=1)
    services.report_dispute(report_id=resolved.pk, actor=citizen, reason="Đèn lại tắt")
    assert _fresh(resolved).dispute_pending is True
    before = timezone.now()
    services.report_decide_dispute(
        report_id=resolved.pk, actor=operator, agree=True, note="Giao lại"
    )
    report = _fresh(resolved)
    assert report.status == Status.IN_PROGRESS and report.dispute_pending is False
    assert report.rating is None and report.resolved_at is None
    assert report.due_at > before and _in_working_hours(report.due_at)
    assert report.events.get(action="reopen").data["previous"]["rating"] == 1


def test_the_ioc_denies_a_dispute_and_the_report_stays_resolved(resolved, citizen, operator):
    services.report_dispute(report_id=resolved.pk, actor=citizen, reason="Chưa sửa")
    services.report_decide_dispute(
        report_id=resolved.pk, actor=operator, agree=False, note="Đã kiểm tra"
    )
    report = _fresh(resolved)
    assert report.status == Status.RESOLVED and report.dispute_pending is False
    assert _actions(report)[-2:] == ["dispute", "deny_dispute"]


def test_a_dispute_after_7_days_is_refused(resolved, citizen):
    _age_result(resolved, 7)
    with pytest.raises(IllegalTransitionError):
        services.report_dispute(report_id=resolved.pk, actor=citizen, reason="Quá hạn")
    assert _fresh(resolved).dispute_pending is False


def test_a_dispute_on_day_6_is_still_accepted(resolved, citizen):
    _age_result(resolved, 6.9)
    services.report_dispute(report_id=resolved.pk, actor=citizen, reason="Chưa sửa")
    assert _fresh(resolved).dispute_pending is True


def test_only_the_reporter_disputes_and_only_the_ioc_decides(resolved, citizen, citizen2, officer):
    with pytest.raises(PermissionDeniedError):
        services.report_dispute(report_id=resolved.pk, actor=citizen2, reason="x")
    services.report_dispute(report_id=resolved.pk, actor=citizen, reason="x")
    with pytest.raises(PermissionDeniedError):
        services.report_decide_dispute(report_id=resolved.pk, actor=officer, agree=True)


def test_a_disputed_report_is_not_closed_by_the_rating_window(resolved, citizen):
    services.report_dispute(report_id=resolved.pk, actor=citizen, reason="Chưa sửa")
    _age_result(resolved, 8)
    assert services.report_close_expired() == 0
    assert _fresh(resolved).status == Status.RESOLVED


# --- following, "me too" --------------------------------------------------------------


def _citizen(n: int) -> User:
    return User.objects.create_user(
        f"09060000{n:02d}", "x", full_name=f"Người {n}", role=Role.CITIZEN
    )


def test_follow_me_too_and_unfollow_keep_the_count(report, citizen, citizen2):
    services.report_follow(report_id=report.pk, actor=citizen2, me_too=True)
    services.report_follow(report_id=report.pk, actor=citizen2, me_too=True)
    assert _fresh(report).me_too_count == 1
    other = _citizen(1)
    services.report_follow(report_id=report.pk, actor=other)
    assert _fresh(report).me_too_count == 1 and report.follows.count() == 2
    services.report_follow(report_id=report.pk, actor=other, me_too=True)
    assert _fresh(report).me_too_count == 2
    services.report_unfollow(report_id=report.pk, actor=citizen2)
    services.report_unfollow(report_id=report.pk, actor=citizen2)
    assert _fresh(report).me_too_count == 1 and report.follows.count() == 1
    with pytest.raises(PermissionDeniedError):
        services.report_follow(report_id=report.pk, actor=citizen, me_too=True)


def test_three_me_too_raise_a_normal_report_to_high_priority(report):
    for n in range(3):
        services.report_follow(report_id=report.pk, actor=_citizen(n), me_too=True)
    report = _fresh(report)
    assert report.me_too_count == 3 and report.priority == Priority.HIGH
    event = report.events.get(action="set_priority")
    assert event.actor is None and event.data["me_too"] == 3


def test_nobody_can_follow_a_private_report_they_cannot_see(make_report, citizen2):
    report = make_report(is_public=False)
    with pytest.raises(PermissionDeniedError):
        services.report_follow(report_id=report.pk, actor=citizen2)


# --- notifications --------------------------------------------------------------------


def test_routing_tells_the_reporter_and_the_units_members(
    report, operator, officer, unit_head, citizen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.report_route(report_id=report.pk, actor=operator)
    to_reporter = Notification.objects.get(user=citizen, verb="route")
    assert (to_reporter.subject_type, to_reporter.subject_id, to_reporter.reference) == ("report", report.pk, report.ref)
    assert report.ref in to_reporter.title
    assert to_reporter.url == f"/reports/{report.pk}/"
    members = set(
        Notification.objects.filter(verb="route")
        .exclude(user=citizen)
        .values_list("user", flat=True)
    )
    assert members == {officer.pk, unit_head.pk}
    assert not Notification.objects.filter(user=operator).exists()  # not told about their own act


def test_notifications_are_e_mailed_to_people_with_an_address(
    report, operator, citizen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.report_route(report_id=report.pk, actor=operator)
    # the background task (huey, immediate in tests) sent it: only the citizen has an address
    assert [m.to for m in mail.outbox] == [["an@example.vn"]]
    assert report.ref in mail.outbox[0].subject
    assert f"/reports/{report.pk}/" in mail.outbox[0].body
    assert Notification.objects.get(user=citizen).emailed_at is not None


def test_resolving_tells_the_reporter_and_the_followers(
    in_progress, officer, citizen, citizen2, django_capture_on_commit_callbacks
):
    services.report_follow(report_id=in_progress.pk, actor=citizen2)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_resolve(report_id=in_progress.pk, actor=officer, result="Đã thay bóng đèn")
    told = set(Notification.objects.filter(verb="resolve").values_list("user", flat=True))
    assert told == {citizen.pk, citizen2.pk}
    assert Notification.objects.get(user=citizen, verb="resolve").body == "Đã thay bóng đèn"


def test_a_return_tells_the_ioc_which_unit_sent_it_back(
    in_progress, officer, operator, urban_works, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.report_return(
            report_id=in_progress.pk, actor=officer, reason="Không thuộc thẩm quyền"
        )
    note = Notification.objects.get(user=operator, verb="return")
    assert urban_works.name in note.title and note.body == "Không thuộc thẩm quyền"


def test_an_internal_note_reaches_nobody_outside(
    in_progress, officer, citizen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.report_add_note(report_id=in_progress.pk, actor=officer, text="Gọi điện cho đội 2")
    assert not Notification.objects.filter(user=citizen, verb="note").exists()
    assert (
        not selectors.timeline(user=citizen, report=_fresh(in_progress))
        .filter(action="note")
        .exists()
    )
