"""Writes with rules: creating notifications and their deliveries, cancelling, acknowledging,
preferences and push subscriptions. Sending lives in `delivery.py`.

Other apps call `notify`, `notify_many` and `cancel_for_source` (the alert scans do); keep their
signatures stable. Acknowledging lives in `acknowledgement.py`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.utils import timezone

from .delivery import enqueue_on_commit
from .models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Notification,
    NotificationPreference,
    PushSubscription,
    Urgency,
)

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.careteam.models import Patient

_OPEN = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


def delivery_idempotency_key(
    *, dedupe_key: str, recipient_id: Any, channel: str, subscription_id: Any = None
) -> str:
    """The same (event, person, channel, device) always gives the same key."""
    parts = [dedupe_key, str(recipient_id), channel, str(subscription_id or "")]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def preferences_for(user: User) -> NotificationPreference:
    """The stored preferences, or unsaved defaults (every channel on, no quiet hours)."""
    found = NotificationPreference.objects.filter(user=user).first()
    return found if found is not None else NotificationPreference(user=user)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _local_wall_time(day: Any, at: time, zone: ZoneInfo) -> datetime:
    """`day` at `at` in `zone`, as UTC. A wall time skipped by a DST change maps to the moment
    just after the jump (02:30 on a spring-forward night → 03:30)."""
    local = datetime.combine(day, at, tzinfo=zone)
    return local.astimezone(ZoneInfo("UTC"))


def quiet_hours_end(
    prefs: NotificationPreference, zone_name: str, now: datetime
) -> datetime | None:
    """If `now` falls in the person's quiet hours, when they end (UTC); otherwise None."""
    start, end = prefs.quiet_hours_start, prefs.quiet_hours_end
    if start is None or end is None or start == end:
        return None
    zone = _zone(zone_name)
    local_now = now.astimezone(zone)
    wall = local_now.time().replace(tzinfo=None)
    today = local_now.date()
    if start < end:  # e.g. 13:00–15:00 on the same day
        if start <= wall < end:
            return _local_wall_time(today, end, zone)
        return None
    # The window crosses midnight, e.g. 22:00–07:00.
    if wall >= start:
        return _local_wall_time(today + timedelta(days=1), end, zone)
    if wall < end:
        return _local_wall_time(today, end, zone)
    return None


def _plan_deliveries(
    notification: Notification,
    recipient: User,
    *,
    channels: Sequence[str],
    not_before: datetime,
    now: datetime,
    subscriptions: Sequence[PushSubscription] | None = None,
) -> list[Delivery]:
    planned: list[Delivery] = []

    def add(channel: str, subscription: PushSubscription | None = None) -> None:
        planned.append(
            Delivery(
                notification=notification,
                channel=channel,
                subscription=subscription,
                idempotency_key=delivery_idempotency_key(
                    dedupe_key=notification.dedupe_key,
                    recipient_id=recipient.pk,
                    channel=channel,
                    subscription_id=subscription.pk if subscription else None,
                ),
                not_before=not_before,
                next_attempt_at=not_before,
                enqueued_at=now if not_before <= now else None,
            )
        )

    if Channel.PUSH in channels:
        devices = (
            subscriptions
            if subscriptions is not None
            else PushSubscription.objects.filter(user=recipient).order_by("created_at")
        )
        for subscription in devices:
            add(Channel.PUSH, subscription)
    if Channel.EMAIL in channels and recipient.email:
        add(Channel.EMAIL)
    return planned


