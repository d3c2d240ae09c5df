"""Celery tasks: thin wrappers that take ids; the work is in delivery.py.

Retries are not Celery retries: a failed attempt moves the row's `next_attempt_at` forward and the
sweep enqueues it when due, so a reminder never waits in the broker (Redis would redeliver a
long-delayed message after its visibility timeout and the alert could go out twice).

`deliver_notifications` runs on the `deliveries` queue; `sweep_due_deliveries` on `scans`, with
the scans, so a delivery backlog never holds it up (settings: CELERY_TASK_ROUTES).
"""

from __future__ import annotations

from celery import shared_task

from . import delivery

# A batch ends within SEND_BUDGET plus one send's timeout; the hard limit comes after that and
# before the sweep gives the batch's claims back (CLAIM_STUCK_AFTER).
_BATCH_TIME_LIMIT = int(delivery.CLAIM_STUCK_AFTER.total_seconds()) - 10


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    time_limit=_BATCH_TIME_LIMIT,
    soft_time_limit=_BATCH_TIME_LIMIT - 5,
)
def deliver_notifications(delivery_ids: list[str]) -> int:
    return len(delivery.deliver_batch(delivery_ids))


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def sweep_due_deliveries() -> int:
    return delivery.sweep()


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def repeat_unacknowledged_alerts() -> int:
    """Beat, every minute: urgent alerts nobody acknowledged are sent again
    (acknowledgement.repeat_unacknowledged)."""
    from .acknowledgement import repeat_unacknowledged

    return repeat_unacknowledged()
