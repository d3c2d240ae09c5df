"""Against real PostgreSQL and Redis: two scans ("beats") and two Celery workers over 10,000 due
reminder steps deliver each alert exactly once, and a worker killed with SIGKILL mid-batch
loses nothing (acks_late + reject_on_worker_lost, and the notifications sweep).

Run: DATABASE_URL=postgres://…/mastline_meds REDIS_URL=redis://127.0.0.1:6379/1 pytest -m redis
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, connections
from django.utils import timezone

from apps.careteam.models import Membership, Patient, Role
from apps.medications.models import Medication, ReminderStep, StepStatus
from apps.medications.tasks import scan_due_steps
from apps.notifications import delivery
from apps.notifications.models import (
    AttemptOutcome,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Notification,
)
from tests.conftest import redis_available
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
STEPS = int(os.environ.get("MASTLINE_SERVICE_STEPS", "10000"))
PATIENTS = 100
DEADLINE_SECONDS = 420

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


def _due_steps(count: int) -> None:
    now = timezone.now()
    patients = Patient.objects.bulk_create(
        [Patient(display_name=f"P{n}", time_zone="Europe/Rome") for n in range(PATIENTS)]
    )
    for n, patient in enumerate(patients):
        owner = UserFactory(email=f"owner{n}@example.org")
        Membership.objects.create(patient=patient, user=owner, role=Role.OWNER)
    start = now.date() - timedelta(days=60)
    medications = Medication.objects.bulk_create(
        [
            Medication(
                patient=patients[n % PATIENTS],
                name="Omalizumab",
                route="subcutaneous",
                start_date=start,
                regimen_kind="interval",
                interval=4,
                interval_unit="weeks",
                interval_anchor="last_dose",
                times_of_day=["09:00"],
                next_dose_due_at=now - timedelta(days=3, seconds=n % 60),
                planned_time_zone="Europe/Rome",
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    ReminderStep.objects.bulk_create(
        [
            ReminderStep(
                medication=m,
                due_at=m.next_dose_due_at,
                name="overdue",
                kind="overdue",
                fire_at=now - timedelta(seconds=n % 60),
                audience=["owner"],
                urgency="high",
                late_cutoff_minutes=None,
            )
            for n, m in enumerate(medications)
        ],
        batch_size=2000,
    )


def _worker(name: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - fixed arguments, our own venv
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "server",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            "2",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"{name}@%h",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,  # its own process group: SIGKILL takes the pool children too
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def _beat(errors: list[BaseException]) -> None:
    """One of two concurrent "beats": scans until nothing is due, on its own connection."""
    try:
        for _ in range(3):
            scan_due_steps()
    except BaseException as exc:  # reported by the test
        errors.append(exc)
    finally:
        connections.close_all()


def test_two_beats_and_two_workers_deliver_each_alert_once_even_if_one_dies() -> None:
    redis_url = redis_available()
    assert redis_url is not None
    from server.celery import app

    app.control.purge()
    _due_steps(STEPS)

    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "server.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": redis_url,
    }
    workers = [_worker("meds-a", env), _worker("meds-b", env)]
    try:
        errors: list[BaseException] = []
        beats = [threading.Thread(target=_beat, args=(errors,)) for _ in range(2)]
        for beat in beats:
            beat.start()
        # Kill worker A with SIGKILL once deliveries are flowing.
        deadline = time.monotonic() + DEADLINE_SECONDS
        while Delivery.objects.filter(status=DeliveryStatus.SENT).count() < STEPS // 10:
            assert time.monotonic() < deadline, "deliveries never started"
            time.sleep(0.5)
        _kill(workers[0])
        for beat in beats:
            beat.join(timeout=DEADLINE_SECONDS)
        assert not errors, errors
        assert not ReminderStep.objects.filter(status=StepStatus.PENDING).exists()

        # What the dead worker held comes back through the sweep (beat runs it every minute).
        # Once the survivor has drained its queue, age the rows the dead worker left behind past
        # the sweep's re-enqueue and stuck-claim delays, as the clock would, and sweep.
        unsent = Delivery.objects.exclude(status=DeliveryStatus.SENT)
        last, quiet_since = -1, time.monotonic()
        while unsent.exists():
            assert time.monotonic() < deadline, f"{unsent.count()} never sent"
            left = unsent.count()
            if left != last:
                last, quiet_since = left, time.monotonic()
            elif time.monotonic() - quiet_since > 5:
                past = timezone.now() - timedelta(hours=1)
                unsent.update(claimed_at=past, enqueued_at=past)
                delivery.sweep(limit=STEPS)
                quiet_since = time.monotonic()
            time.sleep(1)
    finally:
        for worker in workers:
            _kill(worker)
        app.control.purge()

    assert ReminderStep.objects.filter(status=StepStatus.FIRED).count() == STEPS
    # Exactly one notification per step and recipient, one delivery each, sent once.
    assert Notification.objects.count() == STEPS
    assert Delivery.objects.count() == STEPS
    sent_attempts = DeliveryAttempt.objects.filter(outcome=AttemptOutcome.SENT)
    assert sent_attempts.count() == STEPS
    assert sent_attempts.values("delivery_id").distinct().count() == STEPS
