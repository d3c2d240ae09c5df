"""Sending deliveries: claim a row, re-check it under lock, send, record the attempt.

    pending --claim--> sending --send--> sent
       ^                  |  \\--> failed (after NOTIFICATION_MAX_ATTEMPTS, or a permanent error)
       |                  |   \\-> gone (push service: 404/410; the subscription is deleted)
       +---- retry -------+    \\-> cancelled (resolved, acknowledged, device unsubscribed)

A claim is a committed `pending → sending` change taken with `select_for_update(skip_locked)`,
so two workers given the same id — a duplicate message, a second beat's sweep — never both send.
The send itself runs with the row locked again: `cancel_for_source` and acknowledging must wait
for it, so a delivery is either cancelled before it goes out or counted as sent, never both.

A failed attempt pushes `next_attempt_at` forward (exponential backoff with jitter) and leaves the
row pending; `sweep` (every minute, from beat) enqueues what is due, including rows whose message
was lost and rows a dead worker left in `sending`. Nothing waits in the broker with a long ETA.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import random
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import requests
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from pywebpush import WebPushException, webpush

from .models import (
    AttemptOutcome,
    Channel,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Notification,
    PushSubscription,
    Urgency,
)
from .vapid import vapid_keys

log = logging.getLogger(__name__)

# Web Push allows 4096 bytes of encrypted payload; aes128gcm adds 103 bytes of its own. Ours is
# a few hundred bytes; anything near this limit is a bug, refused before it reaches the network.
MAX_PUSH_PAYLOAD_BYTES = 3000
BACKOFF_BASE_SECONDS = 60
BACKOFF_CAP_SECONDS = 60 * 60
# A pending row enqueued longer ago than this without being claimed lost its message.
REENQUEUE_AFTER = timedelta(minutes=3)
SWEEP_BATCH = 500

GENERIC_TEXT = {
    Urgency.NORMAL: "You have a new reminder in Mastline.",
    Urgency.HIGH: "You have an important reminder in Mastline.",
    Urgency.URGENT: "Urgent: please open Mastline now.",
}


@dataclass(frozen=True)
class SendResult:
    outcome: str  # an AttemptOutcome: sent / retry / failed / gone
    http_status: int | None = None
    error: str = ""
    retry_after: int | None = None


def short_hash(value: str, length: int = 32) -> str:
    """URL-safe base64 of a SHA-256, cut to `length` (Web Push `Topic`: ≤ 32 such characters)."""
    digest = hashlib.sha256(value.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:length]


def push_topic(delivery: Delivery) -> str:
    return short_hash(delivery.idempotency_key)


def push_payload(notification: Notification) -> bytes:
    """What the phone's service worker receives: no health details, only what to fetch
    (GET /api/v1/notifications/{id}/ once signed in) and a generic line to show meanwhile."""
    urgency = Urgency(notification.urgency)
    data = {
        "id": str(notification.pk),
        "url": notification.url,
        # One visible notification per subject: a re-send or the next escalation step replaces it.
        "tag": short_hash(f"{notification.recipient_id}:{notification.source_key}", 16),
        "urgency": urgency.value,
        "title": "Mastline",
        "body": GENERIC_TEXT[urgency],
        "actions": [
            {"action": str(a.get("action", ""))[:32], "title": str(a.get("title", ""))[:40]}
            for a in notification.actions[:2]
        ],
    }
    encoded = json.dumps(data, separators=(",", ":")).encode()
    if len(encoded) > MAX_PUSH_PAYLOAD_BYTES:
        raise ValueError(f"push payload of {len(encoded)} bytes is over the limit")
    return encoded


def push_headers(delivery: Delivery) -> dict[str, str]:
    urgent = delivery.notification.urgency in (Urgency.URGENT, Urgency.HIGH)
    return {"Urgency": "high" if urgent else "normal", "Topic": push_topic(delivery)}


def push_ttl(notification: Notification) -> int:
    if notification.urgency == Urgency.URGENT:
        return int(settings.PUSH_TTL_URGENT_SECONDS)
    return int(settings.PUSH_TTL_SECONDS)


def send_push(delivery: Delivery, subscription: PushSubscription) -> SendResult:
    notification = delivery.notification
    keys = vapid_keys()
    try:
        payload = push_payload(notification)
        response = webpush(
            subscription_info=subscription.subscription_info(),
            data=payload.decode(),
            vapid_private_key=keys.vapid,
            vapid_claims={"sub": keys.subject},  # a fresh dict: pywebpush writes into it
            content_encoding="aes128gcm",
            ttl=push_ttl(notification),
            headers=push_headers(delivery),
            timeout=float(settings.PUSH_TIMEOUT_SECONDS),
        )
    except WebPushException as exc:
        status = exc.status_code
        text = str(exc)[:1000]
        if status in (404, 410):
            return SendResult(AttemptOutcome.GONE, status, text)
        if status == 429 or (status is not None and status >= 500) or status is None:
            return SendResult(AttemptOutcome.RETRY, status, text, _seconds(exc.retry_after))
        return SendResult(AttemptOutcome.FAILED, status, text)  # 400, 401, 403, 413: ours
    except (requests.RequestException, OSError) as exc:
        return SendResult(AttemptOutcome.RETRY, None, f"{type(exc).__name__}: {exc}"[:1000])
    except ValueError as exc:  # a malformed key or an oversized payload: retrying cannot help
        return SendResult(AttemptOutcome.FAILED, None, str(exc)[:1000])
    return SendResult(AttemptOutcome.SENT, getattr(response, "status_code", None))


def _seconds(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None  # an HTTP date: the backoff is long enough


def email_message(delivery: Delivery) -> EmailMessage:
    """Generic text and a link: an inbox is often shared or shown on a lock screen."""
    notification = delivery.notification
    urgent = notification.urgency == Urgency.URGENT
    subject = "Mastline: urgent alert" if urgent else "Mastline: you have a new notification"
    link = f"{settings.SITE_URL}{notification.url if notification.url.startswith('/') else '/'}"
    body = (
        f"{GENERIC_TEXT[Urgency(notification.urgency)]}\n\n"
        f"Open Mastline to see it: {link}\n\n"
        "You can choose which notifications reach you by email in Mastline's settings.\n"
    )
    return EmailMessage(
        subject=subject,
        body=body,
        to=[notification.recipient.email],
        # A retried send reuses the Message-ID, so mail systems can recognise the duplicate.
        headers={"Message-ID": f"<{delivery.idempotency_key}@mastline.invalid>"},
    )


def send_email(delivery: Delivery) -> SendResult:
    try:
        email_message(delivery).send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        return SendResult(AttemptOutcome.RETRY, None, f"{type(exc).__name__}: {exc}"[:1000])
    return SendResult(AttemptOutcome.SENT)


def backoff(attempt: int, retry_after: int | None = None) -> timedelta:
    """Exponential backoff with ±20% jitter so a recovering push service is not hit in step."""
    base = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0))
    seconds = base * random.uniform(0.8, 1.2)  # jitter, not a secret
    return timedelta(seconds=max(seconds, retry_after or 0))


def _unwanted(delivery: Delivery) -> bool:
    notification = delivery.notification
    return notification.resolved_at is not None or notification.acknowledged_at is not None


def claim(delivery_id: Any, *, now: datetime | None = None) -> int | None:
    """Takes a due pending delivery for this worker: returns the attempt number, or None when
    it is not due, not pending, taken by another worker, or no longer wanted."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("notification")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return None
        if _unwanted(delivery):
            delivery.status = DeliveryStatus.CANCELLED
            delivery.save(update_fields=["status"])
            return None
        if delivery.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
            delivery.save(update_fields=["status"])
            return None
        delivery.status = DeliveryStatus.SENDING
        delivery.claimed_at = now
        delivery.attempts += 1
        delivery.save(update_fields=["status", "claimed_at", "attempts"])
        DeliveryAttempt.objects.create(delivery=delivery, number=delivery.attempts, started_at=now)
        return delivery.attempts


