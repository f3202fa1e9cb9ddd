"""The incident pages: list, open, detail, and their actions — who may, and bad input."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opencity.incidents.models import Incident

pytestmark = pytest.mark.django_db


def test_an_operator_opens_an_incident_from_the_form(client, operator, phu_xuan, thuan_hoa):
    client.force_login(operator)
    assert client.get(reverse("incidents:new")).status_code == 200
    response = client.post(reverse("incidents:new"), {
        "kind": "flood", "name": "Lũ tháng 11", "level": "3", "areas": [phu_xuan.pk, thuan_hoa.pk],
        "client_token": "incident-form-000002"})
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("incidents:detail", args=[incident.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Lũ tháng 11" in page.content.decode()
    assert client.get(reverse("incidents:list")).status_code == 200


def test_bad_input_redisplays_the_form_with_a_400(client, operator):
    client.force_login(operator)
    response = client.post(reverse("incidents:new"), {"kind": "flood", "name": "", "areas": [],
                                                      "client_token": "incident-form-000003"})
    assert response.status_code == 400 and response.context["form"].errors
    assert not Incident.objects.exists()


def test_a_warning_becomes_an_incident_with_one_button(client, operator, flood_warning):
    alert = flood_warning()
    client.force_login(operator)
    response = client.post(reverse("incidents:new"), {"from_alert": alert.pk, "client_token": "incident-form-000004"})
    incident = Incident.objects.get()
    assert response.status_code == 302 and incident.source_alert == alert


@pytest.mark.parametrize("who, status", [("citizen", 403), ("officer", 403), ("hotline", 200), ("leader", 200)])
def test_who_sees_an_incident(client, request, open_incident, who, status):
    incident = open_incident()
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("incidents:detail", args=[incident.pk])).status_code == status


def test_a_visitor_is_sent_to_sign_in(client, open_incident):
    incident = open_incident()
    response = client.get(reverse("incidents:detail", args=[incident.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_status_buttons_and_a_stale_one(client, operator, open_incident):
    incident = open_incident()
    client.force_login(operator)
    url = reverse("incidents:action", args=[incident.pk])
    assert client.post(url, {"action": "activate", "version": incident.version}).status_code == 302
    assert client.post(url, {"action": "recover", "version": incident.version}).status_code == 409  # stale
    assert Incident.objects.get().status == "active"
    assert client.post(url, {"action": "fly"}).status_code == 400


def test_linking_by_the_number_people_quote(client, operator, open_incident, file_sos):
    incident = open_incident()
    sos = file_sos()
    client.force_login(operator)
    url = reverse("incidents:link_add", args=[incident.pk])
    assert client.post(url, {"kind": "rescue", "ref": f"SOS-{sos.pk}"}).status_code == 302
    assert incident.links.filter(rescue=sos, state="linked").exists()
    assert client.post(url, {"kind": "rescue", "ref": "PA000001"}).status_code == 400
    assert client.post(url, {"kind": "rescue", "ref": "SOS-999999"}).status_code == 404


def test_a_ward_commander_cannot_act_on_the_whole_incident(client, operator, open_incident, px_official, phu_xuan):
    from opencity.incidents import services

    incident = open_incident()
    services.roster_add(actor=operator, incident_id=incident.pk, user_id=px_official.pk, position="commander",
                        area_id=phu_xuan.pk)
    client.force_login(px_official)
    assert client.get(reverse("incidents:detail", args=[incident.pk])).status_code == 200
    assert client.post(reverse("incidents:action", args=[incident.pk]), {"action": "activate"}).status_code == 403


def test_the_warn_button_opens_the_composer_prefilled_with_the_incidents_wards(client, operator, open_incident,
                                                                                 phu_xuan, thuan_hoa):
    incident = open_incident()
    client.force_login(operator)
    url = client.get(reverse("incidents:detail", args=[incident.pk])).context["warn_url"]
    form = client.get(url).context["form"]
    assert form.initial["event"] == "flood" and form.initial["headline_vi"] == incident.name
    assert sorted(form.initial["areas"]) == sorted([phu_xuan.pk, thuan_hoa.pk])


def test_the_incident_page_reads_its_links_without_a_query_per_link(client, operator, open_incident, file_sos,
                                                                    flood_warning, django_assert_max_num_queries):
    from opencity.incidents import services

    incident = open_incident()
    for _ in range(2):
        services.incident_link(actor=operator, incident_id=incident.pk, kind="alert", target_id=flood_warning().pk)
        services.incident_link(actor=operator, incident_id=incident.pk, kind="rescue", target_id=file_sos().pk)
    client.force_login(operator)
    url = reverse("incidents:detail", args=[incident.pk])
    client.get(url)
    with django_assert_max_num_queries(60) as few:
        client.get(url)
    base = len(few.captured_queries)
    for _ in range(3):
        services.incident_link(actor=operator, incident_id=incident.pk, kind="alert", target_id=flood_warning().pk)
    with django_assert_max_num_queries(base) as more:
        client.get(url)
    assert len(more.captured_queries) == base