def notify(
    *,
    recipient: User,
    patient: Patient | None,
    category: str,
    urgency: str,
    dedupe_key: str,
    source_key: str,
    title: str,
    body: str,
    url: str = "/",
    actions: Sequence[dict[str, str]] = (),
    not_before: datetime | None = None,
) -> Notification:
    """Must run inside the caller's transaction (it writes rows the caller's claim belongs with).
    Creates the in-app inbox item (unique per (recipient, dedupe_key): calling again with the same
    key returns the existing Notification and creates nothing), plus one Delivery row per channel
    the recipient's preferences allow (web push: one per push subscription; email), each with a
    unique idempotency key derived from (dedupe_key, recipient, channel[, subscription]).
    Non-urgent deliveries that fall in the recipient's quiet hours get `not_before` = end of quiet
    hours. Deliveries are enqueued with transaction.on_commit(...) — never a long ETA/countdown.

    An urgent notification ignores quiet hours, and if the recipient's preferences would leave it
    no way to reach them (every channel off, or push on but no device subscribed), it goes to
    every channel they have. `not_before` defers the sends (e.g. "remind me later"); the sweep
    enqueues them when their time comes."""
    if urgency not in Urgency.values:
        raise ValueError(f"Unknown urgency {urgency!r}; use one of {Urgency.values}.")
    now = timezone.now()
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            recipient=recipient,
            dedupe_key=dedupe_key,
            defaults={
                "patient": patient,
                "category": category,
                "urgency": urgency,
                "source_key": source_key,
                "title": title[:200],
                "body": body,
                "url": url or "/",
                "actions": [dict(action) for action in actions],
                "created_at": now,
            },
        )
        if not created:
            return notification

        deliveries = _deliveries_for(
            notification, recipient, preferences_for(recipient), now, not_before, None
        )
        Delivery.objects.bulk_create(deliveries)
        due = [d.pk for d in deliveries if d.enqueued_at is not None]
        if due:
            enqueue_on_commit(due)
    return notification


def _deliveries_for(
    notification: Notification,
    recipient: User,
    prefs: NotificationPreference,
    now: datetime,
    not_before: datetime | None,
    subscriptions: Sequence[PushSubscription] | None,
) -> list[Delivery]:
    """The deliveries of a new notification (see `notify`)."""
    allowed = [c for c in Channel.values if prefs.allows(notification.category, c)]
    held_until = None
    if notification.urgency != Urgency.URGENT:
        held_until = quiet_hours_end(prefs, recipient.time_zone, now)
    not_before = max(held_until or now, not_before or now)
    deliveries = _plan_deliveries(
        notification,
        recipient,
        channels=allowed,
        not_before=not_before,
        now=now,
        subscriptions=subscriptions,
    )
    if not deliveries and notification.urgency == Urgency.URGENT:
        deliveries = _plan_deliveries(
            notification,
            recipient,
            channels=Channel.values,
            not_before=not_before,
            now=now,
            subscriptions=subscriptions,
        )
    return deliveries


@dataclass(frozen=True)
class Notice:
    """One `notify` call, for `notify_many`."""

    recipient: User
    patient: Patient | None
    category: str
    urgency: str
    dedupe_key: str
    source_key: str
    title: str
    body: str
    url: str = "/"
    actions: Sequence[dict[str, str]] = ()


def notify_many(notices: Sequence[Notice]) -> list[Notification]:
    """`notify` for many at once (a scan's batch), with the same rules, in six queries however
    many there are: the existing items, preferences and devices of every recipient at once,
    then one INSERT of the new items and one of their deliveries. Returns the new items.
    Must run inside the caller's transaction; a concurrent `notify` of the same key makes the
    INSERT fail (the caller retries one by one)."""
    for notice in notices:
        if notice.urgency not in Urgency.values:
            raise ValueError(f"Unknown urgency {notice.urgency!r}; use one of {Urgency.values}.")
    if not notices:
        return []
    now = timezone.now()
    with transaction.atomic():
        seen = set(
            Notification.objects.filter(
                dedupe_key__in={n.dedupe_key for n in notices},
                recipient_id__in={n.recipient.pk for n in notices},
            ).values_list("recipient_id", "dedupe_key")
        )
        fresh: list[Notice] = []
        for notice in notices:
            key = (notice.recipient.pk, notice.dedupe_key)
            if key not in seen:
                seen.add(key)
                fresh.append(notice)
        if not fresh:
            return []
        people = {n.recipient.pk for n in fresh}
        prefs = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=people)}
        devices: dict[Any, list[PushSubscription]] = {pk: [] for pk in people}
        for subscription in PushSubscription.objects.filter(user_id__in=people).order_by(
            "created_at"
        ):
            devices[subscription.user_id].append(subscription)
        created = [
            Notification(
                recipient=n.recipient,
                dedupe_key=n.dedupe_key,
                patient=n.patient,
                category=n.category,
                urgency=n.urgency,
                source_key=n.source_key,
                title=n.title[:200],
                body=n.body,
                url=n.url or "/",
                actions=[dict(action) for action in n.actions],
                created_at=now,
            )
            for n in fresh
        ]
        Notification.objects.bulk_create(created)
        deliveries: list[Delivery] = []
        for notification, notice in zip(created, fresh, strict=True):
            recipient = notice.recipient
            found = prefs.get(recipient.pk) or NotificationPreference(user=recipient)
            deliveries += _deliveries_for(
                notification, recipient, found, now, None, devices[recipient.pk]
            )
        Delivery.objects.bulk_create(deliveries)
        due = [d.pk for d in deliveries if d.enqueued_at is not None]
        if due:
            enqueue_on_commit(due)
    return created


