"""Periodic work of the clinic (CELERY_BEAT_SCHEDULE in server/settings/base.py)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from . import triage


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def reconcile_triage() -> dict[str, Any]:
    """Recompute every patient's stored triage from scratch and log any drift (there should be
    none: the writes keep the rows current, apps.clinic.triage)."""
    return triage.reconcile()
