"""Kept so that callers naming this task by path still work: the missed-dose steps are fired by
the one alert pipeline, `apps.alerts.tasks.scan_due_alerts` (its beat entry is the only one).
Calling this runs that one scan, for every kind."""

from __future__ import annotations

from celery import shared_task

from apps.alerts.tasks import scan_due


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def scan_due_reminders() -> int:
    return scan_due().fired
