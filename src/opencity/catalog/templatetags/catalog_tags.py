"""The news text as HTML, safely; the services and the latest news on the first screen."""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape, format_html_join
from django.utils.safestring import mark_safe

from opencity.catalog import selectors

register = template.Library()
_PARAGRAPHS = re.compile(r"\n\s*\n")
HOME_TILES = 8


@register.filter
def news_body(text: str) -> str:
    """Plain text to paragraphs: an empty line between paragraphs, lines starting with "- " as a
    list, other line breaks kept. Everything is escaped: HTML in the text shows as typed."""
    blocks = []
    for block in _PARAGRAPHS.split((text or "").replace("\r\n", "\n").strip()):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            blocks.append("<ul>" + format_html_join("", "<li>{}</li>", ((line[2:],) for line in lines)) + "</ul>")
        else:
            blocks.append("<p>" + "<br>".join(escape(line) for line in lines) + "</p>")
    return mark_safe("\n".join(blocks))  # noqa: S308 — every piece of text is escaped above


@register.inclusion_tag("catalog/partials/home_services.html", takes_context=True)
def home_services(context) -> dict:
    """A row of tiles for the first screen: the person's favourites, else the most opened."""
    user = context["request"].user
    tiles = selectors.favourite_list(user=user)[:HOME_TILES]
    if len(tiles) < HOME_TILES:
        codes = {s.code for s in tiles}
        tiles += [s for s in selectors.popular_list(user=user, limit=HOME_TILES) if s.code not in codes]
    return {"services": tiles[:HOME_TILES], "news": selectors.news_list(user=user).first(),
            "request": context["request"]}
