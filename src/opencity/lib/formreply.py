"""The answer to a form sent by the page's offline outbox (``static/opencity/outbox.js``).

The report form and the SOS form are plain forms: sent by the browser, a success redirects to
the new object's page and an error re-renders the form. The outbox sends the same form later,
with ``fetch`` (in the page or in the service worker) and ``Accept: application/json``; it then
needs the reference and the link of what was made, or the server's message — not a page. The
view asks :func:`wants_json` and answers with :func:`sent` or :func:`refused`; the service's
idempotency (the form's ``client_token``) is the same either way, so a resend answers like the
first time.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse


def wants_json(request: HttpRequest) -> bool:
    """The outbox asks for JSON; a browser's own form post never does."""
    return "application/json" in request.headers.get("Accept", "")


def sent(*, ref: str, url: str) -> JsonResponse:
    """What the form made: its reference and the page to follow it."""
    return JsonResponse({"ref": ref, "url": url}, status=201)


def refused(form, *, status: int, message: str = "") -> JsonResponse:
    """The form's errors as one readable message (and per field), with the 4xx status."""
    errors = {field or "__all__": [str(m) for m in messages] for field, messages in form.errors.items()}
    lines = [message] if message else []
    lines += [m for messages in errors.values() for m in messages if m not in lines]
    return JsonResponse({"error": " ".join(lines), "errors": errors}, status=status)
