"""Signs of life from the worker and beat processes. No model import at module level: Celery
loads this while Django is still starting."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from celery import bootsteps

log = logging.getLogger(__name__)

BEAT = "beat"
WORKER_PREFIX = "worker:"


def record_heartbeat(name: str) -> None:
    from django.db import close_old_connections, connection
    from django.utils import timezone

    from .models import Heartbeat

    try:
        # Worker and beat call this from long-lived threads: drop a connection the database has
        # closed meanwhile. Never inside a transaction (closing would end it).
        if not connection.in_atomic_block:
            close_old_connections()
        Heartbeat.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})
    except Exception:  # a missed heartbeat is reported by /api/health; never crash the process
        log.exception("could not record the %s heartbeat", name)


def last_seen(name: str | None = None, prefix: str | None = None) -> datetime | None:
    from django.db.models import Max

    from .models import Heartbeat

    rows = Heartbeat.objects.all()
    rows = (
        rows.filter(name=name) if name is not None else rows.filter(name__startswith=prefix or "")
    )
    return rows.aggregate(latest=Max("seen_at"))["latest"]


class WorkerHeartbeatStep(bootsteps.StartStopStep):
    """Writes `worker:<hostname>` when the worker starts and then every few seconds from the
    worker's own timer thread, so a worker that is up but wedged stops beating."""

    requires = ("celery.worker.components:Timer",)

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self.tref: Any = None

    def start(self, worker: Any) -> None:
        from django.conf import settings

        name = f"{WORKER_PREFIX}{worker.hostname}"
        record_heartbeat(name)
        self.tref = worker.timer.call_repeatedly(
            settings.WORKER_HEARTBEAT_SECONDS, record_heartbeat, (name,), priority=10
        )

    def stop(self, worker: Any) -> None:
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None
