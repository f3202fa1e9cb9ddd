"""The Huế demo pack, loaded once for the package (``conftest.demo``), checked from every side."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.utils import timezone

from opencity.accounts.models import User
from opencity.demo import DEMO_PASSWORD, demo_logins
from opencity.lib.phone import normalize_phone
from opencity.orgs.models import Membership, Unit
from opencity.reports.models import (
    Category,
    ExtensionRequest,
    Follow,
    Photo,
    Report,
    ResponseTemplate,
    RoutingRule,
    Status,
    TimelineEvent,
)
from opencity.reports.services import validate_answers
from opencity.reports.workflow import TRANSITIONS

from .conftest import FAST_HASHER, REPORTS


@pytest.fixture
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = FAST_HASHER


def _counts() -> dict[str, int]:
    models = (
        User,
        Unit,
        Membership,
        Category,
        RoutingRule,
        ResponseTemplate,
        Report,
        TimelineEvent,
        Photo,
        Follow,
        ExtensionRequest,
    )
    return {m.__name__: m.objects.count() for m in models}


@pytest.mark.django_db
def test_it_loads_the_requested_number_of_reports_in_every_status(demo):
    assert Report.objects.count() == REPORTS
    statuses = set(Report.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    assert "loaded in" in demo["output"] and "0901000001" in demo["output"]


@pytest.mark.django_db
def test_each_demo_login_authenticates_with_the_demo_password(demo, fast_hasher):
    roles = {}
    for _label, phone, name in demo_logins():
        user = authenticate(phone=normalize_phone(phone), password=DEMO_PASSWORD)
        assert user is not None, phone
        assert user.full_name == name
        roles[phone] = user
    assert [u.role for u in roles.values()] == [
        "citizen",
        "operator",
        "officer",
        "officer",
        "ward_official",
        "hotline",
        "leader",
        "admin",
        "citizen",  # the rescue team's member (issue 14: make run prints it too)
    ]
    assert roles["0901000009"].rescue_teams.filter(name="Đội cứu hộ Phú Vang").exists()
    assert roles["0901000001"].home_area.name == "Phường Phú Xuân"
    assert roles["0901000008"].is_staff and roles["0901000008"].is_superuser
    hepco = Unit.objects.get(code="hepco")
    assert Membership.objects.filter(unit=hepco, user=roles["0901000003"], is_head=False).exists()
    assert Membership.objects.filter(unit=hepco, user=roles["0901000004"], is_head=True).exists()
    ward = roles["0901000005"]
    assert ward.home_area.name == "Phường Phú Xuân"
    assert Membership.objects.filter(unit__code="ubnd-phu-xuan", user=ward).exists()


@pytest.mark.django_db
def test_hepco_handles_street_lighting_and_that_rule_waits_for_the_ioc(demo):
    hepco = Unit.objects.get(code="hepco")
    assert (
        hepco.short_name == "HEPCO"
        and hepco.kind == "enterprise"
        and not hepco.requires_result_approval
    )
    rule = RoutingRule.objects.get(category__code="chieu-sang", area=None)
    assert rule.unit == hepco and rule.automatic is False
    status = Category.objects.get(code="chieu-sang").questions.get(required=True)
    assert status.kind == "single" and status.choices[0]["key"] == "off"
    assert status.choices[0]["vi"] == "Tắt hẳn"
    assert Unit.objects.filter(requires_result_approval=True).count() in (1, 2)
    assert RoutingRule.objects.filter(automatic=True).exists()


@pytest.mark.django_db
def test_every_category_has_a_city_wide_routing_rule(demo):
    categories = Category.objects.all()
    assert categories.count() >= 25
    for category in categories:
        assert RoutingRule.objects.filter(category=category, area=None).exists(), category.code
        assert 8 <= category.deadline_hours <= 80
    ward_rules = RoutingRule.objects.exclude(area=None).select_related("unit", "area")
    assert ward_rules.exists()
    assert all(rule.unit.level == "ward" and rule.unit.area == rule.area for rule in ward_rules)


@pytest.mark.django_db
def test_timelines_are_legal_runs_of_the_workflow_in_time_order(demo):
    now = timezone.now()
    for report in Report.objects.prefetch_related("events"):
        events = list(report.events.all())
        assert events[0].action == "submit" and events[0].created_at == report.created_at
        previous, last_at = "", None
        for event in events:
            transition = TRANSITIONS[event.action]
            assert event.from_status == previous, (report.pk, event.action)
            assert previous in transition.sources, (report.pk, event.action, previous)
            assert event.to_status == (transition.target or previous), (report.pk, event.action)
            assert last_at is None or event.created_at >= last_at, (report.pk, event.action)
            assert event.created_at <= now
            previous, last_at = event.to_status, event.created_at
        assert previous == report.status, report.pk
        assert report.version == len(events)
        assert report.updated_at == events[-1].created_at
        moments = [
            m
            for m in (report.created_at, report.assigned_at, report.resolved_at, report.closed_at)
            if m
        ]
        assert moments == sorted(moments), report.pk
        if report.status in (Status.ASSIGNED, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED):
            assert report.unit_id and report.assigned_at and report.due_at
        if report.status == Status.MERGED:
            assert (
                report.merged_into is not None
                and report.merged_into.created_at <= events[-1].created_at
            )


# the steps a demo timeline is replayed with through the product's services
REPLAYED = {"submit", "set_priority", "route", "accept", "ask_info", "answer_info", "note", "resolve",
            "submit_result", "reject_result", "rate", "close", "request_extension", "decide_extension",
            "return", "reject", "dispute", "reopen", "deny_dispute"}
# What the replay compares: every field the actions' effects set (reports.effects).
REPLAY_FIELDS = ("status", "unit_id", "priority", "assigned_at", "due_at", "paused_at", "awaiting_citizen",
                 "result_text", "result_pending", "resolved_at", "work_hours", "rating", "rating_comment",
                 "dispute_pending", "closed_at", "reject_reason", "status_note")


def _replay(report: Report, monkeypatch):
    """The same timeline through the services, at the same moments (the clock set to each
    event's time): what the product itself makes of it."""
    from opencity.reports import services

    def at(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    events = list(report.events.select_related("actor").order_by("created_at", "id"))
    at(events[0].created_at)
    twin = services.report_submit(reporter=report.reporter, category=report.category,
                                  description=report.description, lat=report.lat, lon=report.lon,
                                  address=report.address, answers=report.answers, is_public=report.is_public,
                                  client_token=f"replay-{report.pk}")
    for e in events[1:]:
        at(e.created_at)
        if e.action == "set_priority":
            services.report_set_priority(report_id=twin.pk, actor=e.actor, priority=e.data["to"])
        elif e.action == "route" and twin.status == Status.NEW:
            services.report_route(report_id=twin.pk, actor=e.actor, unit_id=e.data["unit_id"])
        elif e.action == "accept":
            services.report_accept(report_id=twin.pk, actor=e.actor)
        elif e.action == "ask_info":
            services.report_ask_info(report_id=twin.pk, actor=e.actor, question=e.note)
        elif e.action == "answer_info":
            services.report_answer_info(report_id=twin.pk, actor=e.actor, text=e.note)
        elif e.action == "submit_result":  # an officer's result, for the head's approval
            services.report_resolve(report_id=twin.pk, actor=e.actor, result=e.note)
        elif e.action == "resolve" and Report.objects.get(pk=twin.pk).result_pending:
            services.report_decide_result(report_id=twin.pk, actor=e.actor, approve=True)
        elif e.action == "reject_result":
            services.report_decide_result(report_id=twin.pk, actor=e.actor, approve=False, note=e.note)
        elif e.action == "return":
            services.report_return(report_id=twin.pk, actor=e.actor, reason=e.note)
        elif e.action == "reject":
            services.report_reject(report_id=twin.pk, actor=e.actor, reason=e.data["reason"], note=e.note)
        elif e.action == "dispute":
            services.report_dispute(report_id=twin.pk, actor=e.actor, reason=e.note)
        elif e.action in ("reopen", "deny_dispute"):
            services.report_decide_dispute(report_id=twin.pk, actor=e.actor, agree=e.action == "reopen",
                                           note=e.note)
        elif e.action == "resolve":
            services.report_resolve(report_id=twin.pk, actor=e.actor, result=e.note)
        elif e.action == "rate":
            services.report_rate(report_id=twin.pk, actor=e.actor, rating=e.data["rating"], comment=e.note)
        elif e.action == "close":
            services.report_close_expired(now=e.created_at)
        elif e.action == "request_extension":
            services.report_request_extension(report_id=twin.pk, actor=e.actor, extra_hours=e.data["extra_hours"],
                                              reason=e.note)
        elif e.action == "decide_extension":
            extension = ExtensionRequest.objects.get(report_id=twin.pk, status="pending")
            services.report_decide_extension(extension_id=extension.pk, actor=e.actor,
                                             approve=e.data["approved"], note=e.note)
    return Report.objects.get(pk=twin.pk)


@pytest.mark.django_db
def test_a_demo_reports_deadline_is_the_one_the_services_compute_for_its_timeline(demo, monkeypatch):
    """The demo plays each report's life itself (bulk rows, in seconds); its deadlines must be the
    product's: the same timeline replayed through the services, at the same moments, ends with the
    same status, deadline and paused clock — among them reports whose unit asked the reporter (the
    clock stops until the answer; the demo once ignored that and showed them overdue)."""
    checked, seen = 0, set()
    for report in Report.objects.select_related("category", "reporter").order_by("pk"):
        actions = set(report.events.values_list("action", flat=True))
        if not actions <= REPLAYED or report.reporter is None:
            continue
        twin = _replay(report, monkeypatch)
        assert {f: getattr(twin, f) for f in REPLAY_FIELDS} == {f: getattr(report, f) for f in REPLAY_FIELDS}, \
            report.pk
        checked += 1
        seen |= actions
    assert checked >= REPORTS / 2, checked
    # the demo's life covers the lifecycle: each of these was replayed at least once
    assert seen >= {"ask_info", "answer_info", "return", "reject", "resolve", "close", "rate",
                    "decide_extension"}, seen


@pytest.mark.django_db
def test_only_resolved_or_closed_reports_carry_ratings_and_most_are_happy(demo):
    rated = Report.objects.exclude(rating=None)
    assert not rated.exclude(status__in=[Status.RESOLVED, Status.CLOSED]).exists()
    assert rated.count() > REPORTS / 3
    assert 0.75 <= rated.filter(rating__gte=4).count() / rated.count() <= 1


@pytest.mark.django_db
def test_answers_photos_and_places_are_valid(demo):
    from opencity.geo.selectors import area_id_for_point

    for report in Report.objects.select_related("category").prefetch_related("category__questions"):
        assert validate_answers(report.category, report.answers) == report.answers, report.pk
        assert area_id_for_point(report.lat, report.lon) == report.area_id, report.pk
    photos = Photo.objects.all()
    assert photos.filter(kind="report").exists() and photos.filter(kind="result").exists()
    for name in set(photos.values_list("image", flat=True)) | set(
        photos.values_list("thumb", flat=True)
    ):
        assert (demo["media"] / name).is_file(), name
    assert (
        Report.objects.filter(area__name="Phường Phú Xuân", category__code="chieu-sang").count()
        >= 3
    )


@pytest.mark.django_db
def test_loading_again_creates_nothing(demo):
    before = _counts()
    out = io.StringIO()
    call_command("load_demo", reports=REPORTS, stdout=out)
    assert "already loaded" in out.getvalue()
    assert _counts() == before


@pytest.mark.django_db
def test_the_flood_is_one_incident_told_through_the_services(demo):
    """Issue #16: the demo's flood links its warnings, rescue requests and calls, with three
    operational periods, tasks, six shelters, assets and four signed situation reports whose
    city totals are their wards' sums — every step dated within the flood, not today."""
    from django.db.models import Sum

    from opencity.incidents.models import Incident, ShelterStay
    from opencity.incidents.selectors_sitreps import sitrep_totals

    incident = Incident.objects.get()
    kinds = set(incident.links.filter(state="linked").values_list("kind", flat=True))
    assert kinds == {"alert", "rescue", "call"} and incident.status == "closed" and not incident.is_exercise
    assert incident.periods.count() == 3 and incident.tasks.filter(status="done").count() >= 6
    assert incident.shelters.count() == 6 and ShelterStay.objects.filter(incident=incident).count() == 48
    assert incident.assets.count() == 4 and incident.deployments.count() == 6
    reports = list(incident.sitreps.order_by("number"))
    assert [r.number for r in reports] == [1, 2, 3, 4] and all(r.is_signed for r in reports)
    for report in reports:
        totals = sitrep_totals(report)
        for counter, total in totals.items():
            assert total == (report.counts.filter(counter=counter).aggregate(n=Sum("value"))["n"] or 0)
    assert sitrep_totals(reports[-1])["evacuated_people"] >= sitrep_totals(reports[0])["evacuated_people"] > 0
    for event in incident.events.all():
        assert incident.started_at <= event.created_at <= incident.ended_at, event.action
