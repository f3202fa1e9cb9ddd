"""Bytes from a source → entries (:class:`Entry`), without touching the database.

- Feeds (RSS/Atom) are read by ``feedparser`` — after ``defusedxml`` has checked that the
  document declares no entity (a "billion laughs" feed is refused before anything expands it);
- sitemaps (``urlset``, with Google News' ``news:`` extension for the title and date) by
  ``defusedxml`` alone;
- a social listening tool's export, JSON (a list of posts, or ``{"posts": [...]}``) or CSV with
  the header ``author,text,link,time,reach``; each row is judged alone: a bad row is an error of
  that row, the others stand;
- an article's page by ``trafilatura`` (text, title, date), when a feed gives only a summary.

Errors are :class:`ParseError` (a whole document) or :class:`RowError` (one row), with a
message for people.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from opencity.lib.worktime import TZ


class ParseError(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass
class RowError:
    row: int  # 1 = the first row of data
    message: str


@dataclass
class Entry:
    url: str
    title: str = ""
    summary: str = ""
    text: str = ""
    author: str = ""
    published_at: dt.datetime | None = None
    reach: int | None = None


def _refuse_entities(content: bytes) -> None:
    """An XML document may not declare entities (or reach outside through a DTD): checked by
    ``defusedxml`` before any parser that might expand them sees the document. A document that
    is not well-formed is left to the lenient parser that follows."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError as XmlParseError
    from defusedxml.ElementTree import fromstring

    try:
        fromstring(content, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise ParseError(_("The document declares XML entities; it is refused (they could expand without end)."))\
            from None
    except (XmlParseError, ValueError):
        pass


def _strip_html(html: str) -> str:
    if "<" not in html:
        return html.strip()
    from lxml import html as lxml_html

    try:
        return " ".join(lxml_html.fromstring(html).text_content().split())
    except Exception:  # noqa: BLE001 - not HTML after all
        return html.strip()


def _struct_time(value) -> dt.datetime | None:
    if not value:
        return None
    return dt.datetime(*value[:6], tzinfo=dt.UTC)


def parse_feed(content: bytes) -> list[Entry]:
    """The entries of an RSS or Atom feed."""
    import feedparser

    _refuse_entities(content)
    parsed = feedparser.parse(content, sanitize_html=True, resolve_relative_uris=False)
    if parsed.bozo and not parsed.entries:
        raise ParseError(_("The feed is not valid RSS or Atom (%(error)s).")
                         % {"error": str(parsed.get("bozo_exception", ""))[:200]})
    if not parsed.get("version") and not parsed.entries:
        raise ParseError(_("This is not an RSS or Atom feed."))
    entries = []
    for e in parsed.entries:
        link = e.get("link") or ""
        if not link.startswith(("http://", "https://")):
            continue
        body = ""
        for block in e.get("content") or []:
            body = _strip_html(block.get("value", ""))
            if body:
                break
        entries.append(Entry(
            url=link, title=_strip_html(e.get("title", ""))[:300], summary=_strip_html(e.get("summary", "")),
            text=body, author=(e.get("author") or "")[:120],
            published_at=_struct_time(e.get("published_parsed") or e.get("updated_parsed")),
        ))
    return entries


SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def parse_sitemap(content: bytes) -> list[Entry]:
    """The pages of a sitemap (``urlset``); a sitemap index is read as its child sitemaps'
    addresses (entries without a date, fetched on the next runs is not done: the index is
    refused with a clear error so the administrator points the source at a child sitemap)."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError as XmlParseError
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise ParseError(_("The document declares XML entities; it is refused (they could expand without end).")) \
            from None
    except (XmlParseError, ValueError) as exc:
        raise ParseError(_("The sitemap is not valid XML (%(error)s).") % {"error": str(exc)[:200]}) from None
    if root.tag == f"{SITEMAP_NS}sitemapindex":
        raise ParseError(_("This is a sitemap index; give the source one of its sitemaps."))
    if root.tag != f"{SITEMAP_NS}urlset":
        raise ParseError(_("This is not a sitemap (urlset)."))
    entries = []
    for node in root.findall(f"{SITEMAP_NS}url"):
        loc = (node.findtext(f"{SITEMAP_NS}loc") or "").strip()
        if not loc.startswith(("http://", "https://")):
            continue
        news = node.find(f"{NEWS_NS}news")
        title = (news.findtext(f"{NEWS_NS}title") or "").strip() if news is not None else ""
        when = (news.findtext(f"{NEWS_NS}publication_date") if news is not None else None) \
            or node.findtext(f"{SITEMAP_NS}lastmod")
        entries.append(Entry(url=loc, title=title[:300], published_at=_iso(when)))
    return entries


def _iso(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    value = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=TZ)


# --- social listening exports --------------------------------------------------------------------

EXPORT_FIELDS = ("author", "text", "link", "time", "reach")
TIME_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y")


def parse_time(value) -> dt.datetime:
    """ISO 8601 (``2026-12-01T08:30:00+07:00``) or Vietnamese ``dd/mm/yyyy [HH:MM]`` (Huế time);
    ValueError for anything else, 31/02/2026 included."""
    text = str(value or "").strip()
    if not text:
        raise ValueError("empty")
    for fmt in TIME_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).replace(tzinfo=TZ)
        except ValueError:
            continue
    parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=TZ)


def _row_entry(raw: dict) -> Entry:
    """One post, or ValueError with a message for people."""
    link = str(raw.get("link") or "").strip()
    if not link.startswith(("http://", "https://")):
        raise ValueError(_("The link must be an http or https address."))
    text = str(raw.get("text") or "").strip()
    if not text:
        raise ValueError(_("The text is empty."))
    try:
        when = parse_time(raw.get("time"))
    except ValueError:
        raise ValueError(_("“%(value)s” is not a date and time (dd/mm/yyyy HH:MM or ISO 8601).")
                         % {"value": str(raw.get("time") or "")[:40]}) from None
    if when > timezone.now() + dt.timedelta(hours=1):
        raise ValueError(_("The time is in the future."))
    reach_raw = str(raw.get("reach") if raw.get("reach") is not None else "0").strip().replace(".", "").replace(",", "")
    if not reach_raw.isdigit() or len(reach_raw) > 12:
        raise ValueError(_("The reach must be a whole number."))
    author = str(raw.get("author") or "").strip().lstrip("@")[:120]
    return Entry(url=link, text=text[:20000], author=author, published_at=when, reach=int(reach_raw))


def parse_export(content: bytes, *, fmt: str) -> tuple[list[tuple[int, Entry]], list[RowError]]:
    """The posts of an export (``fmt``: ``json`` or ``csv``), each with its row number, and the
    rows refused. A file that cannot be read at all (not UTF-8, not JSON, a CSV whose header
    lacks a field) is a ParseError."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ParseError(_("The file is not UTF-8 text.")) from None
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ParseError(_("The file is not valid JSON (line %(line)d).") % {"line": exc.lineno}) from None
        if isinstance(data, dict):
            data = data.get("posts")
        if not isinstance(data, list):
            raise ParseError(_("The JSON must be a list of posts, or an object with “posts”."))
        rows = data
    elif fmt == "csv":
        reader = csv.DictReader(io.StringIO(text))
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        missing = [f for f in EXPORT_FIELDS if f not in header]
        if missing:
            raise ParseError(_("The CSV header must name %(fields)s; missing: %(missing)s.")
                             % {"fields": ", ".join(EXPORT_FIELDS), "missing": ", ".join(missing)})
        reader.fieldnames = header
        rows = list(reader)
    else:
        raise ParseError(_("Unknown file format."))
    entries, errors = [], []
    for number, raw in enumerate(rows, start=1):
        if not isinstance(raw, dict):
            errors.append(RowError(number, _("A post must be an object.")))
            continue
        try:
            entries.append((number, _row_entry(raw)))
        except ValueError as exc:
            errors.append(RowError(number, str(exc)))
    return entries, errors


def extract_page(content: bytes, url: str) -> Entry:
    """An article's text, title and date from its HTML page (``trafilatura``)."""
    import trafilatura

    document = trafilatura.bare_extraction(content.decode("utf-8", errors="replace"), url=url,
                                           with_metadata=True, include_comments=False)
    if document is None:
        return Entry(url=url)
    return Entry(url=url, title=(document.title or "")[:300], text=document.text or "",
                 author=(document.author or "")[:120], published_at=_iso(document.date))
