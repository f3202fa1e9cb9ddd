"""The SOS form sent by the offline outbox (static/opencity/outbox.js, lib/formreply.py): the
same ``client_token`` sent again answers with the first request, never a second one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opencity.conftest import STORY_LAT, STORY_LON
from opencity.emergency.models import RescueRequest

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def _post(client, **extra):
    data = {"lat": STORY_LAT, "lon": STORY_LON, "people": "2", "needs": ["trapped"], "note": "",
            "client_token": "sos-outbox-0001"}
    data.update(extra)
    return client.post(reverse("emergency:new"), data, **JSON)


def test_the_outbox_gets_the_reference_and_a_resend_gets_the_same_answer(client, citizen):
    client.force_login(citizen)
    first, again = _post(client), _post(client)
    req = RescueRequest.objects.get()
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() == {"ref": req.ref, "url": f"/sos/{req.pk}/"}


def test_a_refused_sos_answers_with_its_message(client, citizen):
    client.force_login(citizen)
    response = _post(client, people="0")
    assert response.status_code == 400 and "people" in response.json()["errors"]
    assert not RescueRequest.objects.exists()


def test_a_second_emergency_sent_from_the_outbox_is_asked_about(client, citizen):
    client.force_login(citizen)
    _post(client)
    response = _post(client, client_token="sos-outbox-0002")
    assert response.status_code == 409 and response.json()["error"]
    assert RescueRequest.objects.count() == 1
