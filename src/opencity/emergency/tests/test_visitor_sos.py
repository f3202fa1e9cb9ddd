"""SOS without an account (issue #14, citizens 2): a visitor reaches the numbers to call and asks
for rescue with a phone number proven by an SMS code, or asks to be called back; limited against
abuse; the visitor follows the request from an unguessable link; their phone stays staff-only."""

from __future__ import annotations

import re

import pytest

from opencity.conftest import STORY_LAT, STORY_LON
from opencity.emergency import services
from opencity.emergency.models import Origin, RescueEvent, RescueRequest
from opencity.errors import NotFoundError, ValidationError
from opencity.geo.tests.nominatim_fixture import nominatim_fixture  # noqa: F401 — the "nominatim" fixture
from opencity.notifications.sms import ConsoleBackend

pytestmark = pytest.mark.django_db

PHONE = "0905 777 123"
E164 = "+84905777123"


@pytest.fixture
def sms():
    ConsoleBackend.outbox.clear()
    yield ConsoleBackend.outbox
    ConsoleBackend.outbox.clear()


def _form(**extra) -> dict:
    data = {"lat": STORY_LAT, "lon": STORY_LON, "people": "1", "phone": PHONE,
            "client_token": "visitor-token-0001", "action": "send"}
    data.update(extra)
    return data


def _code(sms) -> str:
    return re.search(r"\b(\d{6})\b", sms[-1].body).group(1)


