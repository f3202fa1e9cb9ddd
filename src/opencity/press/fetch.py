"""GET a feed, a sitemap or an article's page from someone else's server, safely and politely.

On top of ``lib.outbound``'s address rules (every address a host resolves to must be public,
unless ``OPENCITY_PRESS_ALLOWED_NETWORKS`` allows its network — the tests allow 127.0.0.1):

- ``http`` and ``https`` only, no credentials in the URL;
- the host is resolved once and the connection goes to the checked address (no rebinding);
- redirects are followed here, one hop at a time, each new address checked again, at most
  ``OPENCITY_PRESS_MAX_REDIRECTS`` of them (a loop ends as an error);
- conditional GET: ``If-None-Match``/``If-Modified-Since`` from the last answer; a 304 is
  "nothing new";
- one deadline bounds the whole exchange, and at most ``OPENCITY_PRESS_MAX_BYTES`` are read: a
  larger answer is refused, never stored;
- one request per host every ``OPENCITY_PRESS_HOST_INTERVAL_SECONDS`` in this process
  (:class:`HostClock`), so a run over many sources of one site does not hammer it.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from opencity.lib.outbound import (
    OutboundRefused,
    _tls_context,
    parse_networks,
    resolve,
)

USER_AGENT = "OpenCity-PressMonitor/1.0 (+https://github.com/opencity)"


class FetchError(Exception):
    """A fetch that gave nothing usable; ``message`` is for people (translated), ``code`` for
    code: ``refused``, ``too_large``, ``redirects``, ``http``, ``network``, ``timeout``."""

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


@dataclass
class Fetched:
    url: str  # the final address, after redirects
    status: int
    content: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def header(self, name: str) -> str:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return ""


class HostClock:
    """The last request's time per host, in this process: :meth:`wait` sleeps until the host may
    be asked again."""

    def __init__(self) -> None:
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str, interval: float) -> None:
        with self._lock:
            now = time.monotonic()
            ready = self._last.get(host, 0.0) + interval
            self._last[host] = max(now, ready)
        if ready > now:
            time.sleep(ready - now)


HOSTS = HostClock()


def _networks():
    return parse_networks(settings.OPENCITY_PRESS_ALLOWED_NETWORKS)


def _check(url: str):
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchError("refused", _("The address is not valid.")) from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise FetchError("refused", _("Only http and https addresses without credentials are fetched."))
    default = 443 if parts.scheme == "https" else 80
    return parts, port or default


def _exchange(url: str, headers: dict[str, str], *, timeout: float, max_bytes: int) -> Fetched:
    parts, port = _check(url)
    host = parts.hostname or ""
    try:
        addresses = resolve(host, port, _networks())
    except OutboundRefused as exc:
        if exc.code == "address_not_allowed":
            raise FetchError("refused", _("The address %(host)s is not public; it is not fetched.")
                             % {"host": host}) from None
        raise FetchError("network", _("The host %(host)s could not be found.") % {"host": host}) from None
    deadline = time.monotonic() + timeout
    last_error: OSError | None = None
    sock = None
    for family, sockaddr in addresses:
        try:
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.settimeout(max(0.001, deadline - time.monotonic()))
            sock.connect(sockaddr)
            break
        except OSError as exc:
            sock.close()
            sock, last_error = None, exc
    if sock is None:
        raise FetchError("network", _("%(host)s did not answer (%(error)s).") % {"host": host, "error": last_error})
    try:
        if parts.scheme == "https":
            sock = _tls_context(None).wrap_socket(sock, server_hostname=host)
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(host, port)
        else:
            connection = http.client.HTTPConnection(host, port)
        connection.sock = sock
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", target, headers={"Host": parts.netloc.rsplit("@", 1)[-1], **headers})
        answer = connection.getresponse()
        length = answer.getheader("Content-Length")
        if length and length.isdigit() and int(length) > max_bytes:
            raise FetchError("too_large", _("The answer is larger than %(n)d bytes; it is refused.") % {"n": max_bytes})
        content = b""
        while len(content) <= max_bytes:
            if time.monotonic() >= deadline:  # each read waits at most the socket's timeout
                raise TimeoutError()
            chunk = answer.read1(min(65536, max_bytes + 1 - len(content)))  # one receive: a slow drip meets the deadline
            if not chunk:
                break
            content += chunk
        if len(content) > max_bytes:
            raise FetchError("too_large", _("The answer is larger than %(n)d bytes; it is refused.") % {"n": max_bytes})
        return Fetched(url, answer.status, content, dict(answer.getheaders()))
    except TimeoutError:
        raise FetchError("timeout", _("%(host)s did not answer within %(s)s seconds.")
                         % {"host": host, "s": timeout}) from None
    except (OSError, ssl.SSLError, http.client.HTTPException) as exc:
        raise FetchError("network", _("The exchange with %(host)s failed (%(error)s).")
                         % {"host": host, "error": exc.__class__.__name__}) from None
    finally:
        sock.close()


def get(url: str, *, etag: str = "", last_modified: str = "", max_bytes: int | None = None) -> Fetched:
    """GET ``url`` under the rules above; a 200 or a 304 is returned, anything else is a
    FetchError."""
    max_bytes = max_bytes or settings.OPENCITY_PRESS_MAX_BYTES
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity",
               "Accept": "application/rss+xml, application/atom+xml, application/xml, text/xml, text/html;q=0.9, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    seen: list[str] = []
    for _hop in range(settings.OPENCITY_PRESS_MAX_REDIRECTS + 1):
        parts, _port = _check(url)
        HOSTS.wait((parts.hostname or "").lower(), settings.OPENCITY_PRESS_HOST_INTERVAL_SECONDS)
        answer = _exchange(url, headers, timeout=settings.OPENCITY_PRESS_TIMEOUT_SECONDS, max_bytes=max_bytes)
        if answer.status in (301, 302, 303, 307, 308):
            location = answer.header("Location")
            if not location:
                raise FetchError("http", _("A redirect without an address."))
            seen.append(url)
            url = urljoin(url, location)
            if url in seen:
                raise FetchError("redirects", _("The redirects go round in a loop."))
            continue
        if answer.status in (200, 304):
            return answer
        raise FetchError("http", _("The server answered %(status)d.") % {"status": answer.status})
    raise FetchError("redirects", _("More than %(n)d redirects; the address is not followed.")
                     % {"n": settings.OPENCITY_PRESS_MAX_REDIRECTS})


__all__ = ["HOSTS", "FetchError", "Fetched", "HostClock", "get"]
