"""The scheduled pull of the one-stop system's JSON endpoint (``OPENCITY_DOSSIERS_URL``).

One pull asks ``GET <url>?since=<cursor>&page=<n>`` with the token header, page after page, and
imports each page's rows (``imports.dossiers_import``). The answer is a list of rows, or an
object ``{"data": [rows], "page": n, "total_pages": m, "cursor": "…"}`` (``items``/``next``
accepted too); ``cursor`` is sent back as ``since`` next time (without one, the time the pull
started). A timeout, an HTTP error or an answer that is not such JSON marks the run failed with
the reason and nothing of that page is stored; the next pull waits a backoff that doubles with
each failure in a row (``OPENCITY_DOSSIERS_RETRY_MAX_MINUTES`` at most).
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.utils import timezone

from ..models import ImportRun, RunKind, RunStatus
from .imports import ImportResult, dossiers_import, new_run

MAX_BODY = 50 * 1024 * 1024


class PullFailed(Exception):
    pass


def enabled() -> bool:
    return bool(settings.OPENCITY_DOSSIERS_URL)


def _last_run() -> ImportRun | None:
    return ImportRun.objects.filter(kind=RunKind.PULL).exclude(status=RunStatus.RUNNING).order_by("-started_at",
                                                                                                  "-id").first()


def pull_due(now: dt.datetime | None = None) -> bool:
    """Is a pull due now: enabled, the interval passed since the last one, its backoff over?"""
    if not enabled():
        return False
    now = now or timezone.now()
    last = _last_run()
    if last is None:
        return True
    if last.status == RunStatus.FAILED:
        return last.retry_after is None or last.retry_after <= now
    return last.started_at + dt.timedelta(minutes=settings.OPENCITY_DOSSIERS_PULL_MINUTES) <= now


def _fetch(url: str) -> object:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    token = settings.OPENCITY_DOSSIERS_TOKEN
    if token:
        header = settings.OPENCITY_DOSSIERS_TOKEN_HEADER
        request.add_header(header, f"Bearer {token}" if header.lower() == "authorization" else token)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=settings.OPENCITY_DOSSIERS_TIMEOUT) as response:
            body = response.read(MAX_BODY + 1)
    except urllib.error.HTTPError as exc:
        raise PullFailed(f"HTTP {exc.code} from the one-stop system") from None
    except TimeoutError:
        raise PullFailed(f"no answer within {settings.OPENCITY_DOSSIERS_TIMEOUT} s (timeout)") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise PullFailed(f"no answer within {settings.OPENCITY_DOSSIERS_TIMEOUT} s (timeout)") from None
        raise PullFailed(f"cannot reach the one-stop system: {reason}") from None
    if len(body) > MAX_BODY:
        raise PullFailed("the answer is larger than 50 MB")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise PullFailed("the answer is not JSON") from None


def _page(answer: object) -> tuple[list[dict], bool, str]:
    """(rows, more pages?, cursor) of one answer; PullFailed if it has not the expected shape."""
    if isinstance(answer, list):
        rows, more, cursor = answer, False, ""
    elif isinstance(answer, dict):
        rows = answer.get("data", answer.get("items"))
        page, total = answer.get("page"), answer.get("total_pages")
        more = bool(answer.get("next")) or (isinstance(page, int) and isinstance(total, int) and page < total)
        cursor = str(answer.get("cursor") or "")[:100]
    else:
        rows = None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise PullFailed("the answer is not a list of dossiers (expected a list or {\"data\": [...]})")
    return rows, more, cursor


def _url(base: str, since: str, page: int) -> str:
    parts = urllib.parse.urlsplit(base)
    query = urllib.parse.parse_qsl(parts.query)
    if since:
        query.append(("since", since))
    query.append(("page", str(page)))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def dossiers_pull(*, now: dt.datetime | None = None) -> ImportRun:
    """Pull every page since the last successful pull's cursor and import it; the run records
    what happened (``failed`` with the reason and the time of the next try)."""
    now = now or timezone.now()
    previous = _last_run()
    since = ""
    done = ImportRun.objects.filter(kind=RunKind.PULL, status=RunStatus.DONE).order_by("-started_at", "-id").first()
    if done is not None:
        since = done.cursor
    run = new_run(kind=RunKind.PULL, started_at=now, name=settings.OPENCITY_DOSSIERS_URL[:200])
    total = ImportResult()
    cursor = ""
    seen = 0  # rows of earlier pages: a row's "line" is its place in the whole pull
    try:
        page = 1
        while True:
            rows, more, page_cursor = _page(_fetch(_url(settings.OPENCITY_DOSSIERS_URL, since, page)))
            result = dossiers_import(rows=list(enumerate(rows, start=seen + 1)), seen_at=now)
            seen += len(rows)
            total.created += result.created
            total.changed += result.changed
            total.unchanged += result.unchanged
            total.errors += result.errors
            cursor = page_cursor or cursor
            if not more or not rows or page >= settings.OPENCITY_DOSSIERS_MAX_PAGES:
                break
            page += 1
    except PullFailed as exc:
        attempt = (previous.attempt if previous is not None and previous.status == RunStatus.FAILED else 0) + 1
        wait = min(settings.OPENCITY_DOSSIERS_PULL_MINUTES * 2 ** (attempt - 1),
                   settings.OPENCITY_DOSSIERS_RETRY_MAX_MINUTES)
        run.status, run.reason, run.attempt = RunStatus.FAILED, str(exc), attempt
        run.retry_after = now + dt.timedelta(minutes=wait)
    else:
        run.status = RunStatus.DONE
        run.cursor = cursor or now.isoformat(timespec="seconds")
    run.created, run.changed, run.unchanged = total.created, total.changed, total.unchanged
    run.errors = [e.as_dict() for e in total.errors[:500]]
    run.finished_at = timezone.now()
    run.full_clean(exclude=["actor"])
    run.save()
    return run
