"""The report form sent by the offline outbox (static/opencity/outbox.js, lib/formreply.py):
the staged photos each with their own key, then the form with its ``client_token``; sent again
with the same keys (the answer was lost), one report with one photo and the same answer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opencity.conftest import PASSWORD, STORY_LAT, STORY_LON
from opencity.lib.models import StagedUpload
from opencity.reports.models import Photo, Report
from opencity.reports.tests.factories import jpeg_upload

pytestmark = pytest.mark.django_db
NEW = "/reports/new/"
JSON = {"HTTP_ACCEPT": "application/json"}


def _form(lighting, **extra):
    data = {"category": lighting.pk, "description": "Đèn đường hỏng trước số 31", "lat": str(STORY_LAT),
            "lon": str(STORY_LON), "address": "", "is_public": "on", "client_token": "tok-outbox-0001"}
    data.update(extra)
    return data


def _stage(client):
    staged = client.post(reverse("reports:photo_stage"), {"photo": jpeg_upload(), "client_token": "tok-outbox-0001",
                                                          "upload_key": "tok-outbox-0001-p0"}, **JSON)
    assert staged.status_code == 201
    return staged.json()["id"]


def test_the_outbox_gets_the_reference_and_a_resend_gets_the_same_answer(client, citizen, lighting):
    assert client.login(phone=citizen.phone, password=PASSWORD)
    ids = {_stage(client), _stage(client)}  # the first answer was lost: the photo is sent again
    assert len(ids) == 1 and StagedUpload.objects.count() == 1
    photo_id = ids.pop()
    first = client.post(NEW, _form(lighting, staged=str(photo_id)), **JSON)
    again = client.post(NEW, _form(lighting, staged=str(photo_id)), **JSON)  # this answer was lost too
    report = Report.objects.get()
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() == {"ref": report.ref, "url": f"/reports/{report.pk}/"}
    assert Photo.objects.filter(report=report).count() == 1
    assert not StagedUpload.objects.exists()


def test_a_form_the_server_refuses_answers_with_its_message(client, citizen, lighting):
    assert client.login(phone=citizen.phone, password=PASSWORD)
    response = client.post(NEW, _form(lighting, description=""), **JSON)
    assert response.status_code == 400
    body = response.json()
    assert "description" in body["errors"] and body["error"]
    assert not Report.objects.exists()


def test_a_browser_post_still_redirects(client, citizen, lighting):
    assert client.login(phone=citizen.phone, password=PASSWORD)
    staged = client.post(reverse("reports:photo_stage"), {"photo": jpeg_upload(), "client_token": "tok-outbox-0001"})
    response = client.post(NEW, _form(lighting, staged=str(staged.json()["id"])))
    assert response.status_code == 302 and response["Location"] == f"/reports/{Report.objects.get().pk}/"
