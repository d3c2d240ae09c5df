"""A push service on 127.0.0.1 for tests: records what arrives and answers as told."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece  # type: ignore[import-untyped]  # no stubs; only tests decrypt
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    # The sender's (host, port): two pushes with the same one came over one kept-alive connection.
    connection: tuple[str, int] = ("", 0)
    at: float = 0.0  # time.time() on arrival, for latency measurements

    @property
    def topic(self) -> str:
        return {k.lower(): v for k, v in self.headers.items()}.get("topic", "")


@dataclass
class Device:
    """A browser's side of a subscription: its keys, so a test can decrypt what it receives."""

    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    @classmethod
    def new(cls) -> Device:
        import os

        return cls(ec.generate_private_key(ec.SECP256R1()), os.urandom(16))

    @property
    def p256dh(self) -> str:
        raw = self.private_key.public_key().public_bytes(
            Encoding.X962, PublicFormat.UncompressedPoint
        )
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    @property
    def auth(self) -> str:
        return base64.urlsafe_b64encode(self.auth_secret).rstrip(b"=").decode()

    def decrypt(self, body: bytes) -> dict[str, Any]:
        plain = http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm"
        )
        return json.loads(plain)


@dataclass
class LocalPushService:
    received: list[Received] = field(default_factory=list)
    # Status codes to answer, in order; 201 once they run out.
    answers: list[int] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_port}"

    def endpoint(self, name: str) -> str:
        return f"{self.base_url}/push/{name}"


def run_push_service() -> Iterator[LocalPushService]:
    service = LocalPushService()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real push services allow

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with lock:
                service.received.append(
                    Received(
                        self.path,
                        dict(self.headers.items()),
                        body,
                        self.client_address,
                        time.time(),
                    )
                )
                status = service.answers.pop(0) if service.answers else 201
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", f"{service.base_url}/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # a sender killed mid-request (the fault tests do that) is not our error

    server = Server(("127.0.0.1", 0), Handler)
    service.server = server
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()
