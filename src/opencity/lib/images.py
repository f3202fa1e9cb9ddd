"""Photo intake: validate, read GPS, strip EXIF by re-encoding, make a thumbnail.

Everything a citizen uploads passes here before it is stored. Limits (bytes, pixels) come
from settings; a decompression bomb, a file that is not an image, or an oversized file raises
ValidationError with a message the person can act on.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from opencity.errors import ValidationError

JPEG_QUALITY = 82
MAX_EDGE = 2048
THUMB_EDGE = 480
_GPS_IFD = 0x8825


@dataclass
class ProcessedImage:
    image: ContentFile
    thumb: ContentFile
    width: int
    height: int
    gps: tuple[float, float] | None


def _open(upload) -> Image.Image:
    size = getattr(upload, "size", None)
    if size is not None and size > settings.OPENCITY_PHOTO_MAX_BYTES:
        raise ValidationError(
            _("The photo “%(name)s” is larger than %(mb)d MB.")
            % {"name": getattr(upload, "name", ""), "mb": settings.OPENCITY_PHOTO_MAX_BYTES // (1024 * 1024)},
            code="photo_too_large",
            field="photos",
        )
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(upload)  # reads the header only
            # Our limit, checked before decoding (not by changing PIL's process-wide default).
            if img.width * img.height > settings.OPENCITY_PHOTO_MAX_PIXELS:
                raise Image.DecompressionBombError(img.width * img.height)
            img.verify()
            upload.seek(0)
            img = Image.open(upload)
            if img.format not in ("JPEG", "PNG", "WEBP", "GIF", "MPO", "HEIF"):
                raise UnidentifiedImageError(img.format)
            img.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("The photo “%(name)s” has too many pixels.") % {"name": getattr(upload, "name", "")},
            code="photo_too_many_pixels",
            field="photos",
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("The file “%(name)s” is not a photo we can read (use JPEG, PNG or WebP).")
            % {"name": getattr(upload, "name", "")},
            code="photo_invalid",
            field="photos",
        ) from None
    return img


def _to_degrees(value, ref: str) -> float:
    d, m, s = (float(x) for x in value)
    deg = d + m / 60 + s / 3600
    return -deg if ref in ("S", "W") else deg


def read_gps(img: Image.Image) -> tuple[float, float] | None:
    """Latitude and longitude from EXIF GPS tags, if present and sane."""
    try:
        gps = img.getexif().get_ifd(_GPS_IFD)
        if not gps or 2 not in gps or 4 not in gps:
            return None
        lat = _to_degrees(gps[2], gps.get(1, "N"))
        lon = _to_degrees(gps[4], gps.get(3, "E"))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return round(lat, 6), round(lon, 6)


def _encode(img: Image.Image, edge: int) -> tuple[ContentFile, int, int]:
    copy = img.copy()
    copy.thumbnail((edge, edge))
    buf = io.BytesIO()
    copy.save(buf, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return ContentFile(buf.getvalue()), copy.width, copy.height


def process_upload(upload) -> ProcessedImage:
    """Validate and re-encode one uploaded photo. The result carries no EXIF at all."""
    img = _open(upload)
    gps = read_gps(img)
    img = ImageOps.exif_transpose(img)
    if img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    full, width, height = _encode(img, MAX_EDGE)
    thumb, _w, _h = _encode(img, THUMB_EDGE)
    return ProcessedImage(image=full, thumb=thumb, width=width, height=height, gps=gps)


def probe_gps(upload) -> tuple[float, float] | None:
    """Only read the GPS position (used to suggest the place before submitting)."""
    return read_gps(_open(upload))


def blurred(data: bytes, boxes: list[tuple[float, float, float, float]] | None = None) -> bytes:
    """Blur the given boxes (fractions of width/height), or the whole photo if none given."""
    img = Image.open(io.BytesIO(data))
    img.load()
    img = img.convert("RGB")
    if not boxes:
        img = img.filter(ImageFilter.GaussianBlur(radius=max(img.size) / 30))
    else:
        for x0, y0, x1, y1 in boxes:
            box = (int(x0 * img.width), int(y0 * img.height), int(x1 * img.width), int(y1 * img.height))
            if box[2] <= box[0] or box[3] <= box[1]:
                continue
            region = img.crop(box).filter(ImageFilter.GaussianBlur(radius=max(img.size) / 40))
            img.paste(region, box)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=JPEG_QUALITY)
    return buf.getvalue()