@pytest.fixture
def ask(client, sms, django_capture_on_commit_callbacks):
    """Send the visitor's form; the SMS leaves after the commit, as in production."""

    def post(**extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/sos/", _form(**extra))

    return post


# --- the page ------------------------------------------------------------------------------


def test_a_visitor_gets_the_sos_page_with_numbers_to_tap_not_a_login_page(client, settings):
    settings.OPENCITY_HOTLINE_NUMBER = "1900 1075"
    response = client.get("/sos/")
    assert response.status_code == 200
    html = response.content.decode()
    for dial in ("tel:112", "tel:114", "tel:115", "tel:19001075"):
        assert dial in html
    assert 'data-testid="sos-visitor-form"' in html and 'data-testid="sos-callback"' in html
    # The numbers come before the form.
    assert html.index("tel:112") < html.index('data-testid="sos-visitor-form"')


def test_filing_for_a_caller_still_needs_a_sign_in(client):
    response = client.get("/sos/new/?for=caller")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_sos_page_refuses_other_methods(client):
    assert client.put("/sos/").status_code == 405


# --- verified by an SMS code ---------------------------------------------------------------


def test_a_visitor_sends_a_request_once_the_code_from_the_sms_is_typed(client, ask, sms):
    response = ask()
    assert response.status_code == 302 and response["Location"] == "/sos/verify/"
    assert sms[-1].to == E164
    assert not RescueRequest.objects.exists()  # nothing reaches the board unproven

    page = client.get("/sos/verify/")
    assert page.status_code == 200 and "0905 777 123" in page.content.decode()
    response = client.post("/sos/verify/", {"code": _code(sms)})
    assert response.status_code == 302
    req = RescueRequest.objects.get()
    assert req.origin == Origin.VISITOR and req.caller_phone == E164 and req.requester is None
    assert req.status == "new" and req.people == 1 and req.needs == [] and req.area is not None
    assert RescueEvent.objects.filter(request=req, action="file").count() == 1

    # The link is unguessable and only its hash is stored.
    key = re.fullmatch(r"/sos/v/([\w-]+)/", response["Location"]).group(1)
    assert len(key) >= 32 and key not in (req.access_hash or "")
    status = client.get(response["Location"])
    assert status.status_code == 200
    html = status.content.decode()
    assert 'data-testid="sos-live"' in html and "tel:112" in html
    assert f'hx-get="/sos/v/{key}/live/"' in html
    # Her own page shows her number masked (the link may be shared; the number is staff-only).
    assert "0905 777 123" not in html and "0905 •••" in html

    # /sos/ now shows her open request first.
    again = client.get("/sos/").content.decode()
    assert f"/sos/v/{key}/" in again and 'data-testid="sos-open"' in again


def test_a_wrong_code_is_refused_with_400_and_nothing_is_sent(client, ask, sms):
    ask()
    code = _code(sms)
    wrong = "000000" if code != "000000" else "111111"
    response = client.post("/sos/verify/", {"code": wrong})
    assert response.status_code == 400
    assert "The code is wrong" in response.content.decode()
    assert not RescueRequest.objects.exists()


def test_a_retried_send_of_the_code_lands_on_the_first_request(client, ask, sms):
    ask()
    code = _code(sms)
    first = client.post("/sos/verify/", {"code": code})
    # The connection dropped after the request was filed; the browser resends the first form.
    again = client.post("/sos/", _form())
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert RescueRequest.objects.count() == 1


def test_the_service_replays_a_token_only_for_the_same_phone(db):
    req, created, key = services.rescue_visitor_request_create(
        phone=PHONE, client_token="cb-token-0001", callback=True)
    assert created and key
    again, created_again, no_key = services.rescue_visitor_request_create(
        phone=PHONE, client_token="cb-token-0001", callback=True)
    assert again == req and not created_again and no_key is None
    with pytest.raises(ValidationError):
        services.rescue_visitor_request_create(phone="0905 777 999", client_token="cb-token-0001", callback=True)


def test_a_place_outside_the_city_or_no_place_at_all_is_a_clear_400(ask):
    assert ask(lat="10.77", lon="106.70").status_code == 400
    response = ask(lat="", lon="", client_token="visitor-token-0002")
    assert response.status_code == 400
    assert "type where you are" in response.content.decode()


def test_a_typed_place_is_kept_as_text_never_as_a_point(client, ask, sms):
    ask(lat="", lon="", place_text="Kiệt 32 Lê Văn Hưu")
    client.post("/sos/verify/", {"code": _code(sms)})
    req = RescueRequest.objects.get()
    assert req.lat is None and req.area is None and req.place_text == "Kiệt 32 Lê Văn Hưu"


def test_a_typed_place_naming_a_ward_gives_the_ward_not_a_point(db, city):
    """No geocoder: the ward the text names (old or new) is known, the point is not."""
    req, _created, _key = services.rescue_visitor_request_create(
        phone=PHONE, client_token="typed-ward-0001", callback=True, place_text="Kiệt 5, phường Thuận Lộc")
    assert req.lat is None and req.area.name == "Phường Phú Xuân" and req.location_precision == "area"


def test_a_typed_street_address_is_placed_by_the_geocoder_as_approximate(client, nominatim, phu_xuan, operator):
    """With a geocoder the typed place becomes a point, marked approximate on the board (a dashed
    ring on the map, and words in the list) for the operator to confirm on the phone."""
    nominatim.add("Kiệt 32 Lê Văn Hưu", STORY_LAT, STORY_LON, "32, Lê Văn Hưu, Phú Xuân, Huế")
    req, _created, _key = services.rescue_visitor_request_create(
        phone=PHONE, client_token="typed-street-01", callback=True, place_text="Kiệt 32 Lê Văn Hưu")
    assert (req.lat, req.lon) == (STORY_LAT, STORY_LON) and req.area == phu_xuan
    assert req.location_precision == "address"
    client.force_login(operator)
    html = client.get("/ioc/dispatch/list/").content.decode()
    assert 'data-testid="dispatch-approx"' in html and "Kiệt 32 Lê Văn Hưu" in html
    features = client.get("/ioc/dispatch/map.geojson").json()["features"]
    assert [f["properties"]["approx"] for f in features if f["properties"]["kind"] == "request"] == [True]


def test_a_bad_phone_number_is_a_400_on_the_form(ask):
    response = ask(phone="12345")
    assert response.status_code == 400
    assert "Vietnamese phone number" in response.content.decode()


# --- call me back --------------------------------------------------------------------------


def test_call_me_back_files_an_unverified_request_without_a_code(client, sms):
    response = client.post("/sos/", _form(action="callback", lat="", lon=""))
    assert response.status_code == 302 and response["Location"].startswith("/sos/v/")
    assert sms == []
    req = RescueRequest.objects.get()
    assert req.origin == Origin.CALLBACK and req.is_unverified and req.lat is None
    page = client.get(response["Location"]).content.decode()
    assert "will call you back" in page


def test_the_code_page_offers_call_me_back_with_the_same_draft(client, ask, sms):
    ask()
    response = client.post("/sos/verify/", {"action": "callback"})
    assert response.status_code == 302
    req = RescueRequest.objects.get()
    assert req.origin == Origin.CALLBACK and req.area is not None


def test_the_board_marks_a_call_back_unverified_and_shows_the_phone_to_staff(client, operator):
    services.rescue_visitor_request_create(phone=PHONE, client_token="cb-token-0002", callback=True)
    client.force_login(operator)
    html = client.get("/ioc/dispatch/list/").content.decode()
    assert 'data-testid="dispatch-callback"' in html and "0905 777 123" in html
    assert 'href="tel:+84905777123"' in html


# --- limits --------------------------------------------------------------------------------


def test_one_phone_cannot_flood_the_board(client, sms, django_capture_on_commit_callbacks):
    for i in range(3):
        response = client.post("/sos/", _form(action="callback", client_token=f"flood-token-{i:04d}"))
        assert response.status_code == 302
    response = client.post("/sos/", _form(action="callback", client_token="flood-token-0009"))
    assert response.status_code == 429 and response["Retry-After"]
    html = response.content.decode()
    assert "tel:112" in html and "this phone number" in html
    assert RescueRequest.objects.count() == 3


def test_a_verified_phone_cannot_flood_either(client, sms, django_capture_on_commit_callbacks, settings):
    settings.OPENCITY_LIMITS = "sms.send.phone=50/900,sms.send.phone_day=50/86400"
    from opencity.accounts.models import PhoneCode

    for i in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/sos/", _form(client_token=f"verified-token-{i:04d}"))
        assert client.post("/sos/verify/", {"code": _code(sms)}).status_code == 302
        PhoneCode.objects.update(created_at="2000-01-01T00:00:00Z")  # the minute between codes
    response = client.post("/sos/", _form(client_token="verified-token-0009"))
    assert response.status_code == 429
    assert RescueRequest.objects.filter(origin=Origin.VISITOR).count() == 3


def test_codes_per_phone_are_limited_by_the_sign_up_machinery(client, sms, django_capture_on_commit_callbacks):
    from opencity.accounts.models import PhoneCode

    for i in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post("/sos/", _form(client_token=f"code-token-{i:04d}")).status_code == 302
        PhoneCode.objects.update(created_at="2000-01-01T00:00:00Z")
    response = client.post("/sos/", _form(client_token="code-token-0009"))
    assert response.status_code == 429 and len(sms) == 3


def test_call_backs_from_one_client_are_limited(client):
    for i in range(10):
        phone = f"0905 100 {i:03d}"
        assert client.post("/sos/", _form(action="callback", phone=phone,
                                          client_token=f"cbc-token-{i:04d}")).status_code == 302
    response = client.post("/sos/", _form(action="callback", phone="0905 100 999", client_token="cbc-token-0099"))
    assert response.status_code == 429


# --- the link, details after, cancel -------------------------------------------------------


def test_a_wrong_or_a_citizens_link_is_404(client, file_sos):
    assert client.get("/sos/v/not-a-real-key-but-long-enough/").status_code == 404
    with pytest.raises(NotFoundError):
        services.rescue_by_link("")
    file_sos()
    assert client.get("/sos/v/x/").status_code == 404


def test_the_visitor_adds_details_after_sending_and_the_urgency_follows(client):
    response = client.post("/sos/", _form(action="callback"))
    link = response["Location"]
    req = RescueRequest.objects.get()
    before = req.urgency
    response = client.post(link + "details/", {"people": "4", "needs": ["trapped", "medical"],
                                                 "note": "Có người già"})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.people == 4 and req.needs == ["trapped", "medical"] and req.note == "Có người già"
    assert req.urgency > before and req.version == 1  # details leave the version alone
    assert RescueEvent.objects.filter(request=req, action="details").count() == 1
    assert client.post(link + "details/", {}).status_code == 400


def test_the_visitor_cancels_from_the_link(client):
    link = client.post("/sos/", _form(action="callback"))["Location"]
    req = RescueRequest.objects.get()
    response = client.post(link + "cancel/", {"reason": "Đã an toàn", "version": req.version,
                                              "client_token": "cancel-token-0001"})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == "cancelled"


def test_a_stranger_cannot_see_a_visitors_request_by_its_number(client, citizen2):
    client.post("/sos/", _form(action="callback"))
    req = RescueRequest.objects.get()
    client.logout()
    client.force_login(citizen2)
    assert client.get(f"/sos/{req.pk}/").status_code == 404


def test_a_signed_in_citizen_keeps_the_existing_form(client, citizen):
    client.force_login(citizen)
    html = client.get("/sos/").content.decode()
    assert 'data-testid="sos-form"' in html and 'data-testid="sos-visitor-form"' not in html


def test_a_visitors_token_sent_by_a_signed_in_person_is_refused(citizen, file_sos):
    services.rescue_visitor_request_create(phone=PHONE, client_token="shared-token-01", callback=True)
    with pytest.raises(ValidationError):
        file_sos(client_token="shared-token-01")


def test_a_verified_visitor_is_told_each_step_by_sms_but_a_call_back_is_not(client, ask, sms, operator):
    from opencity.notifications import outbox

    ask()
    client.post("/sos/verify/", {"code": _code(sms)})
    req = RescueRequest.objects.get()
    callback, _created, _key = services.rescue_visitor_request_create(
        phone="0905 777 888", client_token="cb-sms-token-01", callback=True)
    sms.clear()
    services.rescue_acknowledge(actor=operator, request_id=req.pk)
    services.rescue_acknowledge(actor=operator, request_id=callback.pk)
    outbox.drain()
    assert [m.to for m in sms] == [E164]
    assert sms[0].body.startswith(f"{req.ref}: ")


# --- photos --------------------------------------------------------------------------------


def test_a_visitor_adds_a_photo_after_sending_and_only_the_link_and_the_board_see_it(
        client, operator, citizen2, settings, tmp_path):
    """A visitor's form is one tap; a photo can follow from the status page. It is served through
    the link (or to the board), privately — never as a public media file."""
    from django.test import Client

    from opencity.reports.tests.factories import jpeg_upload

    settings.MEDIA_ROOT = tmp_path
    link = client.post("/sos/", _form(action="callback"))["Location"]
    response = client.post(link + "details/", {"photo": jpeg_upload("nha.jpg")})
    assert response.status_code == 302
    req = RescueRequest.objects.get()
    photo = req.photos.get()
    page = client.get(link).content.decode()
    thumb = f"{link}photos/{photo.pk}/thumb.jpg"
    assert f'src="{thumb}"' in page
    served = client.get(thumb)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert served["Cache-Control"] == "private, max-age=300"
    assert b"".join(served.streaming_content)[:2] == b"\xff\xd8"
    assert RescueEvent.objects.filter(request=req, action="details").get().data["photos"] == 1

    board = Client()
    board.force_login(operator)
    assert f"/sos/{req.pk}/photos/{photo.pk}/thumb.jpg" in board.get("/ioc/dispatch/list/").content.decode()
    assert board.get(f"/sos/{req.pk}/photos/{photo.pk}/full.jpg").status_code == 200
    stranger = Client()
    stranger.force_login(citizen2)
    assert stranger.get(f"/sos/{req.pk}/photos/{photo.pk}/full.jpg").status_code == 404
    assert Client().get(f"/sos/v/not-the-right-key-at-all/photos/{photo.pk}/thumb.jpg").status_code == 404
    assert client.get(f"{link}photos/{photo.pk}/original.jpg").status_code == 404


def test_photos_on_a_request_are_limited(client, settings, tmp_path):
    from opencity.reports.tests.factories import jpeg_upload

    settings.MEDIA_ROOT = tmp_path
    settings.OPENCITY_PHOTO_MAX_COUNT = 2
    link = client.post("/sos/", _form(action="callback"))["Location"]
    for name in ("a.jpg", "b.jpg"):
        assert client.post(link + "details/", {"photo": jpeg_upload(name)}).status_code == 302
    response = client.post(link + "details/", {"photo": jpeg_upload("c.jpg")})
    assert response.status_code in (303, 400)
    assert RescueRequest.objects.get().photos.count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_adding_details_runs_in_its_own_transaction():
    """Called outside any transaction (as a view is, outside the tests' wrapping one), the
    service locks the request in a transaction of its own (PostgreSQL refused the lock when a
    refactoring moved its ``@transaction.atomic`` off it)."""
    req, _created, _key = services.rescue_visitor_request_create(
        phone=PHONE, client_token="own-transaction-1", callback=True, place_text="Kiệt 5")
    services.rescue_add_details(request_id=req.pk, needs=["trapped"])
    assert RescueRequest.objects.get(pk=req.pk).needs == ["trapped"]
