"""Periodic work of the diary (CELERY_BEAT_SCHEDULE in server/settings/base.py)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from . import days


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def reconcile_diary_days() -> dict[str, Any]:
    """Recompute every patient's stored diary days from scratch and log any drift (there should
    be none: the writes keep the rows current, apps.diary.days)."""
    return days.reconcile()
