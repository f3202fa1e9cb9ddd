"""A local HTTPS receiver standing in for a browser vendor's push service, with a test CA.

The certificate is for ``localhost`` (and 127.0.0.1); the server listens on 127.0.0.1. Tests
allow ``localhost`` as a push host, trust the CA through ``OPENCITY_PUSH_CA_FILE`` and, when a
push should get through, allow 127.0.0.0/8 through ``OPENCITY_PUSH_ALLOWED_NETWORKS`` — the
one thing a real push service never needs.

``behaviour`` makes the service misbehave: answer with a redirect, send a huge body, or take
its time (a byte now and then: no single read waits long, the whole answer takes 10 s). Every request it received is kept in ``received``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate signed by it, for ``localhost`` and ``push.pinned.test`` (a
    name tests resolve themselves): (ca.pem, cert.pem, key.pem)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("OpenCity test CA"))
        .issuer_name(_name("OpenCity test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=7))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=7))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.DNSName("push.pinned.test"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = directory / "ca.pem", directory / "cert.pem", directory / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


class PushService(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, cert: Path, key: Path):
        super().__init__(("127.0.0.1", 0), _Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.socket = context.wrap_socket(self.socket, server_side=True)
        self.received: list[dict] = []
        self.status = 201
        self.behaviour = ""  # "", "redirect", "huge", "slow"
        self.location = ""
        self.sent_bytes = 0
        self.release = threading.Event()  # ends a "slow" answer
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return self.server_address[1]

    def url(self, path: str = "/push/device-1", host: str = "localhost") -> str:
        return f"https://{host}:{self.port}{path}"

    def start(self) -> PushService:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: PushService
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802 — http.server's naming
        length = int(self.headers.get("Content-Length", 0))
        self.server.received.append(
            {"path": self.path, "headers": dict(self.headers), "body": self.rfile.read(length)}
        )
        behaviour = self.server.behaviour
        if behaviour == "redirect":
            self.send_response(307)
            self.send_header("Location", self.server.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif behaviour == "huge":  # 8 MB of answer, in chunks, for as long as the client reads
            self.send_response(201)
            self.send_header("Content-Length", str(8 * 1024 * 1024))
            self.end_headers()
            chunk = b"x" * 65536
            try:
                for _ in range(128):
                    self.wfile.write(chunk)
                    self.server.sent_bytes += len(chunk)
            except OSError:
                pass
        elif behaviour == "slow":  # a one-byte chunk every 50 ms, complete after 10 s
            self.send_response(201)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                for _ in range(200):
                    if self.server.release.wait(0.05):
                        break
                    self.wfile.write(b"1\r\n.\r\n")
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass
        else:
            self.send_response(self.server.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def log_message(self, *args):
        pass


def wait_until(predicate, timeout: float = 5.0) -> bool:
    """For a server thread to catch up (not a measure of time)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()
