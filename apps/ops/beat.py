"""Celery beat's scheduler, with a heartbeat for /api/health.

Periodic tasks are declared by each app in `CELERY_BEAT_SCHEDULE` (settings). Beat is meant to
run as a single process; every periodic task in Mastline stays correct if two run (work is
claimed in the database), so a duplicate beat costs load, never a duplicate alert.
"""

from __future__ import annotations

import time
from typing import Any

from celery.beat import PersistentScheduler

from .heartbeat import BEAT, record_heartbeat

# Seconds between two heartbeat writes; beat ticks at least every CELERY_BEAT_MAX_LOOP_INTERVAL.
_MARK_EVERY = 15.0


class HeartbeatScheduler(PersistentScheduler):
    _last_mark = 0.0

    def tick(self, *args: Any, **kwargs: Any) -> float:
        now = time.monotonic()
        if now - self._last_mark >= _MARK_EVERY:
            record_heartbeat(BEAT)
            self._last_mark = now
        return super().tick(*args, **kwargs)
