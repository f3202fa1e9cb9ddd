"""Fonts for PDFs (fpdf2) with Vietnamese letters: the PDF core fonts (Helvetica…) have none, so
"Phản ánh" needs an embedded Unicode TrueType font. Which one is the setting
``OPENCITY_PDF_FONT``; empty, the first installed of :data:`FONT_CANDIDATES` (Debian's
``fonts-dejavu-core`` gives DejaVu Sans). Shared by the digital reports (``ioc``) and the
situation reports (``incidents``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from fpdf import FPDF

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/opentype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
)


class FontNotFound(RuntimeError):
    pass


def _bold_beside(regular: Path) -> Path | None:
    stem = regular.stem
    names = [stem.replace("-Regular", "-Bold"), f"{stem}-Bold", f"{stem}Bold"]
    for name in names:
        candidate = regular.with_name(name + regular.suffix)
        if candidate != regular and candidate.is_file():
            return candidate
    return None


def find_fonts(candidates: Sequence[str] | None = None) -> tuple[Path, Path]:
    """The regular and bold font files (bold: the regular one when there is no bold beside it),
    from the setting or the first installed of ``candidates`` (default :data:`FONT_CANDIDATES`).
    Raises :class:`FontNotFound` with what to do."""
    configured = getattr(settings, "OPENCITY_PDF_FONT", "")
    if configured:
        path = Path(configured)
        if not path.is_file() or path.suffix.lower() not in (".ttf", ".otf"):
            raise FontNotFound(
                f"OPENCITY_PDF_FONT={configured!r} is not a TrueType/OpenType font file (.ttf, .otf)")
        return path, _bold_beside(path) or path
    for candidate in FONT_CANDIDATES if candidates is None else candidates:
        path = Path(candidate)
        if path.is_file():
            return path, _bold_beside(path) or path
    raise FontNotFound(
        "No font with Vietnamese letters for PDF reports: install Debian's fonts-dejavu-core "
        "(apt-get install fonts-dejavu-core) or set OPENCITY_PDF_FONT to a .ttf file")


class FooterDocument(FPDF):
    """A page with a small grey footer: ``footer_text`` on the left, "page/pages" on the right
    (``page_number_width`` mm wide). The fonts must be added under the family name "Body"."""

    footer_text = ""
    page_number_width = 18

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Body", "", 7)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, self.footer_text, align="L")
        self.set_x(-12 - self.page_number_width)
        self.cell(self.page_number_width, 5, f"{self.page_no()}/{{nb}}", align="R")
        self.set_text_color(0, 0, 0)
