"""Factories for report tests. Reports are created through the service, as in production."""

from __future__ import annotations

import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from opencity.reports.models import Category, RoutingRule


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"cat-{n}")
    name_vi = factory.Sequence(lambda n: f"Danh mục {n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")
    deadline_hours = 16


class RoutingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutingRule


def jpeg_upload(
    name: str = "photo.jpg",
    size=(64, 48),
    color=(200, 120, 40),
    gps: tuple[float, float] | None = None,
    fmt: str = "JPEG",
) -> SimpleUploadedFile:
    """A small real image; with ``gps`` it carries EXIF GPS tags (and a camera make to strip)."""
    img = Image.new("RGB", size, color)
    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    if gps:
        lat, lon = gps

        def dms(v):
            v = abs(v)
            d = int(v)
            m = int((v - d) * 60)
            s = round(((v - d) * 60 - m) * 60, 4)
            return (d, m, s)

        exif[0x8825] = {
            1: "N" if lat >= 0 else "S",
            2: dms(lat),
            3: "E" if lon >= 0 else "W",
            4: dms(lon),
        }
    img.save(buf, fmt, exif=exif.tobytes()) if fmt == "JPEG" else img.save(buf, fmt)
    return SimpleUploadedFile(name, buf.getvalue(), content_type=f"image/{fmt.lower()}")
