"""Web Push deliveries per second, and their cost against a bare HTTP POST.

A threaded push service on 127.0.0.1 answers 201. N deliveries go through the whole path in
this process, in batches as a worker takes them — the claim, the re-check under lock, the VAPID
header, aes128gcm encryption, the POST over a kept-alive session, the attempt rows, the status
change — and, interleaved with them in rounds, the same number of bare POSTs of an equally sized
body to the same endpoint over one session. Loopback only; it stops by itself. Run: `python -m bench.bench_delivery [N]`.
"""

from __future__ import annotations

import base64
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bench.harness import django_database, table

DEFAULT_COUNT = 2000
ROUNDS = 5


class _Accept(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def local_push_service() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Accept)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def run(count: int) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    from django.conf import settings

    key = ec.generate_private_key(ec.SECP256R1())
    settings.VAPID_PRIVATE_KEY = _b64url(key.private_numbers().private_value.to_bytes(32, "big"))
    settings.VAPID_PUBLIC_KEY = None

    import requests

    from apps.accounts.models import User
    from apps.notifications import delivery, services
    from apps.notifications.models import Channel, Delivery, PushSubscription, Urgency
    from apps.notifications.vapid import vapid_keys

    vapid_keys.cache_clear()
    browser_key = ec.generate_private_key(ec.SECP256R1())
    p256dh = _b64url(
        browser_key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    )
    with local_push_service() as base_url:
        user = User.objects.create_user("bench@example.org", display_name="Bench")
        services.preferences_update(user=user, channels={"dose_overdue": {"email": False}})
        PushSubscription.objects.create(
            user=user,
            endpoint=f"{base_url}/push/bench",
            p256dh=p256dh,
            auth=_b64url(os.urandom(16)),
        )
        # The on-commit enqueue is not measured: deliveries are sent by calling the task's body.
        delivery.enqueue = lambda ids: None  # type: ignore[assignment]
        ids = []
        for n in range(count):
            notification = services.notify(
                recipient=user,
                patient=None,
                category="dose_overdue",
                urgency=Urgency.HIGH,
                dedupe_key=f"bench:{n}",
                source_key=f"bench:{n}",
                title="A dose is overdue",
                body="",
                url="/today",
            )
            ids.append(notification.deliveries.get(channel=Channel.PUSH).pk)
        sample = Delivery.objects.select_related("notification").get(pk=ids[0])
        # What actually travels: the encrypted payload adds aes128gcm's 103 bytes.
        body = b"x" * (len(delivery.push_payload(sample.notification)) + 103)

        session = requests.Session()
        per_round = count // ROUNDS
        full_time = bare_time = 0.0
        sent = 0
        for r in range(ROUNDS):
            chunk = ids[r * per_round : (r + 1) * per_round]
            start = time.perf_counter()
            for first in range(0, len(chunk), delivery.BATCH_SIZE):
                batch = chunk[first : first + delivery.BATCH_SIZE]
                assert set(delivery.deliver_batch(batch).values()) == {"sent"}
            full_time += time.perf_counter() - start
            sent += len(chunk)
            start = time.perf_counter()
            for _ in chunk:
                response = session.post(
                    f"{base_url}/push/bench",
                    data=body,
                    headers={"TTL": "60", "Content-Encoding": "aes128gcm"},
                    timeout=10,
                )
                assert response.status_code == 201
            bare_time += time.perf_counter() - start

    assert Delivery.objects.filter(status="sent").count() == sent
    print(f"bench_delivery: {sent} Web Push deliveries to a local push endpoint ({len(body)} B)")
    table(
        [
            ("measure", "per second", "ms each"),
            ("full delivery", f"{sent / full_time:,.0f}", f"{1000 * full_time / sent:.2f}"),
            ("bare HTTP POST", f"{sent / bare_time:,.0f}", f"{1000 * bare_time / sent:.2f}"),
        ]
    )
    print(f"  full delivery / bare POST = {full_time / bare_time:.2f}x")


def main(argv: list[str]) -> int:
    count = int(argv[0]) if argv else DEFAULT_COUNT
    count = max(ROUNDS, min(count, 20_000))  # bounded: it must stop by itself
    with django_database():
        run(count)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
