"""Drawn photos for the demo history: a few street scenes per theme, "before" and "after".

Thousands of photo rows point at about thirty stored files, so the pack stays fast and small:
each image is drawn once with Pillow, passed through the same intake as uploads
(``opencity.lib.images.process_upload``: re-encoded, no EXIF, thumbnail) and saved once to the
default storage under a fixed name. A later run finds the files and reuses them.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFont

from opencity.lib.images import process_upload

WIDTH, HEIGHT = 960, 720
STORAGE_DIR = "demo/photos"

# theme → label on the banner. Categories map to a theme in ``theme_for``.
THEMES: dict[str, str] = {
    "lighting": "Chiếu sáng công cộng",
    "waste": "Vệ sinh môi trường",
    "road": "Hạ tầng giao thông",
    "flood": "Ngập úng, thoát nước",
    "tree": "Cây xanh",
    "street": "Trật tự đô thị",
}
BEFORE_PER_THEME = 3
AFTER_PER_THEME = 2

_CATEGORY_THEME = {
    "chieu-sang": "lighting",
    "dien": "lighting",
    "rac-thai": "waste",
    "khong-khi": "waste",
    "an-toan-thuc-pham": "waste",
    "hu-hong-duong": "road",
    "bien-bao-den-tin-hieu": "road",
    "xe-bo-hoang": "road",
    "ngap-ung": "flood",
    "cong-thoat-nuoc": "flood",
    "cap-nuoc": "flood",
    "cay-xanh": "tree",
    "di-tich": "tree",
}


def theme_for(category_code: str) -> str:
    return _CATEGORY_THEME.get(category_code, "street")


@dataclass(frozen=True)
class StoredImage:
    """One stored photo: what a Photo row needs to point at it."""

    image: str
    thumb: str
    width: int
    height: int


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # DejaVu has every Vietnamese glyph; Pillow's own font is the fallback.
    for name in (
        "DejaVuSans-Bold.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "LiberationSans-Bold.ttf",
    ):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def _jitter(
    rng: random.Random, color: tuple[int, int, int], amount: int = 18
) -> tuple[int, int, int]:
    return tuple(max(0, min(255, c + rng.randint(-amount, amount))) for c in color)  # type: ignore[return-value]


def _scene(draw: ImageDraw.ImageDraw, rng: random.Random, *, night: bool) -> int:
    """Sky, a row of houses, pavement and a road in perspective. Returns the horizon's y."""
    horizon = int(HEIGHT * rng.uniform(0.42, 0.5))
    top, bottom = ((18, 24, 52), (46, 52, 90)) if night else ((120, 170, 225), (200, 225, 245))
    for y in range(horizon):
        t = y / horizon
        draw.line(
            [(0, y), (WIDTH, y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    x = -rng.randint(0, 60)
    wall_colors = (
        (222, 190, 110),
        (235, 220, 180),
        (200, 160, 120),
        (210, 210, 200),
        (180, 200, 170),
    )
    while x < WIDTH:
        w, h = rng.randint(110, 190), rng.randint(110, 230)
        wall = _jitter(rng, rng.choice(wall_colors))
        if night:
            wall = tuple(c // 3 for c in wall)
        draw.rectangle([x, horizon - h, x + w, horizon + 20], fill=wall)
        roof = (120, 60, 45) if not night else (40, 22, 20)
        draw.polygon(
            [
                (x - 8, horizon - h),
                (x + w // 2, horizon - h - rng.randint(20, 45)),
                (x + w + 8, horizon - h),
            ],
            fill=roof,
        )
        for wx in range(x + 15, x + w - 25, 38):
            for wy in range(horizon - h + 20, horizon - 20, 50):
                lit = night and rng.random() < 0.4
                draw.rectangle(
                    [wx, wy, wx + 20, wy + 26], fill=(250, 220, 120) if lit else (70, 80, 90)
                )
        x += w + rng.randint(4, 14)
    pavement = (150, 150, 145) if not night else (50, 50, 55)
    draw.rectangle([0, horizon + 20, WIDTH, horizon + 70], fill=pavement)
    road = (85, 85, 90) if not night else (30, 30, 35)
    draw.polygon(
        [(0, horizon + 70), (WIDTH, horizon + 70), (WIDTH, HEIGHT), (0, HEIGHT)], fill=road
    )
    mark = (230, 230, 230) if not night else (120, 120, 120)
    for i in range(6):
        y0 = horizon + 90 + i * 50
        half = 6 + i * 5
        draw.rectangle([WIDTH // 2 - half, y0, WIDTH // 2 + half, y0 + 18 + i * 4], fill=mark)
    return horizon


def _lamp(draw: ImageDraw.ImageDraw, x: int, base: int, *, on: bool) -> None:
    """A street light on its pole; lit, it throws a cone of light on the road (drawn first, so
    the pole stays in front of it)."""
    head = [x + 50, base - 330, x + 110, base - 305]
    if on:
        draw.polygon(
            [(x + 55, base - 305), (x + 105, base - 305), (x + 200, base), (x - 40, base)],
            fill=(120, 110, 60),
        )
    draw.rectangle([x - 5, base - 300, x + 5, base], fill=(70, 75, 80))
    draw.line([(x, base - 300), (x + 70, base - 320)], fill=(70, 75, 80), width=8)
    if on:
        draw.ellipse([x + 40, base - 345, x + 120, base - 290], outline=(255, 240, 150), width=6)
        draw.rectangle(head, fill=(255, 235, 130))
    else:
        draw.rectangle(head, fill=(40, 40, 45))


def _draw(theme: str, before: bool, rng: random.Random) -> Image.Image:
    img = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(img)
    night = theme == "lighting"
    horizon = _scene(draw, rng, night=night)
    base = horizon + 60
    if theme == "lighting":
        for x in (rng.randint(120, 260), rng.randint(560, 700)):
            _lamp(draw, x, base, on=not before)
    elif theme == "waste":
        if before:
            for _ in range(rng.randint(9, 16)):
                cx, cy = rng.randint(80, WIDTH - 80), base + rng.randint(-30, 40)
                r = rng.randint(22, 48)
                draw.ellipse(
                    [cx - r, cy - r, cx + r, cy + r // 2],
                    fill=rng.choice([(30, 30, 30), (40, 110, 60), (220, 220, 220), (60, 90, 160)]),
                )
        else:
            x = rng.randint(200, 700)
            draw.rectangle([x, base - 110, x + 80, base], fill=(30, 130, 70))
            draw.rectangle([x - 6, base - 125, x + 86, base - 105], fill=(20, 100, 55))
    elif theme == "road":
        cx, cy = WIDTH // 2 + rng.randint(-200, 200), int(HEIGHT * 0.8)
        if before:
            draw.ellipse([cx - 140, cy - 50, cx + 140, cy + 50], fill=(45, 40, 35))
            draw.ellipse([cx - 100, cy - 30, cx + 100, cy + 30], fill=(90, 110, 130))
        else:
            draw.rectangle([cx - 160, cy - 60, cx + 160, cy + 60], fill=(55, 55, 60))
    elif theme == "flood":
        level = base - (rng.randint(20, 60) if before else -200)
        if before:
            draw.rectangle([0, level, WIDTH, HEIGHT], fill=(110, 95, 60))
            for _ in range(40):
                x, y = rng.randint(0, WIDTH), rng.randint(level, HEIGHT)
                draw.arc([x, y, x + 60, y + 14], 0, 180, fill=(160, 145, 110), width=3)
    elif theme == "tree":
        x = rng.randint(250, 650)
        if before:
            draw.polygon(
                [(x, base), (x + 20, base), (x + 330, base + 150), (x + 300, base + 170)],
                fill=(100, 70, 40),
            )
            draw.ellipse([x + 220, base + 60, x + 470, base + 260], fill=(50, 120, 50))
        else:
            draw.rectangle([x, base - 220, x + 24, base], fill=(100, 70, 40))
            draw.ellipse([x - 110, base - 380, x + 134, base - 170], fill=(60, 140, 60))
    else:  # street order: tables and stools across the pavement, or a clear pavement
        if before:
            for _ in range(rng.randint(5, 9)):
                x = rng.randint(40, WIDTH - 120)
                draw.rectangle([x, base - 40, x + 70, base - 30], fill=(200, 60, 50))
                draw.rectangle([x + 10, base - 30, x + 16, base + 10], fill=(200, 60, 50))
                draw.rectangle([x + 54, base - 30, x + 60, base + 10], fill=(200, 60, 50))
                draw.rectangle([x + 80, base - 10, x + 105, base + 10], fill=(40, 90, 200))
    # the banner that tells the two apart, like the units' own "trước / sau" photos
    font = _font(34)
    small = _font(22)
    draw.rectangle([0, HEIGHT - 80, WIDTH, HEIGHT], fill=(0, 0, 0))
    draw.text(
        (24, HEIGHT - 70),
        "Trước xử lý" if before else "Sau xử lý",
        font=font,
        fill=(255, 200, 80) if before else (120, 230, 140),
    )
    draw.text(
        (WIDTH - 24, HEIGHT - 58),
        f"{THEMES[theme]} · Hue-S",
        font=small,
        fill=(235, 235, 235),
        anchor="ra",
    )
    return img


def ensure_images(seed: int) -> dict[str, dict[str, list[StoredImage]]]:
    """Draw and store the demo photos (or find them stored already).

    Returns ``{theme: {"before": [...], "after": [...]}}``. Names are fixed, so a second run on a
    fresh database reuses the files instead of filling the disk.
    """
    rng = random.Random(seed)
    result: dict[str, dict[str, list[StoredImage]]] = {}
    for theme in THEMES:
        result[theme] = {"before": [], "after": []}
        for phase, count in (("before", BEFORE_PER_THEME), ("after", AFTER_PER_THEME)):
            for i in range(1, count + 1):
                image_name = f"{STORAGE_DIR}/{theme}-{phase}-{i}.jpg"
                thumb_name = f"{STORAGE_DIR}/{theme}-{phase}-{i}-thumb.jpg"
                sub_seed = rng.getrandbits(32)  # drawn even when stored: keeps the stream stable
                if not (default_storage.exists(image_name) and default_storage.exists(thumb_name)):
                    buf = io.BytesIO()
                    _draw(theme, phase == "before", random.Random(sub_seed)).save(
                        buf, "JPEG", quality=90
                    )
                    processed = process_upload(ContentFile(buf.getvalue(), name="demo.jpg"))
                    for name, content in (
                        (image_name, processed.image),
                        (thumb_name, processed.thumb),
                    ):
                        if default_storage.exists(name):
                            default_storage.delete(name)
                        stored = default_storage.save(name, content)
                        assert stored == name, (stored, name)
                result[theme][phase].append(StoredImage(image_name, thumb_name, WIDTH, HEIGHT))
    return result
