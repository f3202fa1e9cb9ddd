"""Issue #13, photos and push: each test replays one reproduction and failed before its fix.
Both databases; no mocks of our own code. Outside the system there is a local HTTPS push
service (``alerts/tests/pushservice.py``) and, where a name must resolve to a chosen address,
a fake resolver in place of DNS.

- Finding 3: comments and any other metadata (EXIF, XMP, IPTC, MakerNote, ICC) are gone from
  every photo we serve or store — report photos, thumbnails, result photos, rescue photos,
  blurred photos.
- Finding 6: the photo-location probe is for signed-in people, is refused by its size before
  its body is read, and reads GPS without decoding pixels; every upload is refused by its
  declared size (413) before the body is read, and a file past the photo limit is not kept.
- Finding 4: push endpoints only on known push services; at send time no loopback, private or
  metadata address (after resolution, connected to the checked address), no redirects, a
  bounded answer and a deadline.
- Finding 5 (part): one account keeps at most OPENCITY_PUSH_MAX_SUBSCRIPTIONS devices.
"""

from __future__ import annotations

import asyncio
import importlib.util
import io
import json
import socket
import struct
import zlib
from pathlib import Path

import pytest
from django.core.asgi import get_asgi_application
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageCms, PngImagePlugin

from opencity.alerts.tests.factories import browser_keys
from opencity.alerts.tests.pushservice import PushService, make_certificates
from opencity.conftest import STORY_LAT, STORY_LON
from opencity.emergency import services as emergency
from opencity.lib import outbound
from opencity.lib.uploads import BodySizeLimitASGI, OversizedUpload
from opencity.notifications import push
from opencity.notifications import services as notification_services
from opencity.notifications.models import PushSubscription
from opencity.notifications.vapid import new_vapid_keys
from opencity.reports import services
from opencity.reports.models import Photo, Report
from opencity.reports.tests.factories import jpeg_upload

pytestmark = pytest.mark.django_db

PHONE = "0905123456"


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- finding 3: nothing but pixels ---------------------------------------------------------


def _save(img: Image.Image, fmt: str, **options) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **options)
    return buf.getvalue()


def _insert_after_soi(jpeg: bytes, marker: int, payload: bytes) -> bytes:
    return (
        jpeg[:2] + bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]
    )


def _iptc_app13(text: str) -> bytes:
    """A Photoshop APP13 block with an IPTC caption (2:120), as photo tools write it."""
    caption = text.encode()
    iptc = b"\x1c\x02\x78" + struct.pack(">H", len(caption)) + caption
    resource = (
        b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iptc)) + iptc
    )
    return b"Photoshop 3.0\x00" + resource


def _exif_with_phone() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    exif[0x010E] = f"Call {PHONE}"  # ImageDescription
    exif[0x013B] = f"Artist {PHONE}"  # Artist
    exif_ifd = exif.get_ifd(0x8769)
    exif_ifd[0x9286] = b"ASCII\x00\x00\x00" + f"User comment {PHONE}".encode()  # UserComment
    exif_ifd[0x927C] = f"MakerNote serial {PHONE}".encode()  # MakerNote
    return exif.tobytes()


def _icc_with_phone() -> bytes:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return profile + f"desc {PHONE}".encode()


def _photo(fmt: str, color=(200, 120, 40)) -> bytes:
    """A photo whose metadata carries the phone number in the way ``fmt`` names."""
    rgb = Image.new("RGB", (320, 240), color)
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:description>{PHONE}</dc:description></x:xmpmeta>'.encode()
    if fmt == "jpeg-comment":
        return _save(rgb, "JPEG", comment=f"Gọi anh Tư {PHONE}".encode())
    if fmt == "jpeg-exif":
        return _save(rgb, "JPEG", exif=_exif_with_phone())
    if fmt == "jpeg-xmp":
        return _save(rgb, "JPEG", xmp=xmp)
    if fmt == "jpeg-iptc":
        return _insert_after_soi(_save(rgb, "JPEG"), 0xED, _iptc_app13(f"Caption {PHONE}"))
    if fmt == "jpeg-icc":
        return _save(rgb, "JPEG", icc_profile=_icc_with_phone())
    if fmt == "png-text":
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", f"tEXt {PHONE}")
        info.add_text("comment", f"lower-case tEXt {PHONE}")
        info.add_itxt("Description", f"iTXt {PHONE}")
        info.add_text("Author", f"zTXt {PHONE}", zip=True)
        return _save(rgb, "PNG", pnginfo=info, exif=_exif_with_phone())
    if fmt == "gif-comment":
        return _save(rgb.convert("P"), "GIF", comment=f"GIF {PHONE}".encode())
    if fmt == "webp-meta":
        return _save(rgb, "WEBP", exif=_exif_with_phone(), xmp=xmp, icc_profile=_icc_with_phone())
    raise ValueError(fmt)


