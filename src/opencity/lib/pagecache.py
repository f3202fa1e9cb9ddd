"""Whole pages and API answers kept for visitors, under a version the data itself carries.

A visitor (not signed in) is shown the same page as every other visitor: the report's public
page and its public JSON. Rendering one costs ~20 ms (≈ 180 template nodes, 3–4 queries); most
requests for it are the same bytes as the last. So the rendered bytes are kept in the cache
under a key made of:

- the page (view name and arguments) and the language;
- the subject's **fingerprint**, read from the database on every request by one indexed query
  of one row (for a report its ``updated_at``, which every transition of the lifecycle kernel
  and every other write a visitor can see sets — ``lib/lifecycle.write``, the "me too" count);
- the **reference version** (:func:`reference_version`), bumped whenever a category, area,
  unit or question is saved or deleted (their names are on the page).

A change makes a new key: nothing is deleted, so a render that raced with the change can only
fill a key nobody asks for again, and the next request renders the new state. Entries also
expire (``OPENCITY_PAGE_CACHE_SECONDS``), which bounds what a write that forgot to set the
fingerprint could show (tests replay each change that must refresh a page:
``reports/tests/test_page_cache.py``).

What differs between two visitors' copies of a page is only the CSRF token (the language form,
htmx's header): pages are rendered with a placeholder in its place, kept so, and each answer
gets the visitor's own token (``get_token``, which also sets the CSRF cookie as usual). Not
kept: anything but a 200, a request with flash messages waiting, htmx requests, signed-in
users (their pages carry their own actions, follows and badges).

The fingerprint query reads the database in every process, so a change made by the worker or
another web process is seen at once whatever the cache backend; the reference version lives in
the cache, which production shares between processes (Redis, ``OPENCITY_CACHE_URL``); with the
embedded per-process cache an admin's edit of a category name shows in another process's
cached pages after at most ``OPENCITY_PAGE_CACHE_SECONDS``.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

# Stands in the kept bytes for the CSRF token; random per process start so that no page could
# carry it by accident (a report's text saying it would be replaced by a token, harmlessly).
# Each kept entry names the placeholder it was made with: another process, with another one,
# serves it from the shared cache.
CSRF_PLACEHOLDER = "csrf-" + secrets.token_hex(16)
_REFERENCE_KEY = "pagecache:reference-version"


def reference_version() -> int:
    """The version of the reference data pages show by name (categories, areas, units,
    questions): part of every kept page's key and of the shared reference data's
    (``reports.refdata``)."""
    version = cache.get(_REFERENCE_KEY)
    if version is None:
        # A fresh or flushed cache: start from a random version, not 0, so that a page kept
        # before the flush under version 0 cannot be mistaken for a current one.
        version = secrets.randbelow(2**31)
        if not cache.add(_REFERENCE_KEY, version, timeout=None):
            version = cache.get(_REFERENCE_KEY, version)
    return version


def _bump() -> None:
    try:
        cache.incr(_REFERENCE_KEY)
    except ValueError:  # not there (expired, flushed): any new value makes new keys
        cache.set(_REFERENCE_KEY, secrets.randbelow(2**31), timeout=None)


def bump_reference_version(**kwargs) -> None:
    """Now, and again once the change is committed: a process that read the reference data
    between the two (the change not yet visible to it) kept it under a version the second bump
    leaves behind."""
    _bump()
    transaction.on_commit(_bump)


def watch_reference_models(*models) -> None:
    """Bump the reference version whenever one of ``models`` is saved or deleted (the admin,
    an import, a management command)."""
    for model in models:
        post_save.connect(bump_reference_version, sender=model, weak=False,
                          dispatch_uid=f"pagecache-save-{model._meta.label}")
        post_delete.connect(bump_reference_version, sender=model, weak=False,
                            dispatch_uid=f"pagecache-delete-{model._meta.label}")


def csrf_placeholder(request: HttpRequest) -> dict:
    """Context processor: while a page is rendered to be kept, ``{% csrf_token %}`` and
    ``{{ csrf_token }}`` write the placeholder (it overrides Django's built-in ``csrf``
    processor, which runs first); otherwise nothing."""
    if getattr(request, "_pagecache_render", False):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return {}


def _keepable(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or request.headers.get("HX-Request"):
        return False
    if "HTTP_AUTHORIZATION" in request.META:  # the API's bearer token: a user, whom ninja finds later
        return False
    if request.user.is_authenticated:
        return False
    return not len(messages.get_messages(request))  # len() leaves them unread


def _answer(request: HttpRequest, entry: dict) -> HttpResponse:
    headers = dict(entry["headers"])
    etag = headers.get("ETag")
    if etag and etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        not_modified = HttpResponse(status=304)
        for name in ("ETag", "Vary"):
            if name in headers:
                not_modified[name] = headers[name]
        return not_modified
    body: bytes = entry["body"]
    if entry["csrf"]:
        body = body.replace(entry["csrf"], get_token(request).encode())
    response = HttpResponse(body, content_type=entry["content_type"], status=200)
    for name, value in entry["headers"]:
        response[name] = value
    return response


# Headers a view sets that a kept answer repeats (the rest are the middleware's, per request).
_KEPT_HEADERS = ("Cache-Control", "Content-Language", "ETag", "Vary", "Link", "X-Robots-Tag",
                 "Access-Control-Allow-Origin")


def visitor_cache(name: str, fingerprint: Callable[..., object | None]):
    """Keep ``view``'s 200 answers to visitors under ``fingerprint(**view_kwargs)``, a value
    read from the database that changes with everything the page shows (None: do not keep,
    e.g. the subject is missing or not public — the view then answers as it always does)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            seconds = settings.OPENCITY_PAGE_CACHE_SECONDS
            if not seconds or not _keepable(request):
                return view(request, *args, **kwargs)
            stamp = fingerprint(*args, **kwargs)
            if stamp is None:
                return view(request, *args, **kwargs)
            arguments = ":".join(str(a) for a in args) + ":" + ":".join(f"{k}={v}" for k, v in sorted(kwargs.items()))
            key = (f"page:{name}:{translation.get_language()}:{arguments}:{stamp}:{reference_version()}")
            entry = cache.get(key)
            if entry is not None:
                return _answer(request, entry)
            request._pagecache_render = True
            try:
                response = view(request, *args, **kwargs)
            finally:
                request._pagecache_render = False
            if response.status_code != 200 or response.streaming or response.cookies:
                if not response.streaming and CSRF_PLACEHOLDER.encode() in response.content:
                    response.content = response.content.replace(CSRF_PLACEHOLDER.encode(),
                                                                get_token(request).encode())
                return response
            body = response.content
            entry = {"body": body, "content_type": response["Content-Type"],
                     "csrf": CSRF_PLACEHOLDER.encode() if CSRF_PLACEHOLDER.encode() in body else None,
                     "headers": [(h, response[h]) for h in _KEPT_HEADERS if response.has_header(h)]}
            cache.set(key, entry, timeout=seconds)
            return _answer(request, entry)

        return wrapped

    return decorator