def cancel_for_source(*, source_key: str) -> int:
    """The thing the notifications were about is resolved (e.g. the dose was logged): mark every
    not-yet-sent Delivery of notifications with this source_key cancelled and the notifications
    resolved. A delivery already claimed by a worker re-checks under lock before sending and sends
    nothing stale. Returns how many deliveries were cancelled."""
    now = timezone.now()
    with transaction.atomic():
        Notification.objects.filter(source_key=source_key, resolved_at__isnull=True).update(
            resolved_at=now
        )
        notification_ids = Notification.objects.filter(source_key=source_key).values("pk")
        return Delivery.objects.filter(
            notification_id__in=notification_ids, status__in=_OPEN
        ).update(status=DeliveryStatus.CANCELLED)


def reopen_for_source(*, source_key: str) -> int:
    """The thing was resolved by mistake (the dose that resolved it was deleted): its
    notifications are open again. Deliveries cancelled meanwhile stay cancelled; the sender
    decides what to say again."""
    return Notification.objects.filter(source_key=source_key, resolved_at__isnull=False).update(
        resolved_at=None
    )


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def push_subscription_save(
    *, user: User, endpoint: str, p256dh: str, auth: str, label: str = ""
) -> tuple[PushSubscription, bool]:
    """Stores a browser's subscription. The endpoint identifies the device: subscribing it again
    updates its keys, and a device signed in to another account now belongs to this one."""
    with transaction.atomic():
        subscription = (
            PushSubscription.objects.select_for_update().filter(endpoint=endpoint).first()
        )
        if subscription is None:
            subscription = PushSubscription.objects.create(
                user=user, endpoint=endpoint, p256dh=p256dh, auth=auth, label=label
            )
            return subscription, True
        if subscription.user_id != user.pk:
            # Pending pushes for the previous account must not reach the new one.
            Delivery.objects.filter(subscription=subscription, status__in=_OPEN).update(
                status=DeliveryStatus.CANCELLED
            )
        subscription.user = user
        subscription.p256dh = p256dh
        subscription.auth = auth
        subscription.label = label or subscription.label
        subscription.save(update_fields=["user", "p256dh", "auth", "label"])
        return subscription, False


def push_subscription_delete(*, subscription: PushSubscription) -> None:
    with transaction.atomic():
        Delivery.objects.filter(subscription=subscription, status__in=_OPEN).update(
            status=DeliveryStatus.CANCELLED
        )
        subscription.delete()


def preferences_update(
    *,
    user: User,
    channels: dict[str, dict[str, bool]] | None = None,
    quiet_hours: tuple[time | None, time | None] | None = None,
) -> NotificationPreference:
    """Merges channel switches into the stored ones and/or replaces the quiet hours."""
    with transaction.atomic():
        prefs, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
        if channels:
            merged = {category: dict(flags) for category, flags in prefs.channels.items()}
            for category, flags in channels.items():
                merged.setdefault(category, {}).update(flags)
            prefs.channels = merged
        if quiet_hours is not None:
            prefs.quiet_hours_start, prefs.quiet_hours_end = quiet_hours
        prefs.save()
    return prefs