FORMATS = [
    "jpeg-comment",
    "jpeg-exif",
    "jpeg-xmp",
    "jpeg-iptc",
    "jpeg-icc",
    "png-text",
    "gif-comment",
    "webp-meta",
]


def _upload(fmt: str) -> SimpleUploadedFile:
    ext = fmt.split("-")[0].replace("jpeg", "jpg")
    data = _photo(fmt)
    assert PHONE.encode() in data or fmt == "png-text"  # zTXt and iTXt may be compressed
    return SimpleUploadedFile(f"chup.{ext}", data, content_type=f"image/{ext}")


def assert_pixels_only(data: bytes) -> None:
    """The phone number in no spelling, and, read by Pillow, a JPEG with only its JFIF header."""
    for spelling in (PHONE, PHONE[1:], f"{PHONE[:4]} {PHONE[4:7]} {PHONE[7:]}"):
        assert spelling.encode() not in data
    img = Image.open(io.BytesIO(data))
    assert img.format == "JPEG"
    assert [name for name, _payload in img.applist] == ["APP0"] and img.applist[0][1].startswith(
        b"JFIF"
    )
    assert not {"comment", "exif", "icc_profile", "xmp", "photoshop", "adobe"} & set(img.info)
    assert len(img.getexif()) == 0


def _served(client: Client, photo: Photo, variant: str) -> bytes:
    response = client.get(reverse("reports:photo", args=[photo.pk, variant]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_report_photo_is_served_without_its_comments_or_metadata(citizen, lighting, fmt):
    response = as_user(citizen).post(
        reverse("reports:new"),
        {
            "category": lighting.pk,
            "description": "Đèn đường hỏng trước nhà",
            "lat": str(STORY_LAT),
            "lon": str(STORY_LON),
            "address": "Kiệt 32 Lê Văn Hưu",
            "is_public": "on",
            "client_token": f"form-{fmt}",
            "photos": _upload(fmt),
        },
    )
    assert response.status_code == 302, response.content[:500]
    photo = Photo.objects.get()
    visitor = Client()
    for variant in ("full", "thumb"):
        assert_pixels_only(_served(visitor, photo, variant))


def test_the_colours_of_a_tagged_photo_are_kept_in_srgb_without_the_profile(make_report):
    tagged = _save(
        Image.new("RGB", (64, 64), (255, 0, 0)),
        "JPEG",
        icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(),
    )
    report = make_report(photos=[SimpleUploadedFile("red.jpg", tagged, content_type="image/jpeg")])
    with report.photos.get().image.open("rb") as fh:
        img = Image.open(io.BytesIO(fh.read()))
    assert "icc_profile" not in img.info
    red, green, blue = img.convert("RGB").getpixel((32, 32))
    assert red > 240 and green < 15 and blue < 15


def test_result_blurred_and_rescue_photos_carry_nothing_but_pixels(
    make_report, operator, officer, lighting_rule, citizen
):
    report = make_report(photos=[_upload("jpeg-comment")])
    services.report_route(report_id=report.pk, actor=operator)
    services.report_accept(report_id=report.pk, actor=officer)
    services.report_resolve(
        report_id=report.pk,
        actor=officer,
        result="Đã thay bóng đèn",
        photos=[_upload("gif-comment"), _upload("png-text")],
    )
    assert Report.objects.get(pk=report.pk).status == "resolved"
    visitor = Client()
    for photo in Photo.objects.filter(kind="result"):
        for variant in ("full", "thumb"):
            assert_pixels_only(_served(visitor, photo, variant))
    first = Photo.objects.get(kind="report")
    services.photo_moderate(photo_id=first.pk, actor=operator, action="blur")
    staff = as_user(operator)
    for variant in ("full", "thumb", "original"):
        assert_pixels_only(_served(staff, first, variant))
    rescue, _created = emergency.rescue_request_create(
        actor=citizen,
        lat=STORY_LAT,
        lon=STORY_LON,
        people=2,
        needs=["trapped"],
        client_token="sos-photo-1",
        photos=[_upload("jpeg-exif")],
    )
    for stored in rescue.photos.all():
        for field in (stored.image, stored.thumb):
            with field.open("rb") as fh:
                assert_pixels_only(fh.read())


def test_photos_stored_before_the_fix_are_cleaned_in_place(make_report):
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    report = make_report(photos=[jpeg_upload()])
    photo = report.photos.get()
    dirty = _photo("jpeg-comment")
    photo.image.save("photo.jpg", ContentFile(dirty), save=False)
    photo.thumb.save("thumb.jpg", ContentFile(_photo("jpeg-iptc")), save=True)
    out = io.StringIO()
    call_command("photos_strip_metadata", stdout=out)
    photo.refresh_from_db()
    for field in (photo.image, photo.thumb):
        with field.open("rb") as fh:
            assert_pixels_only(fh.read())
    with photo.image.open("rb") as fh:  # losslessly: the same pixels
        assert Image.open(fh).tobytes() == Image.open(io.BytesIO(dirty)).tobytes()
    assert "2" in out.getvalue()


# --- finding 6: the photo-location probe and upload sizes ---------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _gps_exif(lat: float, lon: float) -> bytes:
    def dms(value):
        value = abs(value)
        d, m = int(value), int((value - int(value)) * 60)
        return (d, m, round(((value - d) * 60 - m) * 60, 4))

    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: dms(lat), 3: "E", 4: dms(lon)}
    return exif.tobytes()


def _png_header_only(width: int, height: int, *, gps: tuple[float, float] | None = None) -> bytes:
    """A PNG whose header says ``width``×``height`` and whose pixel data is not there (one
    IDAT of a few bytes): reading it is fine, decoding it fails. With ``gps``: an eXIf chunk
    before the pixels, as cameras that write PNG put it."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunks = _png_chunk(b"IHDR", header)
    if gps:
        chunks += _png_chunk(
            b"eXIf", _gps_exif(*gps).removeprefix(b"Exif\x00\x00")
        )  # the TIFF block
    chunks += _png_chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + _png_chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def _probe(client: Client, data: bytes, name: str = "anh.png", **extra):
    return client.post(
        reverse("reports:photo_location"),
        {"photo": SimpleUploadedFile(name, data, content_type="image/png")},
        **extra,
    )


def _body_read(response) -> bool:
    return response.wsgi_request.environ["wsgi.input"].read_started


def test_a_visitor_cannot_make_the_server_read_a_photo(client):
    response = _probe(client, jpeg_upload(gps=(STORY_LAT, STORY_LON)).read())
    assert response.status_code == 403 and response.json()["error"]
    assert not _body_read(response)  # refused before the body was read, CSRF check included


def test_the_gps_is_read_from_a_36_megapixel_png_without_decoding_its_pixels(citizen):
    # 6000 × 6000 = 36 MP, under the 40 MP budget; its pixel data is missing, so decoding it
    # (as the probe did: 1–3 s and ~108 MB for a real one) would fail with a 400.
    data = _png_header_only(6000, 6000, gps=(STORY_LAT, STORY_LON))
    assert len(data) < 1000
    answer = _probe(as_user(citizen), data).json()
    assert answer["found"] and answer["in_city"]
    assert answer["lat"] == pytest.approx(STORY_LAT, abs=1e-4) and answer["lon"] == pytest.approx(
        STORY_LON, abs=1e-4
    )


def test_a_photo_over_the_pixel_budget_is_refused_by_its_header(citizen):
    response = _probe(
        as_user(citizen),
        _png_header_only(8000, 6000, gps=(STORY_LAT, STORY_LON)),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400 and "pixels" in response.json()["error"]


def test_a_large_probe_is_refused_by_its_declared_size_before_the_body_is_read(citizen, settings):
    settings.OPENCITY_PHOTO_MAX_BYTES = 200 * 1024
    big = b"\xff\xd8" + b"\x00" * (400 * 1024)
    response = _probe(as_user(citizen), big, name="to.jpg", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413 and "larger than" in response.json()["error"]
    assert not _body_read(response)


def test_a_100_mb_upload_is_refused_by_its_content_length_on_every_path(citizen, lighting):
    declared = str(100 * 1024 * 1024)
    client = as_user(citizen)
    body = b'--x\r\nContent-Disposition: form-data; name="category"\r\n\r\n1\r\n--x--\r\n'
    for path in (
        reverse("reports:new"),
        reverse("reports:photo_location"),
        "/api/v1/reports",
        reverse("reports:citizen_action", args=[1, "answer"]),
        "/open311/v2/requests.json",
    ):
        response = client.generic(
            "POST",
            path,
            body,
            content_type="multipart/form-data; boundary=x",
            CONTENT_LENGTH=declared,
        )
        assert response.status_code == 413, path
        assert not _body_read(response), path
        if path.startswith("/api/"):
            assert response.json()["error"]["code"] == "too_large"
        if path.startswith("/open311/"):
            assert response.json()[0]["code"] == 413
    page = client.generic(
        "POST",
        reverse("reports:new"),
        body,
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=declared,
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    assert "MB" in page.content.decode()


def test_a_photo_past_the_limit_is_counted_not_kept_and_named_in_the_form(
    citizen, lighting, settings
):
    settings.OPENCITY_PHOTO_MAX_BYTES = 100 * 1024
    big = SimpleUploadedFile(
        "to-qua.jpg", b"\xff\xd8" + b"\x01" * (300 * 1024), content_type="image/jpeg"
    )
    response = as_user(citizen).post(
        reverse("reports:new"),
        {
            "category": lighting.pk,
            "description": "Đèn hỏng",
            "lat": str(STORY_LAT),
            "lon": str(STORY_LON),
            "is_public": "on",
            "client_token": "form-big",
            "photos": big,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "to-qua.jpg" in response.content.decode() and not Report.objects.exists()
    [kept] = response.wsgi_request.FILES.getlist("photos")
    assert (
        isinstance(kept, OversizedUpload) and kept.size > 300 * 1024
    )  # counted; its bytes were not kept


def test_the_asgi_entry_refuses_a_chunked_body_past_the_limit_while_it_streams(settings):
    # opencity.asgi (what granian's ASGI interface serves) wraps Django's handler so; it is not
    # imported here: it also starts the worker's lifeline thread and freezes the collector.
    entry = Path(importlib.util.find_spec("opencity.asgi").origin).read_text()
    assert "application = BodySizeLimitASGI(django_application)" in entry
    app = BodySizeLimitASGI(get_asgi_application())
    settings.OPENCITY_UPLOAD_MAX_BYTES = 64 * 1024
    chunk = b"x" * 16 * 1024
    pulled, sent = [], []

    async def receive():
        pulled.append(1)
        return {"type": "http.request", "body": chunk, "more_body": len(pulled) < 1000}  # 16 MB

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/reports/photo-location/",
        "raw_path": b"/reports/photo-location/",
        "query_string": b"",
        "headers": [(b"content-type", b"application/octet-stream")],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 5000),
        "scheme": "http",
        "root_path": "",
        "http_version": "1.1",
        "asgi": {"version": "3.0"},
    }
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 413
    assert len(pulled) <= 5  # 64 KB and one chunk, not 16 MB

    sent.clear()
    pulled.clear()
    headers = [(b"content-length", str(16 * 1024 * 1024).encode())]
    asyncio.run(app({**scope, "headers": headers}, receive, send))
    assert sent[0]["status"] == 413 and pulled == []


# --- finding 4: push endpoints ------------------------------------------------------------


@pytest.fixture(scope="session")
def push_tls(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("push-tls"))


@pytest.fixture
def vapid(settings):
    public, private = new_vapid_keys()
    settings.OPENCITY_PUSH_BACKEND = "opencity.notifications.push.WebPushBackend"
    settings.OPENCITY_VAPID_PUBLIC_KEY = public
    settings.OPENCITY_VAPID_PRIVATE_KEY = private
    return public


@pytest.fixture
def push_service(push_tls, settings, vapid, monkeypatch):
    """The receiver is allowed as a push host; its loopback address is NOT allowed unless a
    test says so (``reachable``). Its CA is trusted (``REQUESTS_CA_BUNDLE`` too: the worker
    used ``requests`` before, and the replays must show what that connected to)."""
    ca, cert, key = push_tls
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca))
    settings.OPENCITY_PUSH_ALLOWED_HOSTS = ["localhost", "pinned.test"]
    settings.OPENCITY_PUSH_ALLOWED_NETWORKS = []
    settings.OPENCITY_PUSH_CA_FILE = str(ca)
    service = PushService(cert, key).start()
    yield service
    service.stop()


@pytest.fixture
def reachable(settings):
    settings.OPENCITY_PUSH_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]


def _subscribe(client: Client, endpoint: str):
    _private, p256dh, _secret, auth = browser_keys()
    return client.post(
        reverse("alerts:push_subscribe"),
        content_type="application/json",
        data=json.dumps({"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}),
    )


def _subscription(user, endpoint: str) -> PushSubscription:
    _private, p256dh, _secret, auth = browser_keys()
    return PushSubscription.objects.create(user=user, endpoint=endpoint, p256dh=p256dh, auth=auth)


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://127.0.0.1:8080/push",
        "https://localhost/push",
        "https://10.0.0.5/push",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/push",
        "https://attacker.example/push",
        "https://fcm.googleapis.com.attacker.example/fcm/send/x",
        "https://evilfcm.googleapis.com/fcm/send/x",
        "http://fcm.googleapis.com/fcm/send/x",
        "https://user:secret@fcm.googleapis.com/fcm/send/x",
    ],
)
def test_a_subscription_outside_the_known_push_services_is_refused_with_a_clear_400(
    citizen, endpoint
):
    response = _subscribe(as_user(citizen), endpoint)
    assert response.status_code == 400 and response.json()["error"]
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/cK1x:APA91b",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABk",
        "https://web.push.apple.com/QGx7",
        "https://wns2-par02p.notify.windows.com/w/?token=BQYAAAB",
    ],
)
def test_the_browsers_push_services_are_accepted(citizen, endpoint):
    assert _subscribe(as_user(citizen), endpoint).status_code == 201


def test_the_worker_does_not_connect_to_loopback_even_for_an_allowed_name(push_service, citizen):
    sub = _subscription(citizen, push_service.url())  # stored before the rules, or by hand
    assert push.WebPushBackend().send(sub, {"title": "x"}) == "failed"
    assert push_service.received == []
    with pytest.raises(outbound.OutboundRefused) as refused:
        outbound.post(push_service.url(), body=b"x", headers={}, allowed_hosts=["localhost"])
    assert refused.value.code == "address_not_allowed"


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.5",
        "169.254.169.254",
        "127.0.0.1",
        "::ffff:127.0.0.1",
        "0.0.0.0",
        "100.64.0.1",
        "fd00::1",
        "64:ff9b::a9fe:a9fe",
    ],
)
def test_a_name_resolving_to_an_inner_address_is_refused_before_connecting(
    push_service, citizen, monkeypatch, address
):
    monkeypatch.setattr(socket, "getaddrinfo", _resolver({"push.pinned.test": [address]}))
    url = f"https://push.pinned.test:{push_service.port}/push/1"
    with pytest.raises(outbound.OutboundRefused) as refused:  # raised before any connect()
        outbound.post(url, body=b"x", headers={}, allowed_hosts=["pinned.test"])
    assert refused.value.code == "address_not_allowed"
    assert push.WebPushBackend().send(_subscription(citizen, url), {"title": "x"}) == "failed"
    assert push_service.received == []


def _resolver(table: dict[str, list[str]], calls: list | None = None):
    """DNS, as far as these tests are concerned: the names in ``table``, nothing else."""

    def getaddrinfo(host, port, *args, **kwargs):
        if calls is not None:
            calls.append(host)
        family = {4: socket.AF_INET, 6: socket.AF_INET6}
        return [
            (
                family[6 if ":" in a else 4],
                socket.SOCK_STREAM,
                socket.IPPROTO_TCP,
                "",
                (a, port) if ":" not in a else (a, port, 0, 0),
            )
            for a in table[host]
        ]

    return getaddrinfo


def test_the_worker_connects_to_the_address_it_checked_and_resolves_once(
    push_service, reachable, citizen, monkeypatch, settings
):
    """DNS rebinding: a second answer (an inner address) would come too late — the name is
    resolved once per push and the connection goes to that address, TLS checked for the name."""
    calls: list[str] = []
    answers = iter([["127.0.0.1"], ["10.0.0.5"], ["10.0.0.5"]])
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, *a, **k: _resolver({host: next(answers)}, calls)(host, port),
    )
    sub = _subscription(citizen, f"https://push.pinned.test:{push_service.port}/push/pinned")
    assert push.WebPushBackend().send(sub, {"title": "x"}) == "ok"
    assert calls == ["push.pinned.test"]
    [request] = push_service.received
    assert (
        request["path"] == "/push/pinned"
        and request["headers"]["Host"] == f"push.pinned.test:{push_service.port}"
    )


def test_a_redirect_is_not_followed(push_service, reachable, citizen, push_tls):
    inner = PushService(push_tls[1], push_tls[2]).start()
    try:
        push_service.behaviour = "redirect"
        push_service.location = inner.url("/internal/admin")
        sub = _subscription(citizen, push_service.url())
        assert push.WebPushBackend().send(sub, {"title": "x"}) == "failed"
        assert len(push_service.received) == 1 and inner.received == []
    finally:
        inner.stop()


def test_an_oversized_answer_is_refused(push_service, reachable, citizen, settings):
    push_service.behaviour = "huge"  # 8 MB where an empty body is expected
    with pytest.raises(outbound.OutboundRefused) as refused:
        outbound.post(
            push_service.url(),
            body=b"x",
            headers={},
            allowed_hosts=["localhost"],
            allowed_networks=outbound.parse_networks(settings.OPENCITY_PUSH_ALLOWED_NETWORKS),
            cafile=settings.OPENCITY_PUSH_CA_FILE,
            max_response_bytes=push.MAX_RESPONSE_BYTES,
        )
    assert refused.value.code == "response_too_large"
    assert (
        push.WebPushBackend().send(_subscription(citizen, push_service.url()), {"title": "x"})
        == "failed"
    )


def test_a_push_service_that_never_finishes_answering_is_cut_off(
    push_service, reachable, citizen, settings
):
    settings.OPENCITY_PUSH_TIMEOUT = 0.5  # a byte every 50 ms: no single read ever times out
    push_service.behaviour = "slow"
    assert (
        push.WebPushBackend().send(_subscription(citizen, push_service.url()), {"title": "x"})
        == "failed"
    )


def test_the_worker_drops_a_subscription_no_rule_would_ever_let_through(push_service, citizen):
    _subscription(citizen, "https://attacker.example/push")
    assert push.send_push_to_user(citizen, title="Cảnh báo") == 0
    assert not PushSubscription.objects.filter(user=citizen).exists()


# --- finding 5 (part): devices per account --------------------------------------------------


def _subscribe_device(user, endpoint: str) -> PushSubscription:
    """The service the subscribe view calls (the view's hourly rate limit is another rule: this
    is how many devices an account keeps, whenever they were added)."""
    _private, p256dh, _secret, auth = browser_keys()
    return notification_services.push_subscribe(user=user, endpoint=endpoint, p256dh=p256dh, auth=auth)


def test_thirty_subscriptions_leave_the_ten_newest_devices(citizen, settings):
    assert settings.OPENCITY_PUSH_MAX_SUBSCRIPTIONS == 10
    endpoints = [f"https://fcm.googleapis.com/fcm/send/device-{n}" for n in range(30)]
    for endpoint in endpoints:
        _subscribe_device(citizen, endpoint)
    kept = set(PushSubscription.objects.filter(user=citizen).values_list("endpoint", flat=True))
    assert kept == set(endpoints[20:])
    assert (
        _subscribe(as_user(citizen), endpoints[0]).status_code == 201
    )  # the phone in hand: accepted
    assert PushSubscription.objects.filter(user=citizen).count() == 10


def test_a_device_that_receives_pushes_outlives_newer_silent_ones(citizen, settings):
    settings.OPENCITY_PUSH_MAX_SUBSCRIPTIONS = 3
    in_use = _subscribe_device(citizen, "https://fcm.googleapis.com/fcm/send/phone-in-use")
    for n in range(4):  # a browser reset again and again; warnings keep reaching the phone
        _subscribe_device(citizen, f"https://fcm.googleapis.com/fcm/send/reset-{n}")
        PushSubscription.objects.filter(pk=in_use.pk).update(last_success_at=timezone.now())
    kept = set(PushSubscription.objects.values_list("endpoint", flat=True))
    assert kept == {
        "https://fcm.googleapis.com/fcm/send/phone-in-use",
        "https://fcm.googleapis.com/fcm/send/reset-2",
        "https://fcm.googleapis.com/fcm/send/reset-3",
    }
