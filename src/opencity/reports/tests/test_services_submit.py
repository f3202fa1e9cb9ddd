"""Submitting a field report: place, text, photos, answers, idempotency, automatic routing."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from opencity.conftest import STORY_LAT, STORY_LON
from opencity.errors import ConflictError, UnprocessableError, ValidationError
from opencity.lib.images import probe_gps
from opencity.lib.models import AuditLog
from opencity.reports.models import CategoryQuestion, Photo, Report, Status
from opencity.reports.services import report_submit

from .factories import jpeg_upload

pytestmark = pytest.mark.django_db

HANOI = (21.0285, 105.8542)


def _nothing_saved():
    assert Report.objects.count() == 0
    assert Photo.objects.count() == 0


def _refused(make, *, field, code=None, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        make(**kwargs)
    assert exc.value.field == field
    if code:
        assert exc.value.code == code
    assert exc.value.http_status == 400
    _nothing_saved()
    return exc.value


# --- place -----------------------------------------------------------------------------


def test_the_area_comes_from_the_pin(make_report, citizen):
    report = make_report(address="")
    assert report.area.name == "Phường Phú Xuân"
    assert (report.lat, report.lon) == (STORY_LAT, STORY_LON)
    assert report.status == Status.NEW and report.reporter == citizen
    assert list(report.events.values_list("action", "to_status")) == [("submit", "new")]


def test_a_typed_pre_2025_address_alone_finds_the_new_ward(make_report, phu_xuan):
    report = make_report(lat=None, lon=None, address="Kiệt 32 Lê Văn Hưu, phường Thuận Lộc")
    assert report.area == phu_xuan
    assert (report.lat, report.lon) == (phu_xuan.lat, phu_xuan.lon)
    assert report.address == "Kiệt 32 Lê Văn Hưu, phường Thuận Lộc"


def test_a_pin_outside_the_city_is_refused(make_report):
    with translation.override("en"):
        error = _refused(
            make_report, field="location", code="outside_city", lat=HANOI[0], lon=HANOI[1]
        )
    assert "outside the city" in error.message


def test_an_impossible_position_is_refused(make_report):
    _refused(make_report, field="location", lat=123.0, lon=107.5)
    _refused(make_report, field="location", lat="abc", lon="107.5")


def test_an_unknown_address_without_a_pin_is_refused(make_report):
    _refused(
        make_report,
        field="location",
        code="address_not_found",
        lat=None,
        lon=None,
        address="Không có địa chỉ này",
    )


def test_a_report_without_any_place_is_refused(make_report):
    _refused(
        make_report, field="location", code="location_required", lat=None, lon=None, address=""
    )


# --- text and category -----------------------------------------------------------------


def test_a_report_without_category_is_refused(make_report, lighting):
    _refused(make_report, field="category", code="required", category=None)
    lighting.is_active = False
    lighting.save()
    _refused(make_report, field="category", category=lighting.pk)


def test_a_report_without_description_is_refused(make_report):
    _refused(make_report, field="description", code="required", description="   ")


def test_a_description_over_4000_characters_is_refused(make_report):
    _refused(make_report, field="description", code="too_long", description="đ" * 4001)
    assert len(make_report(description="đ" * 4000).description) == 4000


def test_html_tags_are_stripped_from_the_description(make_report):
    report = make_report(
        description='<b>Đèn</b> hỏng <a href="http://x">tại đây</a><script>alert(1)</script>'
    )
    assert report.description == "Đèn hỏng tại đâyalert(1)"


def test_a_private_report_is_stored_private(make_report):
    assert make_report(is_public=False).is_public is False


def test_the_hotline_files_for_a_caller_with_a_normalised_phone(hotline, lighting):
    report = report_submit(
        reporter=None,
        filed_by=hotline,
        category=lighting,
        description="Đèn hỏng",
        lat=STORY_LAT,
        lon=STORY_LON,
        channel="hotline",
        reporter_name="Bà Hoa",
        reporter_phone="0905 123 456",
    )
    assert report.reporter is None and report.reporter_phone == "+84905123456"
    event = report.events.get()
    assert (
        event.actor == hotline
        and event.actor_role == "hotline"
        and event.data == {"channel": "hotline"}
    )
    assert AuditLog.objects.filter(
        actor=hotline, action="report.submit_for_caller", target_id=str(report.pk)
    ).exists()


def test_a_callers_wrong_phone_number_is_refused(hotline, lighting):
    with pytest.raises(ValidationError) as exc:
        report_submit(
            reporter=None,
            filed_by=hotline,
            category=lighting,
            description="Đèn hỏng",
            lat=STORY_LAT,
            lon=STORY_LON,
            reporter_phone="12345",
        )
    assert exc.value.field == "phone"
    _nothing_saved()


# --- idempotency -----------------------------------------------------------------------


def test_the_same_client_token_twice_makes_one_report(make_report):
    first = make_report(client_token="form-7f3a")
    second = make_report(client_token="form-7f3a")
    assert second.pk == first.pk
    assert Report.objects.count() == 1
    assert first.events.count() == 1


def test_a_client_token_reused_for_another_report_is_refused(make_report, lighting):
    """The same token with another text, category or visibility is not a retry (issue #13):
    a 422, never the first report as if the second had been made."""
    make_report(client_token="form-7f3a")
    for change in ({"description": "gửi lại"}, {"is_public": False}):
        with pytest.raises(UnprocessableError) as caught:
            make_report(client_token="form-7f3a", **change)
        assert caught.value.http_status == 422 and caught.value.code == "idempotency_key_reused"
    assert Report.objects.count() == 1


def test_another_person_cannot_reuse_a_client_token(make_report, citizen2):
    make_report(client_token="form-7f3a")
    with pytest.raises(ConflictError):
        make_report(client_token="form-7f3a", reporter=citizen2)
    assert Report.objects.count() == 1


# --- photos ----------------------------------------------------------------------------


def test_stored_photos_are_jpegs_without_exif_and_with_a_smaller_thumbnail(make_report):
    upload = jpeg_upload(size=(1200, 900), gps=(STORY_LAT, STORY_LON))
    raw = upload.read()
    assert b"TestCam" in raw and Image.open(io.BytesIO(raw)).getexif().get_ifd(0x8825)
    upload.seek(0)
    png = jpeg_upload(name="chup.png", fmt="PNG", size=(300, 200))

    report = make_report(photos=[upload, png])

    photos = list(report.photos.order_by("pk"))
    assert len(photos) == 2 and {p.kind for p in photos} == {"report"}
    assert photos[0].event == report.events.get(action="submit")
    for photo in photos:
        for field in (photo.image, photo.thumb):
            with field.open("rb") as fh:
                data = fh.read()
            img = Image.open(io.BytesIO(data))
            assert img.format == "JPEG"
            assert len(img.getexif()) == 0
            assert b"TestCam" not in data and b"Exif" not in data
    big = Image.open(photos[0].image.path)
    thumb = Image.open(photos[0].thumb.path)
    assert big.size == (1200, 900) and (photos[0].width, photos[0].height) == (1200, 900)
    assert max(thumb.size) <= 480 and thumb.size[0] < big.size[0]


def test_the_gps_position_is_read_before_it_is_stripped():
    lat, lon = probe_gps(jpeg_upload(gps=(STORY_LAT, STORY_LON)))
    assert lat == pytest.approx(STORY_LAT, abs=1e-4) and lon == pytest.approx(STORY_LON, abs=1e-4)
    assert probe_gps(jpeg_upload()) is None


def test_a_file_that_is_not_an_image_is_refused(make_report):
    fake = SimpleUploadedFile("den.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    error = _refused(
        make_report, field="photos", code="photo_invalid", photos=[jpeg_upload(), fake]
    )
    assert "den.jpg" in error.message


def test_a_photo_over_the_size_limit_is_refused(make_report, settings):
    settings.OPENCITY_PHOTO_MAX_BYTES = 500
    upload = jpeg_upload(size=(400, 300))
    assert upload.size > 500
    _refused(make_report, field="photos", code="photo_too_large", photos=[upload])


@pytest.mark.parametrize("max_pixels", [1000, 2000])  # PIL errors at 2× its limit, warns below
def test_a_decompression_bomb_is_refused(make_report, settings, max_pixels):
    settings.OPENCITY_PHOTO_MAX_PIXELS = max_pixels
    _refused(
        make_report,
        field="photos",
        code="photo_too_many_pixels",
        photos=[jpeg_upload(size=(64, 48))],
    )


def test_the_pixel_limit_of_one_test_does_not_leak_into_the_next(make_report):
    # regression: the limit used to be set on PIL's process-wide Image.MAX_IMAGE_PIXELS
    assert make_report(photos=[jpeg_upload(size=(64, 48))]).photos.count() == 1
    assert Image.MAX_IMAGE_PIXELS > 64 * 48


def test_six_photos_are_refused(make_report):
    _refused(
        make_report,
        field="photos",
        code="too_many_photos",
        photos=[jpeg_upload() for _ in range(6)],
    )
    assert make_report(photos=[jpeg_upload() for _ in range(5)]).photos.count() == 5


def test_a_required_photo_must_be_there(make_report):
    _refused(make_report, field="photos", code="photo_required", photos=[], photos_required=True)


# --- the category's questions ---------------------------------------------------------


@pytest.fixture
def questions(lighting):
    def q(code, kind, required=False, choices=()):
        return CategoryQuestion.objects.create(
            category=lighting,
            code=code,
            kind=kind,
            required=required,
            label_vi=code,
            label_en=code,
            choices=list(choices),
        )

    q("cot", "text", required=True)
    q("so_bong", "number")
    q("tu_ngay", "date")
    q("loai", "single", choices=[{"key": "bong", "vi": "Bóng"}, {"key": "day", "vi": "Dây"}])
    q("gio", "multiple", choices=[{"key": "sang", "vi": "Sáng"}, {"key": "toi", "vi": "Tối"}])


def test_answers_are_validated_and_normalised(make_report, questions):
    report = make_report(
        answers={
            "cot": " Cột số 12 ",
            "so_bong": "2,5",
            "tu_ngay": "18/12/2025",
            "loai": "day",
            "gio": ["toi", "sang", "toi"],
            "la": "bỏ qua",
        }
    )
    report.refresh_from_db()
    assert report.answers == {
        "cot": "Cột số 12",
        "so_bong": 2.5,
        "tu_ngay": "2025-12-18",
        "loai": "day",
        "gio": ["sang", "toi"],
    }


def test_optional_questions_may_stay_unanswered(make_report, questions):
    report = make_report(answers={"cot": "12", "so_bong": "", "gio": []})
    assert report.answers == {"cot": "12"}


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({}, "q_cot"),
        ({"cot": "   "}, "q_cot"),
        ({"cot": "12", "so_bong": "hai"}, "q_so_bong"),
        ({"cot": "12", "so_bong": "1e400"}, "q_so_bong"),  # would be stored as Infinity
        ({"cot": "12", "so_bong": "NaN"}, "q_so_bong"),
        ({"cot": "12", "tu_ngay": "31/02/2026"}, "q_tu_ngay"),
        ({"cot": "12", "tu_ngay": "hôm qua"}, "q_tu_ngay"),
        ({"cot": "12", "loai": "den"}, "q_loai"),
        ({"cot": "12", "loai": ["bong", "day"]}, "q_loai"),
        ({"cot": "12", "gio": ["sang", "dem"]}, "q_gio"),
        ({"cot": "x" * 501}, "q_cot"),
    ],
    ids=[
        "required-missing",
        "required-blank",
        "not-a-number",
        "infinite-number",
        "nan",
        "impossible-date",
        "not-a-date",
        "unknown-choice",
        "two-single-choices",
        "unknown-multiple-choice",
        "too-long",
    ],
)
def test_wrong_answers_are_refused_with_the_questions_field_name(
    make_report, questions, answers, field
):
    _refused(make_report, field=field, answers=answers)


# --- routing at submit -----------------------------------------------------------------


def test_an_automatic_rule_routes_the_report_at_submit(make_report, lighting_rule, urban_works):
    lighting_rule.automatic = True
    lighting_rule.save()
    report = make_report()
    report.refresh_from_db()
    assert report.status == Status.ASSIGNED and report.unit == urban_works
    assert report.due_at is not None and report.assigned_at is not None
    route = report.events.get(action="route")
    assert (
        route.actor is None
        and route.data["automatic"] is True
        and route.data["unit_id"] == urban_works.pk
    )
    assert [e.action for e in report.events.all()] == ["submit", "route"]


def test_a_manual_rule_leaves_the_report_for_the_operator(make_report, lighting_rule):
    report = make_report()
    assert report.status == Status.NEW and report.unit is None
