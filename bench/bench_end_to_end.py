"""End to end: N alert steps due at once, delivered to a local push endpoint by one real Celery
worker (prefork, concurrency 2, both queues) on PostgreSQL and a private Redis.

A beat thread sends the periodic tasks as celery beat does (all at once at the start, then each
at its period); the worker's scan fires the due steps (notify: the inbox items and their
deliveries) and the same worker sends the pushes. Measured in one run:
  - end to end: from beat's first tick (the worker is idle: its first claim) to the last POST;
    fired-to-delivered latency per push (the POST's arrival minus the notification's creation),
    p50 and p99; how long the scan took to fire them all, and how far the last POST trailed it;
    duplicates (POSTs beyond one per `Topic`) and lost (deliveries whose `Topic` never arrived);
  - delivery alone: the same N deliveries made pending again and enqueued at once (what the
    sweep does after a broker loss), to the last POST;
  - a bare loop replaying the same N POSTs (bodies and headers) over one keep-alive session,
    and the ratios.
Needs DATABASE_URL=postgres://… and `redis-server` on PATH (skipped otherwise). Run:
`DATABASE_URL=postgres://… python -m bench.bench_end_to_end [N]`.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass

from bench.harness import table
from tests.notifications.push_service import LocalPushService, Received

DEFAULT_COUNT = 10_000
PATIENTS = 100
TIMEOUT_SECONDS = 900


def create_due_steps(count: int, push_base_url: str) -> None:
    """The N due steps: apps.medications' `ReminderStep` rows, fired by the one alert scan
    (apps.alerts.tasks.scan_due_alerts, sent by the beat thread from CELERY_BEAT_SCHEDULE)."""
    from tests import realstack

    realstack.due_medication_steps(count, patients=PATIENTS, push_base_url=push_base_url)


@dataclass
class Phase:
    seconds: float  # from the start to the last POST
    latencies: list[float]
    delivered: int
    duplicates: int
    lost: int

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _wait_for(push: LocalPushService, count: int) -> None:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while len({r.topic for r in list(push.received)}) < count:
        if time.monotonic() > deadline:
            return
        time.sleep(0.2)
    time.sleep(2)  # let a late duplicate show itself


def _measure(received: list[Received], started: float, fired_at: dict[str, float]) -> Phase:
    copies = Counter(r.topic for r in received)
    first: dict[str, float] = {}
    for r in received:
        first.setdefault(r.topic, r.at)
    return Phase(
        seconds=max(first.values()) - started if first else float("nan"),
        latencies=[first[t] - fired for t, fired in fired_at.items() if t in first],
        delivered=len(copies),
        duplicates=sum(n - 1 for n in copies.values()),
        lost=sum(1 for t in fired_at if t not in first),
    )


def run(count: int, redis_url: str, vapid: dict[str, str]) -> None:
    import requests
    from django.utils import timezone

    from apps.notifications import delivery
    from apps.notifications.models import Delivery, DeliveryAttempt, DeliveryStatus
    from tests import realstack
    from tests.notifications.push_service import run_push_service

    with contextmanager(run_push_service)() as push:
        started = time.perf_counter()
        create_due_steps(count, push.base_url)
        print(f"  {count:,} due steps created in {time.perf_counter() - started:.1f} s")
        worker = realstack.start_worker("bench", realstack.worker_environment(redis_url, **vapid))
        beat = realstack.Beat(redis_url)
        try:
            realstack.wait_until_ready(["bench"], redis_url)
            load = [os.getloadavg()[0]]
            beat.start()
            _wait_for(push, count)
            load.append(os.getloadavg()[0])
            rows = list(Delivery.objects.select_related("notification"))
            created = {delivery.push_topic(d): d.notification.created_at.timestamp() for d in rows}
            end_to_end = _measure(list(push.received), beat.started_at, created)
            scan_seconds = max(created.values()) - min(created.values())
            trail = end_to_end.seconds - (max(created.values()) - beat.started_at)

            # Delivery alone: every row pending and due again, enqueued at once.
            replay = list(push.received)
            push.received.clear()
            DeliveryAttempt.objects.all().delete()
            now = timezone.now()
            Delivery.objects.update(
                status=DeliveryStatus.PENDING,
                attempts=0,
                sent_at=None,
                claimed_at=None,
                next_attempt_at=now,
                enqueued_at=now,
            )
            enqueued_at = time.time()
            delivery.enqueue([d.pk for d in rows])
            _wait_for(push, count)
            load.append(os.getloadavg()[0])
            alone = _measure(list(push.received), enqueued_at, dict.fromkeys(created, enqueued_at))
            unsent = Delivery.objects.exclude(status=DeliveryStatus.SENT).count()
        finally:
            beat.stop()
            realstack.kill(worker)

        # The bare loop: the same requests, one after another, over one kept-alive session.
        push.received.clear()
        session = requests.Session()
        started = time.perf_counter()
        for r in replay:
            session.post(f"{push.base_url}{r.path}", data=r.body, headers=r.headers, timeout=10)
        bare = time.perf_counter() - started

    print(
        f"bench_end_to_end: {count:,} steps due at once → pushes to a local endpoint by one worker "
        f"(prefork, concurrency 2), PostgreSQL, Redis"
    )
    print(f"  load average (1 min) at the start / after phase 1 / after phase 2: {load}")
    table(
        [
            ("measure", "steps → POST (end to end)", "deliveries alone"),
            ("first claim → last POST", f"{end_to_end.seconds:.1f} s", f"{alone.seconds:.1f} s"),
            (
                "per second",
                f"{end_to_end.delivered / end_to_end.seconds:,.0f}",
                f"{alone.delivered / alone.seconds:,.0f}",
            ),
            (
                "fired → delivered p50",
                f"{end_to_end.percentile(0.5):.2f} s",
                f"{alone.percentile(0.5):.2f} s",
            ),
            (
                "fired → delivered p99",
                f"{end_to_end.percentile(0.99):.2f} s",
                f"{alone.percentile(0.99):.2f} s",
            ),
            ("delivered", f"{end_to_end.delivered:,}", f"{alone.delivered:,}"),
            ("duplicates", str(end_to_end.duplicates), str(alone.duplicates)),
            ("lost", str(end_to_end.lost), str(alone.lost)),
        ]
    )
    print(
        f"  the scan fired the {count:,} steps in {scan_seconds:.1f} s; the last POST came "
        f"{trail:.1f} s after the last step fired; rows left unsent: {unsent}"
    )
    print(
        f"  bare loop, the same {len(replay):,} POSTs: {bare:.1f} s ({len(replay) / bare:,.0f}/s)"
    )
    print(f"  end to end / bare POST loop = {end_to_end.seconds / bare:.2f}x")
    print(f"  deliveries alone / bare POST loop = {alone.seconds / bare:.2f}x")


def main(argv: list[str]) -> int:
    from tests import realstack

    count = int(argv[0]) if argv else DEFAULT_COUNT
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("bench_end_to_end needs PostgreSQL: set DATABASE_URL=postgres://… (skipped)")
        return 0
    if not realstack.PrivateRedis.available():
        print("bench_end_to_end needs redis-server on PATH (skipped)")
        return 0
    from bench.harness import django_database

    vapid = realstack.vapid_environment()
    os.environ.update(vapid)
    with django_database(), realstack.private_redis() as redis:
        run(count, redis.url, vapid)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
