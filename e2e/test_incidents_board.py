"""The task board: the operator requests a team for the incident, assigns and mobilises it (its
members are called out), puts a task on the board in a ward and gives it to that team."""

from __future__ import annotations

import re

from django.utils import translation

from opencity.accounts.models import Role, User
from opencity.conftest import PASSWORD


def test_an_operator_calls_a_team_out_and_gives_it_a_task(login, operator, phu_xuan, thuan_hoa):
    from opencity.emergency.models import RescueTeam
    from opencity.incidents import services
    from opencity.incidents.models import DeploymentStatus, Task
    from opencity.notifications.models import Notification

    incident = services.incident_open(actor=operator, kind="flood", name="Lũ lớn tháng 11", level=3,
                                      area_ids=[phu_xuan.pk, thuan_hoa.pk], active=True)
    team = RescueTeam.objects.create(name="Đội xung kích Phú Xuân", kind="militia")
    member = User.objects.create_user("0901000077", PASSWORD, full_name="Nguyễn Văn Xung", role=Role.CITIZEN)
    team.members.add(member)

    page = login(operator, width=1366)
    page.goto(f"/incidents/{incident.pk}/")
    page.click("[data-testid=board-link]")
    page.wait_for_url(re.compile(rf"/incidents/{incident.pk}/board/$"))

    # Request the team for Phú Xuân, then assign and mobilise it.
    form = page.locator("[data-testid=team-form]")
    form.locator("select[name=team]").select_option(str(team.pk))
    form.locator("select[name=area]").select_option(str(phu_xuan.pk))
    form.locator("[data-testid=team-request]").click()
    page.wait_for_load_state()
    card = page.locator(f"[data-testid=team][data-team='{team.pk}']")
    assert card.get_attribute("data-status") == "requested"
    for action in ("assign", "mobilize"):
        card.locator(f"[data-action={action}]").click()
        page.wait_for_load_state()
        card = page.locator(f"[data-testid=team][data-team='{team.pk}']")
    assert card.get_attribute("data-status") == "mobilized"
    with translation.override("vi"):
        mobilised = str(DeploymentStatus.MOBILIZED.label)
    assert card.locator("[data-testid=team-status]").inner_text().strip() == mobilised
    assert Notification.objects.filter(user=member, verb="incident_callout").count() == 1

    # A task in Phú Xuân, given to that team: it moves to the "Assigned" column.
    task_form = page.locator("[data-testid=task-form]")
    task_form.locator("#id_title").fill("Sơ tán 12 hộ dân thôn Vỹ Dạ")
    task_form.locator("#id_area").select_option(str(phu_xuan.pk))
    task_form.locator("#id_place").fill("Thôn Vỹ Dạ")
    task_form.locator("#id_priority").select_option("3")
    task_form.locator("[data-testid=task-create]").click()
    page.wait_for_load_state()
    task = Task.objects.get()
    todo = page.locator("[data-testid=board-col][data-status=open]")
    todo.locator(f"[data-testid=task-card][data-id='{task.pk}'] select[name=deployment]").select_option(label=team.name)
    todo.locator(f"[data-testid=task-card][data-id='{task.pk}'] [data-action=assign]").click()
    page.wait_for_load_state()
    assigned = page.locator("[data-testid=board-col][data-status=assigned]")
    assigned_card = assigned.locator(f"[data-testid=task-card][data-id='{task.pk}']")
    assert assigned_card.count() == 1
    assert "Sơ tán 12 hộ dân thôn Vỹ Dạ" in assigned_card.inner_text()
    assert team.name in assigned_card.locator("[data-testid=task-team]").inner_text()
    assert Task.objects.get().status == "assigned"

    # The incident page's part counts it.
    page.goto(f"/incidents/{incident.pk}/")
    counts = page.locator("[data-testid=board-counts] li.board-count-assigned b")
    assert counts.inner_text().strip() == "1"
    assert page.js_errors == []
