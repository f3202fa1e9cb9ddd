"""The report form: every error in one round, photos kept across errors and uploaded once
(issue 14, citizens 4), and the questions and stars read right (item 8)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from opencity.conftest import PASSWORD, STORY_LAT, STORY_LON
from opencity.lib.models import StagedUpload
from opencity.reports.models import CategoryQuestion, Photo, QuestionKind, Report
from opencity.reports.tests.factories import jpeg_upload

pytestmark = pytest.mark.django_db
NEW = "/reports/new/"


def _login(client, user):
    assert client.login(phone=user.phone, password=PASSWORD)
    return client


def _form(lighting, **extra):
    data = {"category": lighting.pk, "description": "Đèn đường hỏng trước số 31", "lat": str(STORY_LAT),
            "lon": str(STORY_LON), "address": "", "is_public": "on", "client_token": "tok-one-round"}
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def _big_photo(name: str, size: int) -> SimpleUploadedFile:
    head = jpeg_upload().read()
    return SimpleUploadedFile(name, head + b"\0" * (size - len(head)), content_type="image/jpeg")


def test_every_error_comes_in_one_round(client, citizen, lighting, settings):
    settings.OPENCITY_PHOTO_MAX_BYTES = 300_000  # stands for 10 MB; the photo for a 23 MB one
    _login(client, citizen)
    response = client.post(NEW, _form(lighting, category="", description="", lat="", lon="",
                                      photos=_big_photo("IMG_23MB.jpg", 700_000)))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"category", "description", "address", "photos"} <= set(errors), errors
    assert "IMG_23MB.jpg" in " ".join(errors["photos"])  # said, not silently dropped
    assert Report.objects.count() == 0


def test_a_missing_photo_is_said_with_the_other_errors(client, citizen, lighting):
    _login(client, citizen)
    response = client.post(NEW, _form(lighting, description="", lat="", lon=""))
    errors = response.context["form"].errors
    assert {"description", "address", "photos"} <= set(errors), errors


def test_a_photo_is_kept_across_an_error_and_used_by_the_next_round(client, citizen, lighting):
    _login(client, citizen)
    first = client.post(NEW, _form(lighting, description="", photos=jpeg_upload(gps=(STORY_LAT, STORY_LON))))
    assert first.status_code == 400
    [staged] = StagedUpload.objects.all()
    body = first.content.decode()
    assert reverse("reports:staged_thumb", args=[staged.pk]) in body
    assert f'name="staged" value="{staged.pk}"' in body
    assert b"TestCam" not in bytes(staged.image)  # pixels only
    second = client.post(NEW, _form(lighting, staged=str(staged.pk)))  # no file this time
    assert second.status_code == 302, second.context["form"].errors
    report = Report.objects.get()
    assert report.photos.count() == 1
    assert not StagedUpload.objects.exists()


def test_a_kept_photo_ticked_remove_is_dropped_without_javascript(client, citizen, lighting):
    _login(client, citizen)
    client.post(NEW, _form(lighting, description="", photos=jpeg_upload()))
    [staged] = StagedUpload.objects.all()
    response = client.post(NEW, _form(lighting, staged=str(staged.pk), remove_staged=str(staged.pk)))
    assert response.status_code == 400
    assert "photos" in response.context["form"].errors  # the only photo was removed
    assert not StagedUpload.objects.exists() and Report.objects.count() == 0


def test_someone_elses_staged_photo_cannot_be_used(client, citizen, citizen2, lighting):
    _login(client, citizen2)
    client.post(NEW, _form(lighting, description="", photos=jpeg_upload()))
    [theirs] = StagedUpload.objects.all()
    client.logout()
    _login(client, citizen)
    response = client.post(NEW, _form(lighting, staged=str(theirs.pk)))
    assert response.status_code == 400 and "photos" in response.context["form"].errors
    assert client.get(reverse("reports:staged_thumb", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("reports:photo_unstage", args=[theirs.pk])).status_code == 404
    assert StagedUpload.objects.filter(pk=theirs.pk).exists()


def test_a_photo_is_uploaded_once_to_the_staging_endpoint(client, citizen, lighting):
    _login(client, citizen)
    response = client.post(reverse("reports:photo_stage"),
                           {"photo": jpeg_upload(gps=(STORY_LAT, STORY_LON)), "client_token": "tok-js"})
    assert response.status_code == 201
    data = response.json()
    assert data["found"] and data["in_city"] and data["area"]
    assert f'value="{data["id"]}"' in data["html"]
    thumb = client.get(reverse("reports:staged_thumb", args=[data["id"]]))
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    response = client.post(NEW, _form(lighting, client_token="tok-js", staged=str(data["id"])))
    assert response.status_code == 302
    assert Photo.objects.count() == 1


def test_the_position_read_by_the_page_is_used_for_a_shrunk_photo(client, citizen):
    _login(client, citizen)
    data = client.post(reverse("reports:photo_stage"), {"photo": jpeg_upload(), "client_token": "tok-js",
                                                        "gps_lat": str(STORY_LAT), "gps_lon": str(STORY_LON)}).json()
    assert data["found"] and data["in_city"]
    response = client.post(reverse("reports:photo_stage"), {"photo": jpeg_upload(), "client_token": "tok-js",
                                                            "gps_lat": "nan", "gps_lon": "1"})
    assert response.status_code == 400


def test_the_staging_endpoint_refuses_visitors_wrong_methods_and_bad_files(client, citizen, settings):
    assert client.post(reverse("reports:photo_stage"), {"photo": jpeg_upload(), "client_token": "t"}).status_code == 403
    _login(client, citizen)
    assert client.get(reverse("reports:photo_stage")).status_code == 405
    bad = SimpleUploadedFile("a.jpg", b"not a photo", content_type="image/jpeg")
    response = client.post(reverse("reports:photo_stage"), {"photo": bad, "client_token": "t"})
    assert response.status_code == 400 and "a.jpg" in response.json()["error"]
    assert client.post(reverse("reports:photo_stage"), {"client_token": "t"}).status_code == 400
    settings.OPENCITY_PHOTO_MAX_BYTES = 100_000
    response = client.post(reverse("reports:photo_stage"), {"photo": _big_photo("big.jpg", 300_000), "client_token": "t"})
    assert response.status_code == 413 and response.json()["error"]
    assert not StagedUpload.objects.exists()


def test_a_sent_form_sent_again_replays_the_first_report(client, citizen, lighting):
    _login(client, citizen)
    data = client.post(reverse("reports:photo_stage"), {"photo": jpeg_upload(), "client_token": "tok-twice"}).json()
    form = _form(lighting, client_token="tok-twice", staged=str(data["id"]))
    first = client.post(NEW, form)
    second = client.post(NEW, form)  # the staged photo is the report's now
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert Report.objects.count() == 1


def test_a_required_single_choice_question_starts_unanswered(client, citizen, lighting):
    CategoryQuestion.objects.create(category=lighting, code="pole", label_vi="Loại cột", label_en="Pole",
                                    kind=QuestionKind.SINGLE, required=True,
                                    choices=[{"key": "go", "vi": "Gỗ"}, {"key": "sat", "vi": "Sắt"}])
    CategoryQuestion.objects.create(category=lighting, code="lamp", label_vi="Loại đèn", label_en="Lamp",
                                    kind=QuestionKind.SINGLE, required=False,
                                    choices=[{"key": "led", "vi": "LED"}, {"key": "cao-ap", "vi": "Cao áp"}])
    _login(client, citizen)
    body = client.get(NEW, {"category": lighting.pk}).content.decode()
    pole = re.findall(r'<input type="radio" name="q_pole"[^>]*>', body)
    assert len(pole) == 2 and not any("checked" in i for i in pole)
    assert not any('value=""' in i for i in pole)  # no "—" answer to pre-tick
    lamp = re.findall(r'<input type="radio" name="q_lamp"[^>]*>', body)
    assert len(lamp) == 3 and 'value=""' in lamp[0]  # "skip this question", the truth until chosen
    response = client.post(NEW, _form(lighting, photos=jpeg_upload()))
    assert "q_pole" in response.context["form"].errors


def test_each_star_has_a_label_a_screen_reader_reads(client, make_report, citizen, operator, officer, lighting_rule):
    from opencity.reports import services

    report = make_report()
    services.report_route(report_id=report.pk, actor=operator)
    services.report_accept(report_id=report.pk, actor=officer)
    services.report_resolve(report_id=report.pk, actor=officer, result="Đã thay bóng đèn.",
                            photos=[jpeg_upload()])
    _login(client, citizen)
    body = client.get(reverse("reports:detail", args=[report.pk]), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    labels = re.findall(r'<label for="star(\d)"[^>]*>(.*?)</label>', body, re.S)
    assert sorted(v for v, _ in labels) == ["1", "2", "3", "4", "5"]
    for _value, inner in labels:
        assert "★" not in inner and "icon-star" in inner
        text = re.sub(r"<[^>]+>", "", inner).strip()
        assert re.match(r"^\d sao – ", text), text
    assert "1 sao – rất không hài lòng" in body and "5 sao – rất hài lòng" in body
