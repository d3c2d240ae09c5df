"""Acknowledging an alert, and repeating an urgent one until somebody does.

An alert that reaches several people (the urgent step of a missed dose, a pen used) is one
Notification per recipient with the same `dedupe_key`. Acknowledging any copy — the app's
button (POST /api/v1/notifications/{id}/acknowledge), the push notification's button
(actions/acknowledge) or the email's link (/inbox/{id}?acknowledge=1, which does the same POST) —
acknowledges every copy at once, records who and when, and cancels what was not yet sent.

Beat runs `tasks.repeat_unacknowledged_alerts` every minute: an *urgent* notification that
nobody acknowledged within `URGENT_REPEAT_AFTER_MINUTES` (default 30) of its last send is sent
again on every channel the recipient has, whatever their preferences — the same inbox item,
its `repeats` listing the times, each repeat its own Delivery rows — at most
`URGENT_REPEAT_LIMIT` times (default 6: three hours). Non-urgent alerts never repeat. A repeat
is not the escalation: the later steps of a missed dose (the next circle) still come while the
dose is missing, acknowledged or not. Like Nightscout's and Pushover's emergency priority.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.careteam.models import Membership
from apps.clinic.hooks import patient_changed

from .delivery import enqueue_on_commit
from .models import Channel, Delivery, DeliveryStatus, Notification, PushSubscription, Urgency
from .services import delivery_idempotency_key

if TYPE_CHECKING:
    from apps.accounts.models import User

_OPEN = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


def repeat_after() -> timedelta:
    return timedelta(minutes=int(settings.URGENT_REPEAT_AFTER_MINUTES))


def copies_of(notification: Notification) -> Any:
    """Every recipient's copy of the same alert (itself included)."""
    if notification.patient_id is None:
        return Notification.objects.filter(pk=notification.pk)
    return Notification.objects.filter(
        patient_id=notification.patient_id, dedupe_key=notification.dedupe_key
    )


def acknowledge(*, notification: Notification, by: User) -> Notification:
    """`by` has seen the alert and is dealing with it: every copy is acknowledged (by them, now;
    a copy already acknowledged keeps who did it first), nothing pending of it is sent, and it is
    never repeated. Only the acknowledger's own copy becomes read."""
    now = timezone.now()
    with transaction.atomic():
        copies = copies_of(notification)
        copies.filter(acknowledged_at__isnull=True).update(acknowledged_at=now, acknowledged_by=by)
        patient_changed(notification.patient_id)  # the stored triage (apps.clinic.triage)
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        Delivery.objects.filter(notification__in=copies.values("pk"), status__in=_OPEN).update(
            status=DeliveryStatus.CANCELLED
        )
    notification.refresh_from_db()
    return notification


def unread_counts(user: User) -> dict[str, int]:
    """The inbox badge: unread notifications still open, and urgent ones nobody acknowledged."""
    mine = Notification.objects.filter(recipient=user, resolved_at__isnull=True)
    return {
        "count": mine.filter(read_at__isnull=True).count(),
        "urgent_unacknowledged": mine.filter(
            urgency=Urgency.URGENT, acknowledged_at__isnull=True
        ).count(),
    }


def _last_sent(notification: Notification) -> datetime:
    if notification.repeats:
        return datetime.fromisoformat(notification.repeats[-1])
    return notification.created_at


def repeat_unacknowledged(*, now: datetime | None = None) -> int:
    """Sends every due repeat once (rows locked, SKIP LOCKED: two beats never repeat twice).
    Returns how many notifications were sent again."""
    now = now or timezone.now()
    after = repeat_after()
    limit = int(settings.URGENT_REPEAT_LIMIT)
    if limit <= 0:
        return 0
    horizon = now - after * (limit + 1) - timedelta(minutes=5)
    with transaction.atomic():
        candidates = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(
                urgency=Urgency.URGENT,
                acknowledged_at__isnull=True,
                resolved_at__isnull=True,
                created_at__gte=horizon,
                created_at__lte=now - after,
            )
        )
        due = [n for n in candidates if len(n.repeats) < limit and _last_sent(n) + after <= now]
        if not due:
            return 0
        # Someone whose access was revoked meanwhile hears nothing more about the patient.
        members = set(
            Membership.objects.active()
            .filter(
                patient_id__in={n.patient_id for n in due if n.patient_id},
                user_id__in={n.recipient_id for n in due},
            )
            .values_list("patient_id", "user_id")
        )
        due = [
            n
            for n in due
            if n.recipient.is_active
            and (n.patient_id is None or (n.patient_id, n.recipient_id) in members)
        ]
        devices: dict[Any, list[PushSubscription]] = {}
        for subscription in PushSubscription.objects.filter(
            user_id__in={n.recipient_id for n in due}
        ).order_by("created_at"):
            devices.setdefault(subscription.user_id, []).append(subscription)
        deliveries: list[Delivery] = []
        for notification in due:
            key = f"{notification.dedupe_key}:repeat:{len(notification.repeats) + 1}"
            targets: list[tuple[str, PushSubscription | None]] = [
                (Channel.PUSH, subscription)
                for subscription in devices.get(notification.recipient_id, [])
            ]
            if notification.recipient.email:
                targets.append((Channel.EMAIL, None))
            deliveries.extend(
                Delivery(
                    notification=notification,
                    channel=channel,
                    subscription=subscription,
                    idempotency_key=delivery_idempotency_key(
                        dedupe_key=key,
                        recipient_id=notification.recipient_id,
                        channel=channel,
                        subscription_id=subscription.pk if subscription else None,
                    ),
                    not_before=now,
                    next_attempt_at=now,
                    enqueued_at=now,
                )
                for channel, subscription in targets
            )
            notification.repeats = [*notification.repeats, now.isoformat()]
        Notification.objects.bulk_update(due, ["repeats"])
        Delivery.objects.bulk_create(deliveries)
        if deliveries:
            enqueue_on_commit([d.pk for d in deliveries])
    return len(due)
