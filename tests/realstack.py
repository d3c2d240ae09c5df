"""The real stack for the services test and the end-to-end benchmark: a private Redis that can be
restarted, Celery worker processes that can be killed, and N reminder steps due now whose owners
each have one phone subscribed to a local push service.

A private `redis-server` (no persistence, a free port) keeps these runs from touching the shared
Redis and lets a test restart it, losing every queued message, as a crashed broker would.
"""

from __future__ import annotations

import base64
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrivateRedis:
    """`redis-server` on 127.0.0.1 at a free port, keeping nothing on disk."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None
        self.directory = tempfile.mkdtemp(prefix="mastline-redis-")

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                str(shutil.which("redis-server")),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.directory,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()  # as a crash: nothing is saved
            self.process.wait(timeout=30)
        self.process = None

    def restart(self) -> None:
        """Kills Redis and starts an empty one on the same port: every queued message is gone."""
        self.stop()
        self.start()


@contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    """A private Redis, and this process's Celery app publishing to it (what this process
    enqueues on commit must reach the workers started on it)."""
    from server.celery import app

    redis = PrivateRedis()
    redis.start()
    previous = app.conf.broker_url
    _publish_to(app, redis.url)
    try:
        yield redis
    finally:
        _publish_to(app, previous)
        redis.stop()
        shutil.rmtree(redis.directory, ignore_errors=True)


def _publish_to(app: Any, url: str) -> None:
    from kombu import pools

    app.conf.broker_url = url
    # The connection and producer pools were made for the old URL: close every pool (kombu keeps
    # them by connection) and drop Celery's references, as Celery does after a fork, so the next
    # publish connects anew.
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def vapid_environment() -> dict[str, str]:
    """A fresh server key pair, as the environment variables the workers read."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return {
        "VAPID_PRIVATE_KEY": _b64url(key.private_numbers().private_value.to_bytes(32, "big")),
        "VAPID_PUBLIC_KEY": _b64url(public),
        "VAPID_SUBJECT": "mailto:ops@example.org",
    }


def worker_environment(redis_url: str, **extra: str) -> dict[str, str]:
    """What a worker needs to share this process's database (the test database) and Redis. It
    runs with the settings `make run` and production start from, configured by the environment
    (`extra`: e.g. EMAIL_BACKEND and EMAIL_PORT, the VAPID keys)."""
    from django.db import connection

    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "server.settings.base",
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": redis_url,
        "MASTLINE_VAR_DIR": tempfile.mkdtemp(prefix="mastline-worker-"),
        "PUSH_ALLOW_LOOPBACK": "1",  # the local push service (apps/notifications/push_guard.py)
        **extra,
    }


# A child process keeps the real clock; when the suite's clock is pinned (MASTLINE_TEST_NOW,
# tests/conftest.py) the worker starts at this process's "now" instead, ticking, so that both
# agree on what is due. Its pool processes are forked, and keep that clock.
_ON_CLOCK = (
    "import runpy, sys, time_machine; "
    "time_machine.travel(sys.argv[1], tick=True).start(); "
    "sys.argv = sys.argv[2:]; "
    "runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)"
)


def _python_on_this_clock() -> list[str]:
    """`python -m` (the module and its arguments follow), on the suite's clock."""
    from tests.clock import PINNED_NOW

    if PINNED_NOW is None:
        return [sys.executable, "-m"]
    return [sys.executable, "-c", _ON_CLOCK, datetime.now(UTC).isoformat()]


