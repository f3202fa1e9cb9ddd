"""``{% icon "siren" %}``: an SVG icon from the npm package ``lucide-static`` (ISC), inlined.

Cheap phones often have no colour-emoji font and draw emoji as empty boxes, so every icon is an
SVG drawn in the text colour (``currentColor``). ``make static`` copies the package's icons to
``src/opencity/vendor/lucide/`` — beside the code, not among the static files: they are never
served, and the static server would index some 2,000 files at start-up —; the tag reads a file
once per process and inlines it (a few hundred bytes, no extra request). Decorative by default (``aria-hidden``); ``label="…"`` makes it an
image with that name for screen readers. A name written in a template must exist (a template
error otherwise, caught by the tests); a name that comes from data (a category's icon, set in the
admin) gives ``fallback="…"`` and is drawn with it when empty or unknown.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

_OPEN_TAG = re.compile(r"<svg\b[^>]*>", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_NAME = re.compile(r"^[a-z0-9-]{1,60}$")
ICON_DIR = Path(__file__).resolve().parents[2] / "vendor" / "lucide"


def icon_exists(name: str) -> bool:
    """Whether ``name`` is an icon of the package (for validating names kept in data)."""
    return bool(name and _NAME.match(name) and (ICON_DIR / f"{name}.svg").is_file())


@functools.cache
def _body(name: str) -> str:
    """The icon's inner SVG (its paths), or a clear error naming the missing icon."""
    if not _NAME.match(name):
        raise template.TemplateSyntaxError(f"icon name {name!r} is not a lucide icon name")
    path = ICON_DIR / f"{name}.svg"
    if not path.is_file():
        raise template.TemplateSyntaxError(f"icon {name!r} not found in {ICON_DIR} (run `make static`)")
    with open(path, encoding="utf-8") as f:
        svg = _COMMENT.sub("", f.read())
    svg = _OPEN_TAG.sub("", svg, count=1).replace("</svg>", "")
    return " ".join(svg.split())


@register.simple_tag
def icon(name: str, label: str = "", size: int = 20, css: str = "", fallback: str = "") -> str:
    if fallback and not icon_exists(name or ""):
        name = fallback
    classes = f"icon icon-{name} {css}".strip()
    a11y = f'role="img" aria-label="{escape(label)}"' if label else 'aria-hidden="true" focusable="false"'
    return mark_safe(  # noqa: S308 — the body is the package's file; the attributes are escaped
        f'<svg class="{escape(classes)}" {a11y} xmlns="http://www.w3.org/2000/svg" width="{int(size)}" '
        f'height="{int(size)}" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" '
        f'stroke-linecap="round" stroke-linejoin="round">{_body(name)}</svg>'
    )
