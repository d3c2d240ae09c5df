"""Celery tasks: thin wrappers that take ids; the work is in delivery.py.

Retries are not Celery retries: a failed attempt moves the row's `next_attempt_at` forward and the
sweep enqueues it when due, so a reminder never waits in the broker (Redis would redeliver a
long-delayed message after its visibility timeout and the alert could go out twice).
"""

from __future__ import annotations

from celery import shared_task

from . import delivery


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_notification(delivery_id: str) -> str:
    return delivery.deliver(delivery_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def sweep_due_deliveries() -> int:
    return delivery.sweep()
