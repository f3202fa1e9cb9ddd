"""What operators do with an item: dismiss, answer, turn into a report routed to the unit,
publish the response; each a step with its actor; and who may."""

import pytest

from opencity.errors import (
    ConflictError,
    IllegalTransitionError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from opencity.press import services
from opencity.press.models import ItemStatus, PressItemStep


def _steps(item):
    return [(s.action, s.actor_id) for s in PressItemStep.objects.filter(item=item).order_by("id")]


def test_an_operator_dismisses_an_item_and_the_history_says_who(operator, stored_item):
    item = services.item_dismiss(actor=operator, item_id=stored_item.pk, note="Quảng cáo")
    assert item.status == ItemStatus.DISMISSED and item.dismissed_at
    assert _steps(item) == [("collect", None), ("dismiss", operator.pk)]
    item = services.item_reopen(actor=operator, item_id=item.pk)
    assert item.status == ItemStatus.NEW


def test_a_stale_version_is_a_conflict(operator, stored_item):
    with pytest.raises(ConflictError):
        services.item_dismiss(actor=operator, item_id=stored_item.pk, expected_version=stored_item.version - 1)


def test_an_operator_marks_an_item_answered_and_publishes_the_answer(operator, stored_item):
    item = services.item_answer(actor=operator, item_id=stored_item.pk, answer="Phường đã thay bóng đèn ngày 05/12.")
    assert item.status == ItemStatus.ANSWERED
    item = services.item_respond(actor=operator, item_id=item.pk)
    assert item.response_text == "Phường đã thay bóng đèn ngày 05/12." and item.response_published_at


def test_an_answer_must_say_something(operator, stored_item):
    with pytest.raises(ValidationError):
        services.item_answer(actor=operator, item_id=stored_item.pk, answer="  ")


def test_an_item_becomes_a_press_report_routed_to_the_unit_with_the_link(operator, stored_item, lighting,
                                                                        lighting_rule, urban_works):
    report = services.item_to_report(actor=operator, item_id=stored_item.pk, category_id=lighting.pk,
                                     client_token="press-1")
    assert report.channel == "press"
    assert report.unit == urban_works and report.status == "assigned"
    assert stored_item.url in report.description
    assert report.area.name == "Phường Thuận Hóa"
    stored_item.refresh_from_db()
    assert stored_item.status == ItemStatus.REPORTED and stored_item.report == report
    assert _steps(stored_item)[-1] == ("to_report", operator.pk)
    again = services.item_to_report(actor=operator, item_id=stored_item.pk, category_id=lighting.pk,
                                    client_token="press-1")
    assert again.pk == report.pk


def test_a_reported_item_cannot_be_dismissed_or_reported_again(operator, stored_item, lighting, lighting_rule):
    services.item_to_report(actor=operator, item_id=stored_item.pk, category_id=lighting.pk)
    with pytest.raises(IllegalTransitionError):
        services.item_dismiss(actor=operator, item_id=stored_item.pk)
    with pytest.raises(IllegalTransitionError):
        services.item_to_report(actor=operator, item_id=stored_item.pk, category_id=lighting.pk)


def test_the_units_published_result_becomes_the_citys_response(operator, officer, stored_item, lighting,
                                                               lighting_rule):
    from opencity.reports.services import report_accept, report_resolve

    report = services.item_to_report(actor=operator, item_id=stored_item.pk, category_id=lighting.pk)
    with pytest.raises(ValidationError):
        services.item_respond(actor=operator, item_id=stored_item.pk)
    report_accept(report_id=report.pk, actor=officer)
    report_resolve(report_id=report.pk, actor=officer, result="Đã thay 6 bóng đèn trên kiệt 32 Lê Văn Hưu.")
    item = services.item_respond(actor=operator, item_id=stored_item.pk)
    assert item.response_text == "Đã thay 6 bóng đèn trên kiệt 32 Lê Văn Hưu."
    assert _steps(item)[-1] == ("respond", operator.pk)


def test_a_leader_reads_but_does_not_act(leader, stored_item):
    with pytest.raises(PermissionDeniedError):
        services.item_dismiss(actor=leader, item_id=stored_item.pk)


@pytest.mark.parametrize("who", ["citizen", "officer"])
def test_people_outside_the_press_desk_learn_nothing(request, who, stored_item):
    with pytest.raises(NotFoundError):
        services.item_dismiss(actor=request.getfixturevalue(who), item_id=stored_item.pk)