def start_worker(name: str, env: dict[str, str], concurrency: int = 2) -> subprocess.Popen[bytes]:
    """`celery worker` as production runs it (both queues, prefork), in its own process group so
    SIGKILL takes its pool children too. Its log is `worker-<name>.log` in its MASTLINE_VAR_DIR
    (`log_of`)."""
    log = open(log_of(name, env), "ab")  # noqa: SIM115 - the child writes it until it ends
    return subprocess.Popen(  # noqa: S603 - fixed arguments, our own venv
        [
            *_python_on_this_clock(),
            "celery",
            "-A",
            "server",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            str(concurrency),
            "--queues",
            "deliveries,scans",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"{name}@%h",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def log_of(name: str, env: dict[str, str]) -> Path:
    return Path(env["MASTLINE_VAR_DIR"]) / f"worker-{name}.log"


def log_tail(name: str, env: dict[str, str], lines: int = 40) -> str:
    path = log_of(name, env)
    text = path.read_text(errors="replace") if path.exists() else ""
    return f"--- {path} ---\n" + "\n".join(text.splitlines()[-lines:])


def wait_until_ready(names: list[str], broker_url: str, timeout: float = 120) -> None:
    """Until each named worker has started (its heartbeat row) and one of them consumes (a sweep
    sent to the scans queue is taken)."""
    import redis

    from apps.ops.heartbeat import last_seen
    from server.celery import app

    deadline = time.monotonic() + timeout
    while not all(last_seen(prefix=f"worker:{name}@") for name in names):
        if time.monotonic() > deadline:
            raise RuntimeError(f"workers {names} did not start")
        time.sleep(0.1)
    with app.connection_for_write(broker_url) as connection:
        app.send_task("apps.notifications.tasks.sweep_due_deliveries", connection=connection)
    broker = redis.Redis.from_url(broker_url)
    while broker.llen("scans"):
        if time.monotonic() > deadline:
            raise RuntimeError(f"workers {names} do not consume")
        time.sleep(0.05)


def kill(process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
    process.wait(timeout=60)


def due_medication_steps(count: int, *, patients: int, push_base_url: str) -> None:
    """`count` missed-dose steps due now (today's apps.medications `ReminderStep` rows), spread
    over `patients` records whose owner has one phone subscribed at `push_base_url` and gets
    these alerts by push only: one step, one push delivery."""
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.careteam.models import Membership, Patient, Role
    from apps.medications.models import Medication, ReminderStep
    from apps.notifications.models import NotificationPreference, PushSubscription

    from .notifications.push_service import Device

    now = timezone.now()
    device = Device.new()
    records = Patient.objects.bulk_create(
        [Patient(display_name=f"P{n}", time_zone="Europe/Rome") for n in range(patients)]
    )
    owners = User.objects.bulk_create(
        [User(email=f"owner{n}@example.org", display_name=f"Owner {n}") for n in range(patients)]
    )
    Membership.objects.bulk_create(
        [
            Membership(patient=p, user=u, role=Role.OWNER)
            for p, u in zip(records, owners, strict=True)
        ]
    )
    NotificationPreference.objects.bulk_create(
        [
            NotificationPreference(user=u, channels={"dose_overdue": {"email": False}})
            for u in owners
        ]
    )
    PushSubscription.objects.bulk_create(
        [
            PushSubscription(
                user=u,
                endpoint=f"{push_base_url}/push/{u.pk}",
                p256dh=device.p256dh,
                auth=device.auth,
                label="phone",
            )
            for u in owners
        ]
    )
    start = now.date() - timedelta(days=60)
    due_times = [now - timedelta(days=3, seconds=n % 60) for n in range(count)]
    medications = Medication.objects.bulk_create(
        [
            Medication(
                patient=records[n % patients],
                name="Omalizumab",
                route="subcutaneous",
                start_date=start,
                regimen_kind="interval",
                interval=4,
                interval_unit="weeks",
                interval_anchor="last_dose",
                times_of_day=["09:00"],
                next_dose_due_at=due_times[n],
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
                due_at=due_times[n],
                cycle="first",  # no dose logged yet
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


class Beat(threading.Thread):
    """Celery beat's part, in a thread: every periodic task of CELERY_BEAT_SCHEDULE (the scans,
    the sweep) sent at its period with its options, all of them at once at the start. A tick the
    broker refuses (Redis restarting) is counted and tried at the next period."""

    def __init__(self, broker_url: str) -> None:
        super().__init__(daemon=True)
        self.broker_url = broker_url
        self.stopped = threading.Event()
        self.refused = 0
        self.started_at = 0.0  # time.time() of the first tick

    def run(self) -> None:
        from django.conf import settings

        from server.celery import app

        entries = list(settings.CELERY_BEAT_SCHEDULE.values())
        next_due = [0.0] * len(entries)
        while not self.stopped.is_set():
            now = time.monotonic()
            for index, entry in enumerate(entries):
                if now < next_due[index]:
                    continue
                next_due[index] = now + float(entry["schedule"])  # type: ignore[arg-type]
                try:
                    with app.connection_for_write(self.broker_url) as connection:
                        app.send_task(
                            str(entry["task"]),
                            connection=connection,
                            **entry.get("options", {}),  # type: ignore[arg-type]
                        )
                except Exception:
                    self.refused += 1
                self.started_at = self.started_at or time.time()
            self.stopped.wait(0.2)

    def stop(self) -> None:
        self.stopped.set()
        if self.is_alive():
            self.join(timeout=10)
