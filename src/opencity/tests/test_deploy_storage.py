"""Issue #20, object storage: photos in an S3-compatible bucket (django-storages).

The settings are checked in a fresh process, as production starts (enabled but incomplete →
the start stops). The round trip runs against a real S3-compatible HTTP server on a loopback
port: moto's ``moto_server`` (a dev dependency), the stand-in for the city's object storage.
Nothing of ours is mocked: the report's photo goes through ``report_submit``, moderation and
the photo view, with ``STORAGES["default"]`` built from the same options settings.py builds.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from opencity.reports.tests.factories import jpeg_upload

BUCKET = "opencity-deploy-photos"


def _manage(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """``manage.py`` in a fresh process with only these OPENCITY_* settings."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OPENCITY_", "DJANGO_", "AWS_"))}
    clean.update(OPENCITY_VAR_DIR=str(tmp_path), OPENCITY_SECRET_KEY=secrets.token_urlsafe(48), **env)
    return subprocess.run([sys.executable, str(settings.BASE_DIR / "manage.py"), *args],
                          env=clean, capture_output=True, text=True, timeout=120)


SHOW_STORAGE = (
    "from django.conf import settings; o = settings.STORAGES['default'].get('OPTIONS', {}); "
    "print(settings.STORAGES['default']['BACKEND'], o.get('bucket_name'), o.get('secret_key'), "
    "o.get('querystring_auth'))"
)


def test_s3_enabled_without_its_keys_stops_the_start(tmp_path):
    done = _manage(tmp_path, "check", OPENCITY_USE_S3="True", OPENCITY_S3_BUCKET=BUCKET)
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert "OPENCITY_S3_ACCESS_KEY_ID" in done.stderr and "OPENCITY_S3_SECRET_ACCESS_KEY" in done.stderr
    assert "OPENCITY_S3_BUCKET" not in done.stderr.split("needs", 1)[-1]  # given, so not asked for


def test_s3_enabled_without_a_bucket_or_a_place_stops_the_start(tmp_path):
    done = _manage(tmp_path, "check", OPENCITY_USE_S3="True", OPENCITY_S3_ACCESS_KEY_ID="k",
                   OPENCITY_S3_SECRET_ACCESS_KEY="s")
    assert done.returncode != 0
    assert "OPENCITY_S3_BUCKET" in done.stderr and "OPENCITY_S3_ENDPOINT_URL or OPENCITY_S3_REGION" in done.stderr


def test_s3_complete_settings_make_the_bucket_the_default_storage(tmp_path):
    secret = tmp_path / "s3_secret"
    secret.write_text("from-a-file\n")
    done = _manage(tmp_path, "shell", "-c", SHOW_STORAGE, OPENCITY_USE_S3="True", OPENCITY_S3_BUCKET=BUCKET,
                   OPENCITY_S3_REGION="hn-1", OPENCITY_S3_ACCESS_KEY_ID="key",
                   OPENCITY_S3_SECRET_ACCESS_KEY_FILE=str(secret))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].split() == ["storages.backends.s3.S3Storage", BUCKET, "from-a-file", "True"]


def test_without_s3_the_default_storage_is_the_local_disk(tmp_path):
    done = _manage(tmp_path, "shell", "-c", SHOW_STORAGE)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].split()[0] == "django.core.files.storage.FileSystemStorage"


# --- A real round trip through an S3-compatible server ------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory):
    """``moto_server`` on a free loopback port, in its own process; stopped after the module."""
    port = _free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1",
                                 "-p", str(port)], stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert proc.poll() is None, log.read_text()
                time.sleep(0.1)
        else:
            raise AssertionError(f"moto_server did not answer on {url}: {log.read_text()}")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


S3_KEYS = {"access_key": "opencity-test", "secret_key": "opencity-test-secret", "region_name": "us-east-1"}


@pytest.fixture
def bucket(s3_server, settings):
    """A fresh private bucket, made the default storage with the options settings.py sets."""
    import boto3

    client = boto3.client("s3", endpoint_url=s3_server, aws_access_key_id=S3_KEYS["access_key"],
                          aws_secret_access_key=S3_KEYS["secret_key"], region_name=S3_KEYS["region_name"])
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
            "bucket_name": BUCKET, "endpoint_url": s3_server, **S3_KEYS, "default_acl": None,
            "file_overwrite": False, "querystring_auth": True,
        }},
    }
    yield client
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _object(client, key: str) -> bytes:
    return client.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def _served(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_a_report_photo_goes_to_the_bucket_and_is_served_from_it(bucket, make_report, client):
    report = make_report(photos=[jpeg_upload(size=(320, 240))])
    photo = report.photos.get()
    assert type(photo.image.storage._wrapped).__name__ == "S3Storage"
    stored = _object(bucket, photo.image.name)  # the object is in the bucket, read by boto3 itself
    assert stored[:3] == b"\xff\xd8\xff" and _object(bucket, photo.thumb.name)[:3] == b"\xff\xd8\xff"
    assert not (Path(settings.MEDIA_ROOT) / photo.image.name).exists()  # nothing on the local disk

    page = client.get(reverse("reports:detail", args=[report.pk]))
    assert f"/photos/{photo.pk}/thumb" in page.content.decode()
    full = client.get(reverse("reports:photo", args=[photo.pk, "full"]))
    assert full.status_code == 200 and full["Content-Type"] == "image/jpeg"
    assert _served(full) == stored
    thumb = client.get(reverse("reports:photo", args=[photo.pk, "thumb"]))
    assert _served(thumb) == _object(bucket, photo.thumb.name)


@pytest.mark.django_db
def test_the_photo_view_still_guards_hidden_photos_and_originals_in_the_bucket(
    bucket, make_report, client, operator
):
    from opencity.reports import services
    from opencity.reports.models import Photo

    report = make_report(photos=[jpeg_upload(size=(300, 200), color=(10, 200, 30))])
    photo = report.photos.get()
    before = _object(bucket, photo.image.name)

    services.photo_moderate(photo_id=photo.pk, actor=operator, action="blur", boxes=[(0.1, 0.1, 0.5, 0.5)])
    photo = Photo.objects.get(pk=photo.pk)
    assert photo.original.name.startswith("originals/")
    assert _object(bucket, photo.original.name) == before  # the original kept, in the bucket
    full, original = (reverse("reports:photo", args=[photo.pk, v]) for v in ("full", "original"))
    assert _served(client.get(full)) == _object(bucket, photo.image.name) != before
    assert client.get(original).status_code == 404  # the public never sees the original

    services.photo_moderate(photo_id=photo.pk, actor=operator, action="hide")
    assert client.get(full).status_code == 404

    client.force_login(operator)
    assert _served(client.get(full)) == _object(bucket, photo.image.name)
    assert _served(client.get(original)) == before
    services.photo_moderate(photo_id=photo.pk, actor=operator, action="restore")
    photo = Photo.objects.get(pk=photo.pk)
    assert _served(client.get(full)) == _object(bucket, photo.image.name)
