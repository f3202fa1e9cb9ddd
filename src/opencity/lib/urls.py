"""Absolute links: from the request when there is one, else from ``OPENCITY_SITE_URL``.

A link built from the setting alone said ``http://127.0.0.1:8000`` on a server started on
another port or name (issue #14): CAP documents, Open311's contact, e-mails. Where a request
is being answered, its own scheme, host and port are the truth (Django checks the host against
``ALLOWED_HOSTS``; behind a proxy, ``USE_X_FORWARDED_HOST``/``SECURE_PROXY_SSL_HEADER`` decide).
Work done without a request (the worker's e-mails, a monthly report's links) has only the
setting, which the deployment must set to the public address (docs/configuration.md).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site_url(request: HttpRequest | None = None) -> str:
    """The site's root, without a trailing slash: ``https://opencity.hue.gov.vn``."""
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return settings.SITE_URL.rstrip("/")


def absolute(path: str, request: HttpRequest | None = None) -> str:
    """``path`` (``/alerts/3/``, usually from ``reverse``) as an absolute URL. A URL that is
    already absolute is returned as it is."""
    if "://" in path or path.startswith("//"):
        return path
    if request is not None:
        return request.build_absolute_uri(path if path.startswith("/") else f"/{path}")
    return f"{site_url()}{path if path.startswith('/') else '/' + path}"
