"""A local HTTP receiver standing in for a brandname-SMS gateway (tests of ``sms.GatewayBackend``).

It listens on 127.0.0.1 in a thread of its own and keeps every request it received
(``received``: path, headers, the decoded JSON body). ``behaviour`` makes it answer as a gateway
in trouble would: ``"ok"`` (HTTP 200 with ``{"status": "sent"}``), ``"refuse"`` (HTTP 401),
``"fail"`` (HTTP 200 whose JSON says ``"status": "error"``), ``"slow"`` (answers after
``delay`` seconds); ``refuse_to``: numbers it refuses (HTTP 401) whatever the behaviour.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class SmsGateway:
    def __init__(self) -> None:
        self.received: list[dict] = []
        self.behaviour = "ok"
        self.delay = 0.0
        self.refuse_to: set[str] = set()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                gateway.received.append({"path": self.path, "headers": dict(self.headers),
                                         "json": json.loads(raw.decode("utf-8"))})
                if gateway.behaviour == "slow":
                    time.sleep(gateway.delay)
                behaviour = "refuse" if gateway.received[-1]["json"].get("to") in gateway.refuse_to \
                    else gateway.behaviour
                status, answer = {
                    "refuse": (401, {"error": "bad credentials"}),
                    "fail": (200, {"status": "error", "message": "brandname not registered"}),
                }.get(behaviour, (200, {"status": "sent", "id": "m-1"}))
                body = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                    pass

            def log_message(self, *args) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/sms/send"

    def __enter__(self) -> SmsGateway:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
