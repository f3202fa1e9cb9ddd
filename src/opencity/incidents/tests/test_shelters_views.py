"""The shelter pages: the public /shelters/ (no sign-in, never a household's name or phone), a
shelter's page for its managers (register, check out, close) with its permission matrix, and
the incident page's shelters part (open, notice)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opencity.incidents import services
from opencity.incidents.models import Shelter, ShelterStay

from .shelter_cast import *  # noqa: F403 — the shelter fixtures
from .shelter_cast import new_token

pytestmark = pytest.mark.django_db


def _url(shelter, name="incidents:shelter", *extra):
    return reverse(name, args=[shelter.incident_id, shelter.pk, *extra])


def _stay(shelter, actor, **kwargs):
    params = {"actor": actor, "shelter_id": shelter.pk, "head_name": "Hồ Thị Bí Mật", "people": 5,
              "phone": "0905 777 888"}
    params.update(kwargs)
    return services.shelter_check_in(**params)


# --- the public page ------------------------------------------------------------------------------


def test_a_visitor_sees_the_open_shelters_and_never_who_is_there(client, opened, manager):
    shelter = opened(capacity_day=120, capacity_night=120)
    _stay(shelter, manager, people=42)
    response = client.get(reverse("incidents:shelters_public"))
    assert response.status_code == 200
    html = response.content.decode()
    assert shelter.name in html and "Phú Xuân" in html and shelter.address in html
    assert "tel:+842343812345" in html and "geo:16.469,107.577" in html
    assert "<b>42</b> / 120" in html
    assert "Hồ Thị Bí Mật" not in html and "777" not in html


def test_the_public_page_lists_neither_closed_shelters_nor_exercises(client, operator, opened, open_incident,
                                                                     make_shelter):
    closed = opened(name="Đã đóng")
    services.shelter_close(actor=operator, shelter_id=closed.pk)
    make_shelter(name="Chưa mở")
    drill = open_incident(name="Diễn tập", is_exercise=True)
    opened(incident=drill, name="Diễn tập sơ tán")
    response = client.get(reverse("incidents:shelters_public"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Đã đóng" not in html and "Chưa mở" not in html and "Diễn tập sơ tán" not in html
    assert 'data-testid="no-shelters"' in html


def test_the_public_page_takes_only_get(client):
    assert client.post(reverse("incidents:shelters_public")).status_code == 405


# --- a shelter's page: who may --------------------------------------------------------------------


@pytest.mark.parametrize("who, status", [("manager", 200), ("operator", 200), ("leader", 200),
                                         ("commander_here", 200), ("commander_there", 403),
                                         ("citizen", 403), ("officer", 403)])
def test_who_may_open_a_shelters_page(client, request, opened, ward_commander, th_official, who, status):
    shelter = opened()
    if who == "commander_here":
        user = ward_commander(shelter.incident)
    elif who == "commander_there":
        user = ward_commander(shelter.incident, user=th_official)
    else:
        user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(_url(shelter)).status_code == status
    response = client.post(_url(shelter, "incidents:shelter_check_in"), {
        "head_name": "Lê Văn Tư", "people": "2", "client_token": new_token()})
    assert response.status_code == (302 if status == 200 else 403)
    assert ShelterStay.objects.count() == (1 if status == 200 else 0)


def test_a_visitor_is_sent_to_sign_in(client, opened):
    shelter = opened()
    for url in (_url(shelter), _url(shelter, "incidents:shelter_check_in")):
        response = client.get(url) if url.endswith(f"{shelter.pk}/") else client.post(url, {})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_shelter_of_another_incident_is_not_found(client, operator, opened, open_incident):
    shelter = opened()
    other = open_incident(name="Bão số 13")
    client.force_login(operator)
    assert client.get(reverse("incidents:shelter", args=[other.pk, shelter.pk])).status_code == 404
    assert client.get(reverse("incidents:shelter", args=[shelter.incident_id, 987654])).status_code == 404
    assert client.get(reverse("incidents:shelter", args=[987654, shelter.pk])).status_code == 404


# --- a shelter's page: registering ----------------------------------------------------------------


def test_a_manager_registers_a_household_once_and_checks_it_out(client, opened, manager, thuan_hoa):
    shelter = opened()
    client.force_login(manager)
    form = {"head_name": "Lê Văn Tư", "people": "5", "phone": "0905 123 456", "from_area": str(thuan_hoa.pk),
            "needs": "Người già", "client_token": new_token()}
    url = _url(shelter, "incidents:shelter_check_in")
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302  # sent twice: registered once
    stay = ShelterStay.objects.get()
    assert (stay.people, stay.phone, stay.from_area, stay.registered_by) == (5, "+84905123456", thuan_hoa, manager)
    page = client.get(_url(shelter)).content.decode()
    assert "Lê Văn Tư" in page and 'data-occupancy="5"' in page
    assert client.post(_url(shelter, "incidents:shelter_check_out", stay.pk)).status_code == 302
    assert ShelterStay.objects.get().checked_out_at is not None
    assert client.get(_url(shelter, "incidents:shelter_check_out", stay.pk)).status_code == 405


def test_over_capacity_redisplays_the_form_with_the_places_left(client, opened, manager):
    shelter = opened(capacity_day=6, capacity_night=6)
    _stay(shelter, manager, people=5)
    client.force_login(manager)
    url = _url(shelter, "incidents:shelter_check_in")
    response = client.post(url, {"head_name": "Lê Văn Tư", "people": "4", "client_token": new_token()})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="over-capacity"' in html and "5 / 6" in html
    assert ShelterStay.objects.count() == 1
    response = client.post(url, {"head_name": "Lê Văn Tư", "people": "4", "client_token": new_token(),
                                 "over_capacity_reason": "Không còn điểm sơ tán nào gần"})
    assert response.status_code == 302 and ShelterStay.objects.count() == 2


@pytest.mark.parametrize("form", [{"head_name": "", "people": "2"}, {"head_name": "A", "people": "0"},
                                  {"head_name": "A", "people": "101"}, {"head_name": "A", "people": "x"},
                                  {"head_name": "A", "people": "2", "phone": "123"},
                                  {"head_name": "A", "people": "2", "from_area": "999999"},
                                  {"head_name": "A", "people": "2", "client_token": "bad token!"}])
def test_bad_input_is_a_400_with_the_form(client, opened, manager, form):
    shelter = opened()
    client.force_login(manager)
    response = client.post(_url(shelter, "incidents:shelter_check_in"), form)
    assert response.status_code == 400 and response.context["form"].errors
    assert not ShelterStay.objects.exists()


def test_checking_out_a_household_of_another_shelter_is_not_found(client, opened, manager, operator):
    first = opened()
    second = opened(incident=first.incident, name="Trường Tiểu học Phú Xuân")
    stay = _stay(second, operator)
    client.force_login(manager)  # manages both: the URL must still name the right shelter
    assert client.post(_url(first, "incidents:shelter_check_out", stay.pk)).status_code == 404
    assert ShelterStay.objects.get().checked_out_at is None


def test_closing_is_refused_while_households_are_in_then_done_with_the_confirmation(client, opened, manager):
    shelter = opened()
    _stay(shelter, manager)
    client.force_login(manager)
    url = _url(shelter, "incidents:shelter_close")
    assert client.post(url, {"version": shelter.version + 1}).status_code == 409
    assert Shelter.objects.get().is_open
    current = Shelter.objects.get().version
    assert client.post(url, {"version": current, "check_out_all": "1"}).status_code == 302
    assert not Shelter.objects.get().is_open


# --- the incident page's part ---------------------------------------------------------------------


def test_the_incident_page_shows_its_shelters_and_opens_one(client, operator, open_incident, make_shelter):
    incident = open_incident()
    shelter = make_shelter()
    client.force_login(operator)
    page = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert 'data-testid="shelter-open-form"' in page and shelter.name in page
    response = client.post(reverse("incidents:shelter_open", args=[incident.pk]), {"shelter": shelter.pk})
    assert response.status_code == 302 and response["Location"].endswith("#shelters")
    page = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert 'data-testid="incident-shelter"' in page and "0 / 10" in page
    assert client.post(reverse("incidents:shelter_open", args=[incident.pk]), {"shelter": "x"}).status_code == 404


def test_a_ward_commander_of_another_ward_cannot_open_a_shelter_here(client, open_incident, make_shelter,
                                                                     ward_commander, th_official):
    incident = open_incident()
    shelter = make_shelter()
    ward_commander(incident, user=th_official)
    client.force_login(th_official)
    assert client.post(reverse("incidents:shelter_open", args=[incident.pk]),
                       {"shelter": shelter.pk}).status_code == 403
    assert not Shelter.objects.get().is_open


def test_the_notice_says_how_many_it_reached(client, operator, opened):
    shelter = opened()
    client.force_login(operator)
    response = client.post(reverse("incidents:shelter_notice", args=[shelter.incident_id]),
                           {"message": "Chuẩn bị đón thêm 30 hộ dân", "client_token": new_token()}, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["Thông báo đã đến 1 người quản lý điểm sơ tán."]
    assert client.post(reverse("incidents:shelter_notice", args=[shelter.incident_id]),
                       {"message": ""}).status_code == 400


def test_a_citizen_cannot_send_the_notice(client, citizen, opened):
    shelter = opened()
    client.force_login(citizen)
    assert client.post(reverse("incidents:shelter_notice", args=[shelter.incident_id]),
                       {"message": "Chuẩn bị"}).status_code == 403
