"""Publish, update, cancel: the chain of immutable messages, what is in force, who may do it,
and the input each service refuses."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from opencity import policy
from opencity.alerts import selectors, services
from opencity.alerts.cap import reference
from opencity.alerts.models import Alert, Message
from opencity.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from opencity.lib.models import AuditLog
from opencity.orgs.models import Membership

from .factories import content

pytestmark = pytest.mark.django_db


def test_publish_writes_the_first_message_of_a_chain(publish, operator, thuan_an, phu_vang):
    message = publish()
    alert = message.alert
    assert (message.seq, message.msg_type, message.references, message.previous) == (1, "Alert", "", None)
    assert alert.latest == message and alert.unit is None and alert.status == "Actual"
    assert set(message.areas.all()) == {thuan_an, phu_vang}
    assert message.category == "Met"  # from the event when not chosen
    assert message.sender == "ioc@hue.gov.vn"
    assert message.sender_name.startswith("Trung tâm Giám sát")
    assert message.sent.microsecond == 0
    assert " " not in message.identifier and "," not in message.identifier
    assert AuditLog.objects.filter(action="warning.publish", actor=operator).exists()


def test_update_and_cancel_each_refer_to_every_message_before(publish, operator, kim_long):
    first = publish()
    later = timezone.now() + dt.timedelta(seconds=5)
    second = services.alert_update(actor=operator, alert_id=first.alert_id, **content(
        severity="Extreme", headline_vi="Lũ đặc biệt lớn", area_ids=[kim_long.pk]), note="Nâng mức", sent=later)
    third = services.alert_cancel(actor=operator, alert_id=first.alert_id, note="Nước đã rút",
                                  sent=later + dt.timedelta(seconds=5))
    assert [m.msg_type for m in selectors.alert_chain(first.alert)] == ["Alert", "Update", "Cancel"]
    assert second.previous == first and third.previous == second
    assert second.references == reference(first)
    assert third.references == f"{reference(first)} {reference(second)}"
    assert list(second.areas.all()) == [kim_long]
    # The cancel carries the last content and target, and the reason.
    assert third.headline_vi == "Lũ đặc biệt lớn" and third.severity == "Extreme" and third.note == "Nước đã rút"
    assert list(third.areas.all()) == [kim_long]
    alert = Alert.objects.get(pk=first.alert_id)
    assert alert.latest == third and selectors.alert_state(alert) == "cancelled"


def test_messages_are_immutable(publish):
    message = publish()
    message.headline_vi = "Sửa lén"
    with pytest.raises(ValueError):
        message.save()


def test_a_warning_is_in_force_until_it_expires_or_is_cancelled(publish, operator, citizen):
    live = publish(headline_vi="Đang hiệu lực")
    expired = publish(headline_vi="Đã hết hạn", effective=timezone.now() - dt.timedelta(days=2),
                      expires=timezone.now() + dt.timedelta(seconds=30))
    Message.objects.filter(pk=expired.pk).update(expires=timezone.now() - dt.timedelta(minutes=1),
                                                 effective=timezone.now() - dt.timedelta(days=2))
    cancelled = publish(headline_vi="Đã hủy")
    services.alert_cancel(actor=operator, alert_id=cancelled.alert_id, sent=timezone.now() + dt.timedelta(seconds=1))
    in_force = selectors.alert_list_in_force(user=citizen)
    assert [a.pk for a in in_force] == [live.alert_id]
    archive = {a.pk for a in selectors.alert_list_archive(user=citizen)}
    assert archive == {expired.alert_id, cancelled.alert_id}


def test_an_update_can_extend_an_expired_warning(publish, operator):
    message = publish()
    Message.objects.filter(pk=message.pk).update(expires=timezone.now() - dt.timedelta(minutes=1),
                                                 effective=timezone.now() - dt.timedelta(hours=5))
    services.alert_update(actor=operator, alert_id=message.alert_id, **content(whole_city=True),
                          sent=timezone.now() + dt.timedelta(seconds=1))
    assert selectors.alert_state(Alert.objects.get(pk=message.alert_id)) == "in_force"


def test_most_severe_warnings_come_first(publish, citizen):
    minor = publish(severity="Minor")
    extreme = publish(severity="Extreme")
    assert [a.pk for a in selectors.alert_list_in_force(user=citizen)][:2] == [extreme.alert_id, minor.alert_id]


def test_exercise_and_test_warnings_are_seen_only_by_composers(publish, citizen, operator):
    drill = publish(status="Exercise")
    assert selectors.alert_list_in_force(user=citizen) == []
    assert [a.pk for a in selectors.alert_list_in_force(user=operator)] == [drill.alert_id]


def test_english_text_is_optional_but_complete(publish):
    assert not publish().has_english
    english = publish(headline_en="Flood warning", description_en="The Perfume River is rising.")
    assert english.has_english and english.headline("en") == "Flood warning"
    with pytest.raises(ValidationError) as exc:
        publish(description_en="Only the description")
    assert exc.value.field == "headline_en"
    with pytest.raises(ValidationError) as exc:
        publish(headline_en="Only a headline")
    assert exc.value.field == "description_en"


@pytest.mark.parametrize(("overrides", "field", "code"), [
    ({"headline_vi": "   "}, "headline_vi", "required"),
    ({"description_vi": ""}, "description_vi", "required"),
    ({"headline_vi": "x" * 161}, "headline_vi", "too_long"),
    ({"area_ids": []}, "areas", "no_target"),
    ({"area_ids": [999999]}, "areas", "unknown_area"),
    ({"area_ids": ["abc"]}, "areas", "invalid"),
    ({"event": "meteor"}, "event", "invalid_choice"),
    ({"severity": "Catastrophic"}, "severity", "invalid_choice"),
    ({"response_type": "Panic"}, "response_type", "invalid_choice"),
    ({"category": "Weather"}, "category", "invalid_choice"),
    ({"status": "Draft"}, "status", "invalid_choice"),
    ({"expires": None}, "expires", "required"),
])
def test_it_refuses_bad_content(publish, overrides, field, code):
    with pytest.raises(ValidationError) as exc:
        publish(**overrides)
    assert exc.value.field == field and exc.value.code == code
    assert not Message.objects.exists()


def test_it_refuses_a_warning_that_expires_before_it_takes_effect(publish):
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        publish(effective=now + dt.timedelta(hours=5), expires=now + dt.timedelta(hours=2))
    assert exc.value.code == "expires_before_effective"
    with pytest.raises(ValidationError) as exc:
        publish(effective=now - dt.timedelta(hours=5), expires=now - dt.timedelta(hours=2))
    assert exc.value.code == "already_expired"
    with pytest.raises(ValidationError) as exc:
        publish(onset=now + dt.timedelta(days=3))
    assert exc.value.field == "onset"


def test_a_ward_outside_the_city_is_refused(publish, city):
    with pytest.raises(ValidationError) as exc:
        publish(area_ids=[city.pk])  # the city itself is not a ward: use "whole city"
    assert exc.value.code == "unknown_area"


def test_the_whole_city_needs_no_wards(publish):
    message = publish(whole_city=True, area_ids=[])
    assert message.whole_city and not message.areas.exists()


def test_a_cancelled_warning_cannot_be_updated_or_cancelled_again(publish, operator):
    message = publish()
    services.alert_cancel(actor=operator, alert_id=message.alert_id, sent=timezone.now() + dt.timedelta(seconds=1))
    with pytest.raises(ConflictError) as exc:
        services.alert_update(actor=operator, alert_id=message.alert_id, **content(whole_city=True))
    assert exc.value.code == "cancelled" and exc.value.http_status == 409
    with pytest.raises(ConflictError):
        services.alert_cancel(actor=operator, alert_id=message.alert_id)


def test_an_update_based_on_an_old_message_is_refused(publish, operator):
    first = publish()
    services.alert_update(actor=operator, alert_id=first.alert_id, **content(whole_city=True), based_on=first.pk,
                          sent=timezone.now() + dt.timedelta(seconds=1))
    with pytest.raises(ConflictError) as exc:
        services.alert_update(actor=operator, alert_id=first.alert_id, **content(whole_city=True), based_on=first.pk,
                              sent=timezone.now() + dt.timedelta(seconds=2))
    assert exc.value.code == "stale"


def test_unknown_warnings_are_not_found(operator):
    with pytest.raises(NotFoundError):
        services.alert_cancel(actor=operator, alert_id=424242)
    with pytest.raises(NotFoundError):
        services.alert_update(actor=operator, alert_id="abc", **content(whole_city=True))


def test_citizens_and_ordinary_officers_cannot_issue_warnings(publish, citizen, officer, leader, hotline):
    for user in (citizen, officer, leader, hotline):
        assert not policy.can_issue_warnings(user)
        with pytest.raises(PermissionDeniedError):
            publish(actor=user)
    assert not Message.objects.exists()


def test_members_of_a_unit_allowed_to_warn_issue_in_its_name(publish, forecaster, hydromet, operator, admin_user):
    assert policy.can_issue_warnings(forecaster)
    assert policy.can_issue_warnings(operator) and policy.can_issue_warnings(admin_user)
    message = publish(actor=forecaster)
    assert message.alert.unit == hydromet and message.sender_name == hydromet.name
    assert policy.navigation(forecaster)["warnings_compose"]


def test_a_member_of_several_warning_units_must_choose(publish, forecaster, city):
    from opencity.orgs.models import Unit

    dam = Unit.objects.create(code="thuy-dien", name="Công ty Thủy điện Hương Điền", area=city,
                              kind="enterprise", can_issue_warnings=True)
    Membership.objects.create(unit=dam, user=forecaster)
    with pytest.raises(ValidationError) as exc:
        publish(actor=forecaster)
    assert exc.value.field == "unit"
    assert publish(actor=forecaster, unit=dam.pk).alert.unit == dam


def test_a_unit_that_lost_the_right_to_warn_cannot(publish, forecaster, hydromet):
    hydromet.can_issue_warnings = False
    hydromet.save()
    with pytest.raises(PermissionDeniedError):
        publish(actor=forecaster)


def test_only_the_issuing_unit_and_the_ioc_manage_a_unit_warning(publish, forecaster, operator, city, officer):
    from opencity.orgs.models import Unit

    message = publish(actor=forecaster)
    other = Unit.objects.create(code="thuy-dien", name="Thủy điện", area=city, can_issue_warnings=True)
    stranger = officer
    Membership.objects.create(unit=other, user=stranger)
    with pytest.raises(PermissionDeniedError):
        services.alert_cancel(actor=stranger, alert_id=message.alert_id)
    services.alert_update(actor=forecaster, alert_id=message.alert_id, **content(whole_city=True),
                          sent=timezone.now() + dt.timedelta(seconds=1))
    services.alert_cancel(actor=operator, alert_id=message.alert_id, sent=timezone.now() + dt.timedelta(seconds=2))


def test_an_ioc_warning_is_not_managed_by_units(publish, forecaster):
    message = publish()
    with pytest.raises(PermissionDeniedError):
        services.alert_cancel(actor=forecaster, alert_id=message.alert_id)
