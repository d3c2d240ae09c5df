"""End to end: N alert steps due at once, delivered to a local push endpoint by one real Celery
worker (prefork, concurrency 2, both queues) on PostgreSQL and a private Redis.

Beat's tick is sent by hand (every periodic task once, as beat does each minute); the worker
claims the due steps, notifies, and sends the pushes. Measured in one run:
  - from the tick (the worker is idle, so this is the first claim) to the last POST;
  - fired-to-delivered latency per push: the POST's arrival minus the notification's creation,
    p50 and p99;
  - duplicates (POSTs beyond one per `Topic`) and lost (deliveries whose `Topic` never arrived);
  - a bare loop replaying the same N POSTs (bodies and headers) over one keep-alive session, and
    the ratio of the two.
Needs DATABASE_URL=postgres://… and `redis-server` on PATH (skipped otherwise). Run:
`DATABASE_URL=postgres://… python -m bench.bench_end_to_end [N]`.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections import Counter
from contextlib import contextmanager
from datetime import datetime

from bench.harness import django_database, table

DEFAULT_COUNT = 10_000
PATIENTS = 100
TIMEOUT_SECONDS = 900


def create_due_steps(count: int, push_base_url: str) -> None:
    """The N due steps. Today apps.medications' `ReminderStep` rows; when apps.alerts lands, its
    rows (this one line)."""
    from tests import realstack

    realstack.due_medication_steps(count, patients=PATIENTS, push_base_url=push_base_url)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run(count: int, redis_url: str, vapid: dict[str, str]) -> None:
    import requests
    from django.db import connection

    from apps.notifications.delivery import push_topic
    from apps.notifications.models import Delivery, DeliveryStatus
    from tests import realstack
    from tests.notifications.push_service import run_push_service

    if connection.vendor != "postgresql":
        print("bench_end_to_end needs PostgreSQL: set DATABASE_URL=postgres://… (skipped)")
        return
    push_services = contextmanager(run_push_service)()
    push = push_services.__enter__()
    try:
        started = time.perf_counter()
        create_due_steps(count, push.base_url)
        print(f"  {count:,} due steps created in {time.perf_counter() - started:.1f} s")
        env = realstack.worker_environment(redis_url, **vapid)
        worker = realstack.start_worker("bench", env)
        try:
            realstack.wait_until_ready(["bench"], redis_url)
            load_before = os.getloadavg()
            tick = time.time()
            realstack.send_scan_tick(redis_url)
            deadline = time.monotonic() + TIMEOUT_SECONDS
            while len({r.topic for r in push.received}) < count:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            time.sleep(2)  # let a late duplicate show itself
            load_after = os.getloadavg()
        finally:
            realstack.kill(worker)
        received = list(push.received)
        deliveries = {
            push_topic(d): d
            for d in Delivery.objects.select_related("notification").only(
                "idempotency_key", "status", "notification__created_at"
            )
        }
        arrivals = Counter(r.topic for r in received)
        first_arrival: dict[str, float] = {}
        for r in received:
            first_arrival.setdefault(r.topic, r.at)
        latencies = [
            first_arrival[topic] - d.notification.created_at.timestamp()
            for topic, d in deliveries.items()
            if topic in first_arrival
        ]
        lost = sum(1 for topic in deliveries if topic not in arrivals) + max(
            0, count - len(deliveries)
        )
        duplicates = sum(n - 1 for n in arrivals.values())
        unsent = Delivery.objects.exclude(status=DeliveryStatus.SENT).count()
        end_to_end = max(r.at for r in received) - tick if received else float("nan")
        first_fired = min(d.notification.created_at for d in deliveries.values())

        # The bare loop: the same requests, one after another, over one kept-alive session.
        push.received.clear()
        session = requests.Session()
        started = time.perf_counter()
        for r in received:
            session.post(f"{push.base_url}{r.path}", data=r.body, headers=r.headers, timeout=10)
        bare = time.perf_counter() - started
    finally:
        push_services.__exit__(None, None, None)

    print(
        f"bench_end_to_end: {count:,} steps due at once → pushes to a local endpoint; one worker "
        f"(prefork, concurrency 2), PostgreSQL, Redis"
    )
    print(f"  load average before / after: {_load(load_before)} / {_load(load_after)}")
    table(
        [
            ("measure", "value"),
            ("tick (first claim) → last POST", f"{end_to_end:.1f} s"),
            (
                "tick → first step fired",
                f"{first_fired.timestamp() - tick:.2f} s ({_clock(first_fired)})",
            ),
            ("deliveries per second", f"{len(arrivals) / end_to_end:,.0f}"),
            ("fired → delivered p50", f"{_percentile(latencies, 0.5):.2f} s"),
            ("fired → delivered p99", f"{_percentile(latencies, 0.99):.2f} s"),
            ("fired → delivered max", f"{max(latencies):.2f} s"),
            ("delivered (distinct Topic)", f"{len(arrivals):,}"),
            ("duplicates", str(duplicates)),
            ("lost", str(lost)),
            ("rows not `sent`", str(unsent)),
            ("bare loop: the same POSTs", f"{bare:.1f} s ({len(received) / bare:,.0f}/s)"),
        ]
    )
    print(f"  end to end / bare POST loop = {end_to_end / bare:.2f}x")
    print(f"  median latency: {statistics.median(latencies):.2f} s over {len(latencies):,} pushes")


def _load(values: tuple[float, float, float]) -> str:
    return " ".join(f"{v:.2f}" for v in values)


def _clock(moment: datetime) -> str:
    return moment.strftime("%H:%M:%S.%f")[:-3]


def main(argv: list[str]) -> int:
    from tests import realstack

    count = int(argv[0]) if argv else DEFAULT_COUNT
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("bench_end_to_end needs PostgreSQL: set DATABASE_URL=postgres://… (skipped)")
        return 0
    if not realstack.PrivateRedis.available():
        print("bench_end_to_end needs redis-server on PATH (skipped)")
        return 0
    vapid = realstack.vapid_environment()
    with realstack.private_redis() as redis:
        # Before Django starts: this process enqueues beat's tick on the same private Redis.
        os.environ["REDIS_URL"] = redis.url
        os.environ.update(vapid)
        with django_database():
            run(count, redis.url, vapid)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
