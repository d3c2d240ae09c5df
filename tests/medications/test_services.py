"""Against real PostgreSQL and Redis: two scans ("beats") and two Celery workers over 10,000 due
reminder steps deliver each alert, one push each, to a local push service. Mid-run one worker is
killed with SIGKILL (mid-batch) and then Redis is killed and restarted empty, losing every queued
message. Nothing is lost; every delivery not yet sent when Redis came back is found by the sweep
and sent; duplicates are counted (bounded: a killed pool process can send again at most the
group of pushes it had not committed). The figures are printed (run with -s).

Redis is a private `redis-server` (tests/realstack.py), so the shared one is never restarted.
Run: DATABASE_URL=postgres://…/mastline_x REDIS_URL=redis://… MASTLINE_REQUIRE_SERVICES=1 \
     pytest -m redis -s tests/medications/test_services.py
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.db import connections

from apps.alerts.tasks import scan_due
from apps.medications.models import ReminderStep, StepStatus
from apps.notifications.delivery import PUSH_GROUP, push_topic
from apps.notifications.models import (
    AttemptOutcome,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Notification,
)
from tests import realstack
from tests.notifications.push_service import LocalPushService, run_push_service

STEPS = int(os.environ.get("MASTLINE_SERVICE_STEPS", "10000"))
PATIENTS = 100
DEADLINE_SECONDS = 900

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def push_service() -> Iterator[LocalPushService]:
    yield from run_push_service()


def _scan(errors: list[BaseException]) -> None:
    """One of two concurrent "beats": scans until nothing is due, on its own connection."""
    try:
        for _ in range(3):
            scan_due()
    except BaseException as exc:  # reported by the test
        errors.append(exc)
    finally:
        connections.close_all()


def _delivered(push: LocalPushService) -> int:
    return len({r.topic for r in list(push.received)})


def test_two_beats_and_two_workers_deliver_each_alert_once_through_a_kill_and_a_broker_loss(
    private_redis: realstack.PrivateRedis, push_service: LocalPushService
) -> None:
    realstack.due_medication_steps(STEPS, patients=PATIENTS, push_base_url=push_service.base_url)
    env = realstack.worker_environment(private_redis.url, **realstack.vapid_environment())
    workers = [realstack.start_worker(name, env) for name in ("meds-a", "meds-b")]
    beat = realstack.Beat(private_redis.url)
    try:
        realstack.wait_until_ready(["meds-a", "meds-b"], private_redis.url)
        scan_errors: list[BaseException] = []
        scans = [threading.Thread(target=_scan, args=(scan_errors,)) for _ in range(2)]
        for thread in [*scans, beat]:
            thread.start()
        deadline = time.monotonic() + DEADLINE_SECONDS

        # SIGKILL worker A once deliveries are flowing: it dies mid-batch.
        while _delivered(push_service) < STEPS // 10:
            assert time.monotonic() < deadline, "deliveries never started"
            time.sleep(0.2)
        realstack.kill(workers[0])
        killed_at = time.time()

        # Then Redis dies and comes back empty: every queued message is lost.
        while _delivered(push_service) < STEPS // 4:
            assert time.monotonic() < deadline, "deliveries stopped after the kill"
            time.sleep(0.2)
        private_redis.restart()
        restarted_at = time.time()
        unsent_at_restart = STEPS - _delivered(push_service)

        for scan in scans:
            scan.join(timeout=DEADLINE_SECONDS)
        assert not scan_errors, scan_errors
        # Until every row is recorded sent: one the dead worker sent but did not record is given
        # back by the sweep and sent again, and that copy must be counted.
        # A scan the killed worker was running (beat sends the scans too) rolled back: the next
        # tick fires its steps.
        unsent = Delivery.objects.exclude(status=DeliveryStatus.SENT)
        pending = ReminderStep.objects.filter(status=StepStatus.PENDING)
        while pending.exists() or unsent.exists() or _delivered(push_service) < STEPS:
            assert time.monotonic() < deadline, f"{unsent.count()} never sent\n" + "\n".join(
                realstack.log_tail(name, env) for name in ("meds-a", "meds-b")
            )
            time.sleep(0.5)
    finally:
        beat.stop()
        for worker in workers:
            realstack.kill(worker)

    received = list(push_service.received)
    last = max(r.at for r in received)
    # The deliveries that existed when Redis came back (their messages were lost with it): when
    # the sweep had found and sent them all. The rest were created by the scans afterwards.
    existing = {
        push_topic(d)
        for d in Delivery.objects.filter(created_at__lte=_moment(restarted_at)).only(
            "idempotency_key"
        )
    }
    last_existing = max((r.at for r in received if r.topic in existing), default=restarted_at)
    copies = Counter(r.topic for r in received)
    duplicates = sum(n - 1 for n in copies.values())
    print(
        f"\n{STEPS} steps, 2 workers: worker A SIGKILLed at {_clock(killed_at)}; Redis restarted "
        f"empty at {_clock(restarted_at)} with {unsent_at_restart} steps' pushes not yet sent "
        f"({len(existing)} deliveries written by then, the last of those sent "
        f"{last_existing - restarted_at:.0f} s after the restart); "
        f"the last push arrived {last - restarted_at:.0f} s after the restart "
        f"({last - killed_at:.0f} s after the kill); lost 0; duplicates {duplicates}; "
        f"beat ticks refused while Redis was down: {beat.refused}"
    )
    assert ReminderStep.objects.filter(status=StepStatus.FIRED).count() == STEPS
    # Exactly one notification per step and recipient, one delivery each, recorded sent once.
    assert Notification.objects.count() == STEPS
    deliveries = list(Delivery.objects.only("idempotency_key"))
    assert len(deliveries) == STEPS
    assert set(copies) == {push_topic(d) for d in deliveries}  # nothing lost
    sent_attempts = DeliveryAttempt.objects.filter(outcome=AttemptOutcome.SENT)
    assert sent_attempts.count() == STEPS
    assert sent_attempts.values("delivery_id").distinct().count() == STEPS
    # Copies can only come from the killed worker's two pool processes, a group each at most.
    assert duplicates <= 2 * PUSH_GROUP


def _moment(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


def _clock(moment: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(moment))
