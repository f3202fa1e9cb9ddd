"""At most N of a costly anonymous response at once in a process; the next caller is told to
come back (503 with ``Retry-After``) instead of taking another thread and core.

The open-data exports stream every public report: at 100,000 reports one export took 12–16 s
of a core and one of the server's threads (issue #13, finding 9). Eight anonymous clients
fetching them would have taken every thread of a process; with :func:`at_most` they take at
most ``OPENCITY_EXPORTS_AT_ONCE`` and the rest of the site keeps answering.

A streamed response holds its slot until the last byte is sent or the client goes away (the
response's ``close()``), not only while the view runs.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from opencity.lib.api import error_body

_slots: dict[str, threading.BoundedSemaphore] = {}
_slots_guard = threading.Lock()


def _semaphore(name: str, limit: int) -> threading.BoundedSemaphore:
    with _slots_guard:
        if name not in _slots:
            _slots[name] = threading.BoundedSemaphore(limit)
        return _slots[name]


def reset() -> None:
    """Forget the slots (tests that change the limit)."""
    with _slots_guard:
        _slots.clear()


def busy_response(retry_after: int) -> HttpResponse:
    response = JsonResponse(
        error_body("busy", _("Too many downloads are running. Please try again in a minute.")),
        status=503, json_dumps_params={"ensure_ascii": False},
    )
    response["Retry-After"] = str(retry_after)
    return response


def at_most(name: str, *, setting: str, retry_after: int = 60) -> Callable:
    """Decorator for a view: at most ``settings.<setting>`` of them at once in this process."""

    def decorate(view):
        @functools.wraps(view)
        def inner(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            slots = _semaphore(name, max(1, int(getattr(settings, setting))))
            if not slots.acquire(blocking=False):
                return busy_response(retry_after)
            once = threading.Lock()

            def release() -> None:
                if once.acquire(blocking=False):  # the end of the stream and close() both call it
                    slots.release()

            try:
                response = view(request, *args, **kwargs)
            except BaseException:
                release()
                raise
            if not response.streaming:
                release()
                return response
            response.streaming_content = _releasing(response.streaming_content, release)
            response._resource_closers.append(release)  # the client went away before the end
            return response

        return inner

    return decorate


def _releasing(chunks, release: Callable[[], None]) -> Iterator:
    try:
        yield from chunks
    finally:
        release()
