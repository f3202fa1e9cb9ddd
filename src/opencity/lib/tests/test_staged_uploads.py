"""Photos kept for a report form not yet sent (lib.staging, issue 14)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from PIL import Image

from opencity.errors import ValidationError
from opencity.lib import staging
from opencity.lib.models import StagedUpload
from opencity.lib.tasks import purge_staged_uploads
from opencity.reports.tests.factories import jpeg_upload

pytestmark = pytest.mark.django_db


def test_only_the_pixels_are_kept_and_the_position_is_handed_back(citizen):
    item, gps = staging.stage(user=citizen, client_token="tok-1", upload=jpeg_upload(gps=(16.4745, 107.5755)))
    assert gps == pytest.approx((16.4745, 107.5755), abs=1e-4)
    stored = bytes(StagedUpload.objects.get(pk=item.pk).image)
    assert b"TestCam" not in stored and b"Exif" not in stored
    import io

    assert Image.open(io.BytesIO(stored)).format == "JPEG"


def test_a_photo_that_is_not_one_is_refused(citizen):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError):
        staging.stage(user=citizen, client_token="tok-1", upload=SimpleUploadedFile("a.jpg", b"nope"))
    assert not StagedUpload.objects.exists()


@pytest.mark.parametrize("token", ["", "x" * 65, "../etc", "a b"])
def test_a_bad_form_token_is_refused(citizen, token):
    with pytest.raises(ValidationError):
        staging.stage(user=citizen, client_token=token, upload=jpeg_upload())


def test_a_form_holds_at_most_the_photo_limit(citizen, settings):
    settings.OPENCITY_PHOTO_MAX_COUNT = 2
    for _ in range(2):
        staging.stage(user=citizen, client_token="tok-1", upload=jpeg_upload())
    with pytest.raises(ValidationError) as exc:
        staging.stage(user=citizen, client_token="tok-1", upload=jpeg_upload())
    assert exc.value.code == "too_many_photos"
    staging.stage(user=citizen, client_token="tok-2", upload=jpeg_upload())  # another form


def test_a_person_holds_at_most_the_staging_limit(citizen, citizen2, settings):
    settings.OPENCITY_STAGING_MAX_PER_USER = 3
    for i in range(3):
        staging.stage(user=citizen, client_token=f"tok-{i}", upload=jpeg_upload())
    with pytest.raises(ValidationError) as exc:
        staging.stage(user=citizen, client_token="tok-9", upload=jpeg_upload())
    assert exc.value.code == "too_many_staged"
    staging.stage(user=citizen2, client_token="tok-9", upload=jpeg_upload())  # someone else


def test_staged_photos_are_their_uploaders_alone(citizen, citizen2):
    mine, _gps = staging.stage(user=citizen, client_token="tok-1", upload=jpeg_upload())
    assert staging.staged_for(user=citizen2, client_token="tok-1") == []
    assert staging.staged_for(user=citizen2, client_token="tok-1", ids=[mine.pk]) == []
    assert staging.get_for(user=citizen2, pk=mine.pk) is None
    assert staging.discard(user=citizen2, pk=mine.pk) is False
    assert [s.pk for s in staging.staged_for(user=citizen, client_token="tok-1", ids=[str(mine.pk), "x", "-1"])] == [mine.pk]
    assert staging.discard(user=citizen, pk=mine.pk) is True


def test_the_periodic_cleanup_deletes_what_is_a_day_old(citizen):
    old, _gps = staging.stage(user=citizen, client_token="tok-1", upload=jpeg_upload())
    fresh, _gps = staging.stage(user=citizen, client_token="tok-1", upload=jpeg_upload())
    StagedUpload.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(hours=25))
    assert staging.staged_for(user=citizen, client_token="tok-1") == [fresh]  # expired: gone already
    purge_staged_uploads.call_local()
    assert list(StagedUpload.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_staged_photos_become_processed_images(citizen):
    item, _gps = staging.stage(user=citizen, client_token="tok-1", upload=jpeg_upload(size=(64, 48)))
    [processed] = staging.as_processed([item])
    assert (processed.width, processed.height) == (64, 48) and processed.gps is None
    staging.consume([item])
    assert not StagedUpload.objects.exists()


def test_the_same_upload_key_keeps_one_photo(citizen):
    first, gps = staging.stage(user=citizen, client_token="tok-1", upload=jpeg_upload(gps=(16.47, 107.57)),
                               upload_key="photo-1")
    again, _gps = staging.stage(user=citizen, client_token="tok-1", upload=jpeg_upload(), upload_key="photo-1")
    assert again.pk == first.pk and gps is not None
    other, _gps = staging.stage(user=citizen, client_token="tok-1", upload=jpeg_upload(), upload_key="photo-2")
    assert other.pk != first.pk
    assert StagedUpload.objects.filter(user=citizen).count() == 2


def test_an_upload_key_is_per_person_and_form(citizen, citizen2):
    mine, _gps = staging.stage(user=citizen, client_token="tok-1", upload=jpeg_upload(), upload_key="photo-1")
    theirs, _gps = staging.stage(user=citizen2, client_token="tok-1", upload=jpeg_upload(), upload_key="photo-1")
    other_form, _gps = staging.stage(user=citizen, client_token="tok-2", upload=jpeg_upload(), upload_key="photo-1")
    assert len({mine.pk, theirs.pk, other_form.pk}) == 3


def test_the_staging_endpoint_answers_a_repeated_upload_key_with_the_first_photo(client, citizen):
    from django.urls import reverse

    client.force_login(citizen)
    url = reverse("reports:photo_stage")
    answers = [client.post(url, {"photo": jpeg_upload(), "client_token": "tok-1", "upload_key": "k-1"})
               for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert StagedUpload.objects.filter(user=citizen).count() == 1
