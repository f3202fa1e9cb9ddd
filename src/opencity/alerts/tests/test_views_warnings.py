"""Warning pages and endpoints: happy paths, wrong methods, wrong users, and bad input that
must get a clear 4xx (never a 500)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from opencity.alerts import services
from opencity.alerts.models import Alert, Message
from opencity.notifications.models import PushSubscription

from .factories import browser_keys, content

pytestmark = pytest.mark.django_db


def _when(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")


def _form(*areas, **extra) -> dict:
    now = timezone.now()
    data = {
        "event": "flood", "severity": "Severe", "urgency": "Expected", "certainty": "Likely",
        "response_type": "Evacuate", "category": "", "status": "Actual",
        "headline_vi": "Cảnh báo lũ trên sông Hương",
        "description_vi": "Mực nước sông Hương dự báo lên trên báo động 3.",
        "instruction_vi": "Di dời đến nơi an toàn.",
        "effective": _when(now), "onset": "", "expires": _when(now + dt.timedelta(hours=12)),
        "areas": [a.pk for a in areas],
    }
    data.update(extra)
    return data


# --- public pages ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["alerts:list", "alerts:archive", "alerts:areas", "alerts:feed"])
def test_public_pages_open_for_visitors(client, name):
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", ["alerts:list", "alerts:archive", "alerts:areas"])
def test_public_pages_refuse_posts(client, name):
    assert client.post(reverse(name)).status_code == 405


def test_the_list_shows_warnings_in_force_and_the_map_highlights_their_wards(client, publish, operator, thuan_an, phu_vang):
    live = publish(headline_vi="Lũ đang lên")
    old = publish(headline_vi="Cảnh báo đã hủy")
    services.alert_cancel(actor=operator, alert_id=old.alert_id, sent=timezone.now() + dt.timedelta(seconds=1))
    page = client.get(reverse("alerts:list")).content.decode()
    assert "Lũ đang lên" in page and "Cảnh báo đã hủy" not in page
    assert 'data-map="areas"' in page
    geo = client.get(reverse("alerts:areas")).json()
    assert {f["properties"]["name"] for f in geo["features"]} == {thuan_an.name, phu_vang.name}
    assert geo["features"][0]["properties"]["severity"] == "Severe"
    assert geo["features"][0]["properties"]["warnings"][0]["url"] == f"/warnings/{live.alert_id}/"
    archive = client.get(reverse("alerts:archive")).content.decode()
    assert "Cảnh báo đã hủy" in archive and "Lũ đang lên" not in archive


def test_the_warning_page_shows_the_chain_and_counts_views(client, publish, operator, resident_thuan_an):
    first = publish(headline_vi="Cảnh báo lũ")
    services.alert_update(actor=operator, alert_id=first.alert_id, **content(
        headline_vi="Lũ lên nhanh", whole_city=True), note="Mở rộng vùng cảnh báo",
        sent=timezone.now() + dt.timedelta(seconds=1))
    url = reverse("alerts:detail", args=[first.alert_id])
    page = client.get(url).content.decode()
    assert "Lũ lên nhanh" in page and "Cảnh báo lũ" in page and "Mở rộng vùng cảnh báo" in page
    assert client.get(reverse("alerts:warning_areas", args=[first.alert_id])).status_code == 200
    client.force_login(resident_thuan_an)
    client.get(url)
    assert Alert.objects.get(pk=first.alert_id).view_count == 2


def test_unknown_and_private_warnings_are_not_found(client, publish, operator):
    assert client.get("/warnings/999999/").status_code == 404
    assert client.get("/warnings/999999/areas.geojson").status_code == 404
    drill = publish(status="Exercise")
    assert client.get(reverse("alerts:detail", args=[drill.alert_id])).status_code == 404
    client.force_login(operator)
    assert client.get(reverse("alerts:detail", args=[drill.alert_id])).status_code == 200


# --- the composer ------------------------------------------------------------------------

def test_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("alerts:compose"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_citizens_and_officers_cannot_compose(client, citizen, officer, thuan_an):
    for user in (citizen, officer):
        client.force_login(user)
        assert client.get(reverse("alerts:compose")).status_code == 403
        assert client.post(reverse("alerts:compose"), _form(thuan_an)).status_code == 403
    assert not Message.objects.exists()


def test_the_nav_offers_composing_to_composers_only(client, citizen, operator):
    client.force_login(citizen)
    assert reverse("alerts:compose") not in client.get(reverse("alerts:list")).content.decode()
    client.force_login(operator)
    assert reverse("alerts:compose") in client.get(reverse("alerts:list")).content.decode()


def test_an_operator_publishes_a_warning_from_the_composer(client, operator, thuan_an, phu_vang):
    client.force_login(operator)
    page = client.get(reverse("alerts:compose"))
    assert page.status_code == 200 and b'name="areas"' in page.content
    response = client.post(reverse("alerts:compose"), _form(thuan_an, phu_vang, headline_en="Flood warning",
                                                            description_en="The river is rising."))
    message = Message.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("alerts:staff", args=[message.alert_id])
    assert set(message.areas.all()) == {thuan_an, phu_vang} and message.has_english
    assert timezone.localtime(message.expires).strftime("%d/%m/%Y %H:%M") == _form()["expires"]


def test_a_forecaster_publishes_in_the_unit_name(client, forecaster, hydromet, thuan_an):
    client.force_login(forecaster)
    assert client.get(reverse("alerts:compose")).status_code == 200
    response = client.post(reverse("alerts:compose"), _form(thuan_an, status="Exercise"))
    assert response.status_code == 302
    assert Message.objects.get().alert.unit == hydromet


@pytest.mark.parametrize(("extra", "field", "words"), [
    ({"headline_vi": ""}, "headline_vi", ""),
    ({"areas": []}, "areas", "Choose the wards"),
    ({"areas": [999999]}, "areas", "999999"),
    ({"areas": ["abc"]}, "areas", "abc"),
    ({"expires": "31/02/2026 10:00"}, "expires", "dd/mm/yyyy"),
    ({"expires": "hôm qua"}, "expires", "dd/mm/yyyy"),
    ({"event": "meteor"}, "event", "meteor"),
    ({"headline_en": "Only a headline"}, "description_en", "English description"),
])
def test_bad_input_is_refused_with_the_form_and_a_4xx(client, operator, thuan_an, extra, field, words):
    client.force_login(operator)
    response = client.post(reverse("alerts:compose"), _form(thuan_an, **extra))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and words in " ".join(errors[field])
    assert not Message.objects.exists()


def test_expiry_before_the_effective_time_is_refused(client, operator, thuan_an):
    client.force_login(operator)
    now = timezone.now()
    response = client.post(reverse("alerts:compose"), _form(
        thuan_an, effective=_when(now + dt.timedelta(hours=6)), expires=_when(now + dt.timedelta(hours=2))))
    assert response.status_code == 400
    assert "expire after it takes effect" in " ".join(response.context["form"].errors["expires"])
    assert "Cảnh báo lũ trên sông Hương" in response.content.decode()  # what was typed is kept


def test_the_composer_refuses_other_methods(client, operator):
    client.force_login(operator)
    assert client.put(reverse("alerts:compose")).status_code == 405


# --- update, cancel, staff page ------------------------------------------------------------

def test_an_update_is_prefilled_and_published(client, operator, publish, kim_long):
    message = publish()
    client.force_login(operator)
    url = reverse("alerts:update", args=[message.alert_id])
    page = client.get(url)
    assert page.status_code == 200 and "Cảnh báo lũ trên sông Hương" in page.content.decode()
    assert page.context["form"]["based_on"].value() == message.pk
    response = client.post(url, _form(kim_long, headline_vi="Lũ lên nhanh", note="Mở rộng", based_on=message.pk))
    assert response.status_code == 302
    latest = Alert.objects.get(pk=message.alert_id).latest
    assert (latest.msg_type, latest.headline_vi, latest.note) == ("Update", "Lũ lên nhanh", "Mở rộng")


def test_a_stale_update_gets_a_409(client, operator, publish, kim_long):
    message = publish()
    services.alert_update(actor=operator, alert_id=message.alert_id, **content(whole_city=True),
                          sent=timezone.now() + dt.timedelta(seconds=1))
    client.force_login(operator)
    response = client.post(reverse("alerts:update", args=[message.alert_id]), _form(kim_long, based_on=message.pk))
    assert response.status_code == 409
    assert "changed this warning" in " ".join(response.context["form"].non_field_errors())


def test_a_cancelled_warning_cannot_be_updated(client, operator, publish, kim_long):
    message = publish()
    services.alert_cancel(actor=operator, alert_id=message.alert_id, sent=timezone.now() + dt.timedelta(seconds=1))
    client.force_login(operator)
    url = reverse("alerts:update", args=[message.alert_id])
    assert client.get(url).status_code == 409
    assert client.post(url, _form(kim_long)).status_code == 409
    assert client.post(reverse("alerts:cancel", args=[message.alert_id])).status_code == 409
    assert Message.objects.filter(alert_id=message.alert_id).count() == 2


def test_the_operator_cancels_a_warning(client, operator, publish):
    message = publish()
    client.force_login(operator)
    response = client.post(reverse("alerts:cancel", args=[message.alert_id]),
                           {"note": "Nước đã rút", "based_on": message.pk})
    assert response.status_code == 302
    latest = Alert.objects.get(pk=message.alert_id).latest
    assert (latest.msg_type, latest.note) == ("Cancel", "Nước đã rút")


def test_update_and_cancel_refuse_wrong_users_and_methods(client, publish, citizen, forecaster, kim_long):
    message = publish()
    update, cancel = reverse("alerts:update", args=[message.alert_id]), reverse("alerts:cancel", args=[message.alert_id])
    assert client.get(update).status_code == 302  # visitors log in first
    assert client.get(cancel).status_code in (302, 405)
    for user in (citizen, forecaster):  # forecaster: another unit's warning (the IOC's)
        client.force_login(user)
        assert client.get(update).status_code == 403
        assert client.post(update, _form(kim_long)).status_code == 403
        assert client.post(cancel).status_code == 403
    client.force_login(forecaster)
    assert client.get(cancel).status_code == 405
    assert client.get("/warnings/999999/update/").status_code == 404
    assert client.post("/warnings/999999/cancel/").status_code == 404
    assert Message.objects.count() == 1


def test_the_staff_page_shows_delivery_figures(client, operator, leader, publish, residents, citizen):
    from opencity.alerts import delivery

    message = publish()
    delivery.message_deliver(message_id=message.pk)
    url = reverse("alerts:staff", args=[message.alert_id])
    client.force_login(citizen)
    assert client.get(url).status_code == 403
    client.get(reverse("alerts:detail", args=[message.alert_id]))  # a view, not a targeted person
    client.force_login(residents[0])
    client.get(reverse("alerts:detail", args=[message.alert_id]))
    for user in (operator, leader):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        stats = response.context["stats"]
        assert (stats["reached"], stats["opened"], stats["views"]) == (2, 1, 2)
    assert client.post(url).status_code == 405
    page = client.get(url).content.decode()
    assert 'data-stat="delivered">2<' in page


# --- push subscriptions ----------------------------------------------------------------------

def _subscription(endpoint="https://fcm.googleapis.com/fcm/send/abc123") -> dict:
    _private, p256dh, _auth, auth = browser_keys()
    return {"endpoint": endpoint, "expirationTime": None, "keys": {"p256dh": p256dh, "auth": auth}}


def _post_json(client, name, body):
    return client.post(reverse(name), data=json.dumps(body) if not isinstance(body, str) else body,
                       content_type="application/json")


def test_a_signed_in_person_subscribes_and_unsubscribes_a_device(client, citizen, citizen2):
    client.force_login(citizen)
    body = _subscription()
    response = _post_json(client, "alerts:push_subscribe", body)
    assert response.status_code == 201 and response.json()["ok"]
    assert _post_json(client, "alerts:push_subscribe", body).status_code == 201  # again: same row
    assert PushSubscription.objects.filter(user=citizen).count() == 1
    # Someone else signs in on the same browser: the device is theirs now.
    client.force_login(citizen2)
    _post_json(client, "alerts:push_subscribe", body)
    assert list(PushSubscription.objects.values_list("user_id", flat=True)) == [citizen2.pk]
    assert _post_json(client, "alerts:push_unsubscribe", {"endpoint": body["endpoint"]}).status_code == 200
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize("body", [
    "not json",
    "[1, 2]",
    {"endpoint": "https://push.example/x"},
    {"endpoint": "http://push.example/x", "keys": _subscription()["keys"]},
    {"endpoint": "javascript:alert(1)", "keys": _subscription()["keys"]},
    {"endpoint": "https://push.example/x", "keys": {"p256dh": "short", "auth": "short"}},
    {"endpoint": "https://push.example/x", "keys": "nope"},
])
def test_bad_subscriptions_are_refused(client, citizen, body):
    client.force_login(citizen)
    response = _post_json(client, "alerts:push_subscribe", body)
    assert response.status_code == 400 and response.json()["error"]
    assert not PushSubscription.objects.exists()


def test_push_endpoints_refuse_visitors_and_gets(client, citizen):
    assert _post_json(client, "alerts:push_subscribe", _subscription()).status_code == 403
    assert _post_json(client, "alerts:push_unsubscribe", {"endpoint": "x"}).status_code == 403
    client.force_login(citizen)
    assert client.get(reverse("alerts:push_subscribe")).status_code == 405
    assert client.get(reverse("alerts:push_unsubscribe")).status_code == 405
    assert _post_json(client, "alerts:push_unsubscribe", "oops").status_code == 400


def test_the_notification_leads_to_the_warning_page(client, publish, resident_thuan_an):
    from opencity.alerts import delivery
    from opencity.notifications.selectors import inbox_unread_count, notification_list

    message = publish()
    delivery.message_deliver(message_id=message.pk)
    [note] = notification_list(user=resident_thuan_an)
    assert note.pk == message.notice_id and note.read_at is None
    client.force_login(resident_thuan_an)
    assert client.get(note.url).status_code == 200
    assert inbox_unread_count(user=resident_thuan_an) == 0
    assert notification_list(user=resident_thuan_an)[0].read_at is not None


def test_subscribing_over_and_over_is_limited_per_account(client, citizen, citizen2, settings):
    """Issue #13 (5): one account stored 30 push subscriptions. Registering is limited per hour
    (accounts/throttle.py, ``push.subscribe.account``) with 429 and Retry-After."""
    settings.OPENCITY_LIMITS = "push.subscribe.account=3/3600"
    client.force_login(citizen)
    for n in range(3):
        body = _subscription(f"https://fcm.googleapis.com/fcm/send/device{n}")
        assert _post_json(client, "alerts:push_subscribe", body).status_code == 201
    response = _post_json(client, "alerts:push_subscribe", _subscription("https://fcm.googleapis.com/fcm/send/device9"))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["ok"] is False and response.json()["error"]
    client.force_login(citizen2)  # another person is not held back
    assert _post_json(client, "alerts:push_subscribe", _subscription("https://fcm.googleapis.com/fcm/send/other")).status_code == 201


def test_the_composer_opened_from_an_incident_is_prefilled_with_what_is_valid(client, operator, thuan_an, phu_vang):
    client.force_login(operator)
    response = client.get(reverse("alerts:compose"), {
        "event": "flood", "headline": "Lũ trên sông Hương", "areas": [thuan_an.pk, phu_vang.pk, "x"]})
    form = response.context["form"]
    assert response.status_code == 200 and not form.is_bound
    assert {k: form.initial[k] for k in ("event", "headline_vi", "areas")} == {
        "event": "flood", "headline_vi": "Lũ trên sông Hương", "areas": [thuan_an.pk, phu_vang.pk]}
    assert response.context["selected"] == {str(thuan_an.pk), str(phu_vang.pk)}
    assert "event" not in client.get(reverse("alerts:compose"), {"event": "volcano"}).context["form"].initial
