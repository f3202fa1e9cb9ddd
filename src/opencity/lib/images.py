"""Photo intake: validate, read GPS, keep nothing but the pixels, make a thumbnail.

Everything a citizen or a unit uploads passes here before it is stored. Limits (bytes, pixels)
come from settings; a decompression bomb, a file that is not an image, or an oversized file
raises ValidationError with a message the person can act on.

What is stored carries **nothing but the pixels** (issue #13, finding 3): no EXIF (GPS, camera,
MakerNotes), no XMP, no IPTC, no comment (JPEG COM, PNG text chunks, GIF comment extension —
Pillow copies ``info["comment"]`` into the JPEGs it writes), no ICC profile. Colours are kept
right by converting from the photo's embedded profile to sRGB — what browsers assume for an
untagged image — and dropping the profile: a profile is a free-form blob (its description and
copyright tags can carry any text) and a device-specific one identifies the phone, so keeping
it would leave a metadata channel open. Every JPEG we write is then checked segment by segment
(:func:`strip_jpeg_metadata`): only the JFIF header, the tables and the scans are kept.

Reading a photo's GPS position for the report form (:func:`probe_gps`) never decodes pixels:
the header gives the size (checked against the budget first) and the EXIF block.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from struct import error as struct_error

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Model
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageFilter, ImageOps, UnidentifiedImageError

from opencity.errors import ValidationError

JPEG_QUALITY = 82
MAX_EDGE = 2048
THUMB_EDGE = 480
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")  # the only decoders Pillow may try (JPEG opens MPO too)
_GPS_IFD = 0x8825
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@dataclass
class ProcessedImage:
    image: ContentFile
    thumb: ContentFile
    width: int
    height: int
    gps: tuple[float, float] | None


def _name(upload) -> str:
    return getattr(upload, "name", "") or ""


def _too_many_pixels(upload) -> ValidationError:
    return ValidationError(
        _("The photo “%(name)s” has too many pixels.") % {"name": _name(upload)},
        code="photo_too_many_pixels",
        field="photos",
    )


def _unreadable(upload) -> ValidationError:
    return ValidationError(
        _("The file “%(name)s” is not a photo we can read (use JPEG, PNG or WebP).")
        % {"name": _name(upload)},
        code="photo_invalid",
        field="photos",
    )


def _open_header(upload) -> Image.Image:
    """Open lazily: check the byte size, read the header only and check its pixel count
    against ``OPENCITY_PHOTO_MAX_PIXELS`` before anything else. No pixel is decoded here."""
    size = getattr(upload, "size", None)
    if size is not None and size > settings.OPENCITY_PHOTO_MAX_BYTES:
        raise ValidationError(
            _("The photo “%(name)s” is larger than %(mb)d MB.")
            % {"name": _name(upload), "mb": settings.OPENCITY_PHOTO_MAX_BYTES // (1024 * 1024)},
            code="photo_too_large",
            field="photos",
        )
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(upload, formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(upload) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _unreadable(upload) from None
    # Our limit, from the header (not by changing PIL's process-wide default).
    if img.width * img.height > settings.OPENCITY_PHOTO_MAX_PIXELS:
        raise _too_many_pixels(upload)
    return img


def _open(upload) -> Image.Image:
    """Open, verify and decode. A large JPEG is decoded at a reduced scale (DCT scaling) when
    that still gives at least ``MAX_EDGE`` pixels: we would shrink it anyway."""
    _open_header(upload)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            Image.open(upload, formats=FORMATS).verify()
            upload.seek(0)
            img = Image.open(upload, formats=FORMATS)
            if img.format in ("JPEG", "MPO"):
                img.draft(None, (MAX_EDGE, MAX_EDGE))
            img.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(upload) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _unreadable(upload) from None
    return img


def _to_degrees(value, ref: str) -> float:
    d, m, s = (float(x) for x in value)
    deg = d + m / 60 + s / 3600
    return -deg if ref in ("S", "W") else deg


def _exif(img: Image.Image) -> Image.Exif:
    """The EXIF block the header carried. Not ``img.getexif()``: for a PNG that decodes the
    whole image to look for an eXIf chunk after the pixels."""
    exif = Image.Exif()
    raw = img.info.get("exif")
    if isinstance(raw, bytes) and raw:
        exif.load(raw)
    return exif


def read_gps(img: Image.Image) -> tuple[float, float] | None:
    """Latitude and longitude from EXIF GPS tags, if present and sane. Decodes no pixel."""
    try:
        gps = _exif(img).get_ifd(_GPS_IFD)
        if not gps or 2 not in gps or 4 not in gps:
            return None
        lat = _to_degrees(gps[2], gps.get(1, "N"))
        lon = _to_degrees(gps[4], gps.get(3, "E"))
    except (KeyError, TypeError, ValueError, ZeroDivisionError, SyntaxError, OSError, struct_error):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return round(lat, 6), round(lon, 6)


def _rgb(img: Image.Image, icc: bytes | None) -> Image.Image:
    """RGB or L pixels in sRGB: the photo's own colour profile (if any) is applied, and the
    result carries no profile."""
    if img.mode not in ("RGB", "L", "CMYK"):
        img = img.convert("RGB")
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            img = ImageCms.profileToProfile(img, source, _SRGB, outputMode="RGB") or img
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a broken profile, or one for other colours than the pixels': take them as sRGB
    if img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    return img


def _pixels_only(img: Image.Image) -> Image.Image:
    """A new image made of the pixels alone: no ``info`` (comment, EXIF, XMP, ICC…) to copy."""
    return Image.frombytes(img.mode, img.size, img.tobytes())


def _jpeg(img: Image.Image, **options) -> bytes:
    buf = io.BytesIO()
    _pixels_only(img).save(buf, "JPEG", quality=JPEG_QUALITY, comment=b"", exif=b"", **options)
    return strip_jpeg_metadata(buf.getvalue())


def _encode(img: Image.Image, edge: int) -> tuple[ContentFile, int, int]:
    copy = img.copy()
    copy.thumbnail((edge, edge))
    return ContentFile(_jpeg(copy, optimize=True, progressive=True)), copy.width, copy.height


def process_upload(upload) -> ProcessedImage:
    """Validate and re-encode one uploaded photo. The result carries nothing but pixels: no
    EXIF, XMP, IPTC, comment or colour profile (the colours are converted to sRGB)."""
    img = _open(upload)
    gps = read_gps(img)
    icc = img.info.get("icc_profile")
    try:
        img = ImageOps.exif_transpose(img)
    except (SyntaxError, struct_error, OSError, ValueError, KeyError, TypeError):
        pass  # a broken EXIF block: take the pixels the way they are stored
    try:
        if img.mode not in ("RGB", "L", "CMYK"):
            img = img.convert("RGB")  # before resizing: a palette image would be resized coarsely
        img.thumbnail((MAX_EDGE, MAX_EDGE))
        img = _rgb(img, icc)
    except (OSError, ValueError):  # a pixel format Pillow cannot convert
        raise _unreadable(upload) from None
    full, width, height = _encode(img, MAX_EDGE)
    thumb, _w, _h = _encode(img, THUMB_EDGE)
    return ProcessedImage(image=full, thumb=thumb, width=width, height=height, gps=gps)


def probe_gps(upload) -> tuple[float, float] | None:
    """Only read the GPS position (used to suggest the place before submitting). The header
    is read, the pixel budget checked, the EXIF block parsed: no pixel is ever decoded."""
    return read_gps(_open_header(upload))


def blurred(data: bytes, boxes: list[tuple[float, float, float, float]] | None = None) -> bytes:
    """Blur the given boxes (fractions of width/height), or the whole photo if none given.
    The result carries nothing but pixels, like every stored photo."""
    img = Image.open(io.BytesIO(data), formats=FORMATS)
    img.load()
    img = _rgb(img, img.info.get("icc_profile"))
    if not boxes:
        img = img.filter(ImageFilter.GaussianBlur(radius=max(img.size) / 30))
    else:
        for x0, y0, x1, y1 in boxes:
            box = (
                int(x0 * img.width),
                int(y0 * img.height),
                int(x1 * img.width),
                int(y1 * img.height),
            )
            if box[2] <= box[0] or box[3] <= box[1]:
                continue
            region = img.crop(box).filter(ImageFilter.GaussianBlur(radius=max(img.size) / 40))
            img.paste(region, box)
    return _jpeg(img)


# --- the last check on every JPEG we write -------------------------------------------------

_SOI, _EOI, _SOS, _COM, _APP0, _APP14 = 0xD8, 0xD9, 0xDA, 0xFE, 0xE0, 0xEE
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM, RST0–7: no length


def _keep_segment(marker: int, payload: bytes) -> bool:
    if marker == _COM or 0xE1 <= marker <= 0xEF and marker != _APP14:
        return False  # comments; EXIF/XMP (APP1), ICC/MPF (APP2), IPTC (APP13), makers' own
    if marker == _APP0:
        return payload.startswith(b"JFIF\x00")  # not JFXX (a thumbnail of its own)
    if marker == _APP14:
        return payload.startswith(b"Adobe")  # colour transform flags, no text
    return True


def strip_jpeg_metadata(data: bytes) -> bytes:
    """The same JPEG without metadata, losslessly: only the JFIF header, an Adobe colour
    transform marker, the tables, frame and scans are kept; comments, every other APPn segment
    and anything after the end marker are dropped. Raises ValueError for a malformed file."""
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    out = [b"\xff\xd8"]
    pos, end = 2, len(data)
    while True:
        if pos + 1 >= end or data[pos] != 0xFF:
            raise ValueError("truncated JPEG")
        while data[pos + 1] == 0xFF:  # fill bytes
            pos += 1
            if pos + 1 >= end:
                raise ValueError("truncated JPEG")
        marker = data[pos + 1]
        if marker == _EOI:
            out.append(b"\xff\xd9")
            return b"".join(out)
        if marker in _STANDALONE or marker == _SOI:
            pos += 2
            continue
        if pos + 4 > end:
            raise ValueError("truncated JPEG")
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        segment_end = pos + 2 + length
        if length < 2 or segment_end > end:
            raise ValueError("bad JPEG segment")
        if _keep_segment(marker, data[pos + 4 : segment_end]):
            out.append(data[pos:segment_end])
        pos = segment_end
        if marker == _SOS:  # entropy-coded data runs to the next marker (not FF00, not RSTn)
            scan = pos
            while True:
                ff = data.find(b"\xff", scan)
                if ff < 0 or ff + 1 >= end:
                    raise ValueError("truncated JPEG scan")
                following = data[ff + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    scan = ff + 2
                elif following == 0xFF:
                    scan = ff + 1
                else:
                    break
            out.append(data[pos:ff])
            pos = ff


# --- stored photos ------------------------------------------------------------------------------

_stored_photos: dict[str, tuple[type[Model], tuple[str, ...]]] = {}


def register_stored_photos(model: type[Model], fields: tuple[str, ...]) -> None:
    """Say which file fields of ``model`` hold photos that went through :func:`process_upload`
    (or :func:`blurred`), so maintenance over every stored photo
    (``manage.py photos_strip_metadata``) reaches them without ``lib`` importing the app. Called
    from the owning app's ``AppConfig.ready()``."""
    _stored_photos[model._meta.label] = (model, fields)


def stored_photos() -> list[tuple[type[Model], tuple[str, ...]]]:
    """Every registered photo model with its photo fields, in registration order."""
    return list(_stored_photos.values())