def send_claimed(delivery_id: Any, attempt_number: int) -> str:
    """Sends a delivery this worker claimed, unless it stopped being wanted since; records the
    attempt. Returns the attempt's outcome."""
    with transaction.atomic():
        # Locked for the whole send: a cancel or an acknowledgement waits for the outcome.
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("notification", "notification__recipient", "subscription")
            .get(pk=delivery_id)
        )
        attempt = DeliveryAttempt.objects.get(delivery=delivery, number=attempt_number)
        if delivery.status != DeliveryStatus.SENDING or delivery.attempts != attempt_number:
            # Cancelled while we held the claim, or given back to another worker by the sweep.
            _finish(attempt, SendResult(AttemptOutcome.CANCELLED, error=f"now {delivery.status}"))
            return AttemptOutcome.CANCELLED
        subscription = delivery.subscription
        recipient_id = delivery.notification.recipient_id
        if _unwanted(delivery) or (
            delivery.channel == Channel.PUSH
            and (subscription is None or subscription.user_id != recipient_id)
        ):
            delivery.status = DeliveryStatus.CANCELLED
            delivery.save(update_fields=["status"])
            _finish(attempt, SendResult(AttemptOutcome.CANCELLED, error="no longer wanted"))
            return AttemptOutcome.CANCELLED

        if delivery.channel == Channel.PUSH and subscription is not None:  # None: cancelled above
            result = send_push(delivery, subscription)
        else:
            result = send_email(delivery)
        if result.outcome == AttemptOutcome.RETRY and (
            delivery.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
        ):
            result = replace(result, outcome=AttemptOutcome.FAILED)  # that was the last try
        _finish(attempt, result)
        _apply(delivery, result, subscription)
        return result.outcome


