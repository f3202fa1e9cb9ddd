"""HTTP requests to addresses someone else chose (a browser's push endpoint), made safe.

A push subscription's endpoint is a URL the browser hands us; the worker later POSTs to it.
Followed blindly, that is a server-side request forgery (issue #13, finding 4). Here:

- the URL must be ``https``, without credentials, on a host that is on an allow-list of host
  suffixes (:func:`check_url`; an entry matches the host and its subdomains);
- the host is resolved **once**, every address it resolves to must be public (not private,
  loopback, link-local, multicast, reserved, shared or unspecified, including IPv4 inside
  IPv6), and the connection goes to that checked address, with TLS checked against the host
  name — a DNS answer that changes between the check and the connection (rebinding) cannot
  move it;
- redirects are never followed (a 3xx is an answer like any other);
- one deadline bounds the whole exchange (connect, TLS, request, answer), and at most
  ``max_response_bytes`` of the answer are read: a larger one is refused.

Only the Python standard library is used for the exchange (``socket``, ``ssl``,
``http.client``): no proxy settings from the environment apply.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import SplitResult, urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class OutboundRefused(Exception):
    """The request was not made, or its answer not accepted. ``code`` says why:
    ``bad_url``, ``host_not_allowed``, ``address_not_allowed``, ``unresolvable``,
    ``response_too_large``."""

    def __init__(self, code: str, detail: str = ""):
        self.code = code
        super().__init__(f"{code}: {detail}" if detail else code)


@dataclass
class Response:
    """The parts of an answer callers read (the names ``requests`` uses, for pywebpush)."""

    status_code: int
    reason: str
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes = b""

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


def host_allowed(host: str, suffixes: Iterable[str]) -> bool:
    """``host`` is one of ``suffixes`` or a subdomain of one (``*.`` and leading dots in an
    entry are ignored: ``push.apple.com`` matches ``web.push.apple.com``)."""
    host = host.lower().rstrip(".")
    for entry in suffixes:
        suffix = entry.strip().lower().removeprefix("*").strip(".")
        if suffix and (host == suffix or host.endswith("." + suffix)):
            return True
    return False


def parse_networks(entries: Iterable[str]) -> list[Network]:
    return [ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip()]


def address_allowed(address: IPAddress, allowed_networks: Iterable[Network] = ()) -> bool:
    """A public unicast address, or one inside a network the settings explicitly allow."""
    if any(address in net for net in allowed_networks if net.version == address.version):
        return True
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo or (None, None))[1]
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and not address_allowed(embedded, allowed_networks):
            return False
    return address.is_global and not (
        address.is_multicast
        or address.is_reserved
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_unspecified
    )


def check_url(
    url: str, *, allowed_hosts: Iterable[str], allowed_networks: Iterable[Network] = ()
) -> SplitResult:
    """The parsed URL if it may be requested at all (before any DNS), else OutboundRefused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise OutboundRefused("bad_url", "unparsable") from None
    host = parts.hostname or ""
    if (
        parts.scheme != "https"
        or not host
        or parts.username is not None
        or parts.password is not None
    ):
        raise OutboundRefused("bad_url", "https, a host and no credentials")
    if port is not None and not 0 < port < 65536:
        raise OutboundRefused("bad_url", "port")
    if not host_allowed(host, allowed_hosts):
        raise OutboundRefused("host_not_allowed", host)
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None and not address_allowed(literal, allowed_networks):
        raise OutboundRefused("address_not_allowed", host)
    return parts


def resolve(
    host: str, port: int, allowed_networks: Iterable[Network] = ()
) -> list[tuple[int, tuple]]:
    """Every address ``host`` resolves to, as ``(family, sockaddr)`` to connect to, each
    checked; one refused address refuses all (a name that also points inward is not trusted)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise OutboundRefused("unresolvable", f"{host}: {exc}") from None
    addresses: list[tuple[int, tuple]] = []
    for family, _type, _proto, _canon, sockaddr in infos:
        text = str(sockaddr[0]).split("%", 1)[0]  # an IPv6 scope id is not part of the address
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            raise OutboundRefused("unresolvable", f"{host} → {text}") from None
        if not address_allowed(address, allowed_networks):
            raise OutboundRefused("address_not_allowed", f"{host} → {text}")
        if (family, sockaddr) not in addresses:
            addresses.append((family, sockaddr))
    if not addresses:
        raise OutboundRefused("unresolvable", host)
    return addresses


def _connect(addresses: list[tuple[int, tuple]], deadline: float) -> socket.socket:
    """A TCP connection to the first checked address that answers (no second lookup: the
    sockaddr from :func:`resolve` is used as is)."""
    last_error: OSError | None = None
    for family, sockaddr in addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(remaining)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            last_error = exc
    raise last_error or TimeoutError("no address answered in time")


def _tls_context(cafile: str | None) -> ssl.SSLContext:
    if not cafile:
        try:
            import certifi

            cafile = certifi.where()
        except ImportError:  # the system's store
            cafile = None
    return ssl.create_default_context(cafile=cafile)


def _shutdown(sock: socket.socket) -> None:
    """The deadline passed: whatever the exchange waits for now fails at once."""
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


def post(
    url: str,
    *,
    body: bytes | None,
    headers: Mapping[str, str],
    allowed_hosts: Iterable[str],
    allowed_networks: Iterable[Network] = (),
    timeout: float = 10.0,
    max_response_bytes: int = 64 * 1024,
    cafile: str | None = None,
) -> Response:
    """POST ``body`` to ``url`` under the rules above. Raises OutboundRefused when a rule
    refuses, OSError (``TimeoutError``, ``ssl.SSLError``, ``ConnectionError``…) or
    ``http.client.HTTPException`` when the exchange fails."""
    networks = list(allowed_networks)
    parts = check_url(url, allowed_hosts=allowed_hosts, allowed_networks=networks)
    host = parts.hostname or ""
    port = parts.port or 443
    deadline = time.monotonic() + timeout
    addresses = resolve(host, port, networks)
    context = _tls_context(cafile)
    raw = _connect(addresses, deadline)
    try:
        sock = context.wrap_socket(
            raw, server_hostname=host, do_handshake_on_connect=False
        )  # takes raw's fd
    except (OSError, ValueError):
        raw.close()
        raise
    watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), _shutdown, args=(sock,))
    watchdog.daemon = True
    watchdog.start()
    try:
        sock.settimeout(max(0.001, deadline - time.monotonic()))
        sock.do_handshake()  # SNI and the certificate: for the host name, not the address
        connection = http.client.HTTPSConnection(host, port, context=context)
        connection.sock = sock  # already connected, to the checked address
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        connection.request("POST", target, body=body, headers=dict(headers))
        answer = connection.getresponse()
        content = answer.read(max_response_bytes + 1)
        if len(content) > max_response_bytes:
            raise OutboundRefused("response_too_large", f"more than {max_response_bytes} bytes")
        if time.monotonic() >= deadline or answer.length:  # cut off by the deadline, or short
            raise TimeoutError(f"{host} did not answer in full in {timeout} s")
        return Response(answer.status, answer.reason, dict(answer.getheaders()), content)
    except (OSError, http.client.HTTPException):
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{host} did not answer in {timeout} s") from None
        raise
    finally:
        watchdog.cancel()
        sock.close()
