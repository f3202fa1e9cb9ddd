"""Photo intake: what is kept of a JPEG's segments, and reading GPS without decoding."""

from __future__ import annotations

import io
import struct

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from opencity.errors import ValidationError
from opencity.lib.images import probe_gps, process_upload, strip_jpeg_metadata


def _jpeg(**options) -> bytes:
    img = Image.radial_gradient("L").convert("RGB").resize((96, 64))
    buf = io.BytesIO()
    img.save(buf, "JPEG", **options)
    return buf.getvalue()


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def _markers(data: bytes) -> list[int]:
    """Marker bytes of the segments before the first scan."""
    out, pos = [], 2
    while data[pos + 1] != 0xDA:
        out.append(data[pos + 1])
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    return out


@pytest.mark.parametrize("options", [{}, {"progressive": True}, {"restart_marker_blocks": 1}])
def test_stripping_keeps_the_pixels_and_drops_comments_app_segments_and_trailing_bytes(options):
    clean = _jpeg(**options)
    dirty = (
        clean[:2]
        + _segment(0xFE, b"comment 0905123456")
        + _segment(0xE1, b"Exif\x00\x00junk")
        + _segment(0xED, b"Photoshop 3.0\x00iptc")
        + _segment(0xE2, b"ICC_PROFILE\x00...")
        + clean[2:]
        + b"appended 0905123456"
    )
    stripped = strip_jpeg_metadata(dirty)
    assert b"0905123456" not in stripped
    assert Image.open(io.BytesIO(stripped)).tobytes() == Image.open(io.BytesIO(clean)).tobytes()
    assert set(_markers(stripped)) <= {0xE0, 0xDB, 0xC0, 0xC2, 0xC4, 0xDD}
    assert strip_jpeg_metadata(stripped) == stripped


def test_a_comment_between_progressive_scans_is_dropped_too():
    clean = _jpeg(progressive=True)
    second_scan = clean.index(b"\xff\xda", clean.index(b"\xff\xda") + 2)
    dirty = clean[:second_scan] + _segment(0xFE, b"between scans 0905123456") + clean[second_scan:]
    stripped = strip_jpeg_metadata(dirty)
    assert b"0905123456" not in stripped
    assert Image.open(io.BytesIO(stripped)).tobytes() == Image.open(io.BytesIO(clean)).tobytes()


@pytest.mark.parametrize(
    "data", [b"", b"GIF89a", b"\xff\xd8", b"\xff\xd8\xff\xe1\x00", _jpeg()[:200]]
)
def test_a_malformed_jpeg_is_an_error_not_a_guess(data):
    with pytest.raises(ValueError):
        strip_jpeg_metadata(data)


def test_stored_photos_are_plain_jfif_jpegs():
    processed = process_upload(
        SimpleUploadedFile("a.png", _png_with_text(), content_type="image/png")
    )
    for data in (processed.image.read(), processed.thumb.read()):
        assert _markers(data)[0] == 0xE0 and not {0xFE, *range(0xE1, 0xF0)} & set(_markers(data))


def _png_with_text() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("comment", "0905123456")
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(buf, "PNG", pnginfo=info)
    return buf.getvalue()


def test_probing_a_file_that_is_not_an_image_is_a_validation_error():
    with pytest.raises(ValidationError) as error:
        probe_gps(SimpleUploadedFile("x.jpg", b"%PDF-1.4", content_type="image/jpeg"))
    assert error.value.code == "photo_invalid"


def test_a_broken_exif_block_does_not_stop_a_photo():
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(buf, "WEBP", exif=b"Exif\x00\x00not a tiff header")
    upload = SimpleUploadedFile("a.webp", buf.getvalue(), content_type="image/webp")
    assert probe_gps(upload) is None
    assert process_upload(upload).width == 40