def _finish(attempt: DeliveryAttempt, result: SendResult) -> None:
    attempt.finished_at = timezone.now()
    attempt.outcome = result.outcome
    attempt.http_status = result.http_status
    attempt.error = result.error
    attempt.save(update_fields=["finished_at", "outcome", "http_status", "error"])


def _apply(delivery: Delivery, result: SendResult, subscription: PushSubscription | None) -> None:
    now = timezone.now()
    fields = ["status"]
    if result.outcome == AttemptOutcome.SENT:
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = now
        fields.append("sent_at")
        if subscription is not None:
            subscription.last_success_at = now
            subscription.save(update_fields=["last_success_at"])
    elif result.outcome == AttemptOutcome.GONE:
        delivery.status = DeliveryStatus.GONE
        if subscription is not None:
            log.info("push subscription %s is gone; removing it", subscription.pk)
            subscription.delete()  # its other deliveries lose the link and are cancelled
            delivery.subscription = None
            fields.append("subscription")
    elif result.outcome == AttemptOutcome.RETRY:
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = now + backoff(delivery.attempts, result.retry_after)
        delivery.enqueued_at = None  # the sweep enqueues it when it is due
        fields += ["next_attempt_at", "enqueued_at"]
    else:
        delivery.status = DeliveryStatus.FAILED
        log.warning("delivery %s failed after %s attempts", delivery.pk, delivery.attempts)
    delivery.save(update_fields=fields)


def deliver(delivery_id: Any) -> str:
    """Claims and sends one delivery (the body of tasks.deliver_notification)."""
    attempt_number = claim(delivery_id)
    if attempt_number is None:
        return "not-claimed"
    return send_claimed(delivery_id, attempt_number)


def enqueue(delivery_ids: Sequence[Any]) -> None:
    from .tasks import deliver_notification  # tasks imports this module

    for delivery_id in delivery_ids:
        deliver_notification.delay(str(delivery_id))


def sweep(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """Gives back rows a dead worker left in `sending` and enqueues pending rows that are due.
    Safe with two beats: each row is taken under `skip_locked` and stamped `enqueued_at`, and a
    duplicate message is harmless anyway (the claim sends once). Returns how many it enqueued."""
    now = now or timezone.now()
    stuck_before = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    with transaction.atomic():
        stuck = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.SENDING, claimed_at__lt=stuck_before)
            .values_list("pk", flat=True)[:limit]
        )
        if stuck:
            DeliveryAttempt.objects.filter(
                delivery_id__in=stuck, outcome=AttemptOutcome.STARTED
            ).update(outcome=AttemptOutcome.INTERRUPTED, finished_at=now)
            Delivery.objects.filter(pk__in=stuck, status=DeliveryStatus.SENDING).update(
                status=DeliveryStatus.PENDING, next_attempt_at=now, enqueued_at=None
            )
    with transaction.atomic():
        due = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - REENQUEUE_AFTER))
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        if due:
            Delivery.objects.filter(pk__in=due).update(enqueued_at=now)
            transaction.on_commit(lambda: enqueue(due))
    return len(due)
