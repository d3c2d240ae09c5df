"""Notifications: the in-app inbox, the outbox of deliveries to each channel, and preferences.

`services.notify` writes a `Notification` (the inbox item) and one `Delivery` per channel the
recipient lets it reach; `tasks.deliver_notifications` sends them in batches and records every
attempt as a `DeliveryAttempt`. Nothing health-related ever leaves the server in a push or an email: the
app fetches the notification's title and body from the API once the person has signed in.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.models import PublicModel


class Urgency(models.TextChoices):
    NORMAL = "normal"
    HIGH = "high"
    # Ignores quiet hours and any preference that would silence it.
    URGENT = "urgent"


class Channel(models.TextChoices):
    PUSH = "push"
    EMAIL = "email"


# The categories a person can tune in their preferences. `notify` accepts any category; one that
# is not listed here simply follows the defaults (every channel on).
CATEGORIES: dict[str, str] = {
    "dose_reminder": "A dose is due soon or now",
    "dose_overdue": "A dose was not logged in time",
    "relapse_watch": "A missed dose is nearing the time symptoms came back before",
    "pen_expiry": "An epinephrine auto-injector is about to expire",
    "carry_check": "The daily check that two auto-injectors are with the patient",
    "pen_used": "An auto-injector was used: get emergency care and replace it",
}


class Notification(PublicModel):
    """One item in one person's inbox. Unique per (recipient, dedupe_key), so whatever calls
    `notify` again for the same event — a retried task, a second beat — stores it once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    patient = models.ForeignKey(
        "careteam.Patient",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    category = models.CharField(max_length=40)
    urgency = models.CharField(max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    dedupe_key = models.CharField(max_length=200)
    # What the notification is about (e.g. one dose occurrence); cancel_for_source and
    # acknowledging (every copy of an alert) look notifications up by it.
    source_key = models.CharField(max_length=200, db_index=True)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, default="/")
    actions = models.JSONField(default=list, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Acknowledged by anyone on the patient's care team: an alert sent to several people is
    # acknowledged on every copy at once (apps.notifications.acknowledgement).
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # When an unacknowledged urgent alert was sent again (ISO 8601, UTC): the same inbox item,
    # each repeat its own deliveries (acknowledgement.repeat_unacknowledged).
    repeats = models.JSONField(default=list, blank=True)
    # Set when the thing it was about no longer needs attention (the dose was logged).
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="notification_once_per_recipient"
            )
        ]
        indexes = [
            # The inbox: a person's notifications, newest first.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox"),
            # acknowledgement.repeat_unacknowledged: urgent alerts still waiting for someone.
            models.Index(
                fields=["created_at"],
                condition=Q(
                    urgency="urgent", acknowledged_at__isnull=True, resolved_at__isnull=True
                ),
                name="notification_unacknowledged",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} for {self.recipient_id}"


class PushSubscription(PublicModel):
    """A browser's push endpoint (one per installed PWA on one device)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    # The push service's URL for this device; https only, validated by the serializer.
    endpoint = models.URLField(max_length=1000, unique=True)
    # The browser's P-256 public key (65 bytes, uncompressed) and auth secret (16 bytes), base64url.
    p256dh = models.CharField(max_length=100)
    auth = models.CharField(max_length=32)
    label = models.CharField(max_length=120, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.label or self.endpoint[:60]

    def subscription_info(self) -> dict[str, Any]:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class NotificationPreference(models.Model):
    """One person's choices. No row means the defaults: every channel on, no quiet hours."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_preference",
    )
    # {"<category>": {"push": bool, "email": bool}}; a missing entry means on.
    channels = models.JSONField(default=dict, blank=True)
    # Local times in the user's `time_zone`; both set or both empty. The window may cross
    # midnight (22:00–07:00). Urgent alerts are never held back by it.
    quiet_hours_start = models.TimeField(null=True, blank=True)
    quiet_hours_end = models.TimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"

    def allows(self, category: str, channel: str) -> bool:
        return bool(self.channels.get(category, {}).get(channel, True))


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"  # waiting for its time (next_attempt_at) or for a worker
    SENDING = "sending"  # claimed by a worker
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt, or a permanent error
    CANCELLED = "cancelled"  # no longer wanted: resolved, acknowledged, or unreachable
    GONE = "gone"  # the push service says the subscription no longer exists


class Delivery(PublicModel):
    """One notification to one channel (and, for push, one device): the outbox row a worker
    claims. Its idempotency key is unique, so the same event never yields a second row, and it
    travels to the push service as the `Topic` so a re-sent push replaces the first."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    subscription = models.ForeignKey(
        PushSubscription,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    idempotency_key = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    # The earliest it may go out: the end of the recipient's quiet hours, or its creation.
    not_before = models.DateTimeField()
    # When the next attempt is due: `not_before` at first, pushed forward after a failed attempt.
    # Read by tasks.sweep_due_deliveries through the partial index below.
    next_attempt_at = models.DateTimeField()
    # When a task for it was last put on the queue; the sweep re-enqueues pending rows whose
    # message may have been lost.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # When a worker claimed it; a row left in `sending` far longer than a task may run belonged
    # to a worker that died, and the sweep gives it back.
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("created_at", "id")
        verbose_name_plural = "deliveries"
        indexes = [
            # tasks.sweep_due_deliveries: pending rows whose time has come.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="delivery_pending_due",
            ),
            # tasks.sweep_due_deliveries: rows stuck in `sending` after a worker died.
            models.Index(
                fields=["claimed_at"],
                condition=Q(status="sending"),
                name="delivery_sending_claimed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.status} {self.idempotency_key[:12]}"


class AttemptOutcome(models.TextChoices):
    STARTED = "started"  # still running, or its worker died (the sweep marks it interrupted)
    SENT = "sent"
    RETRY = "retry"  # failed, will be tried again
    FAILED = "failed"  # failed for good
    GONE = "gone"
    CANCELLED = "cancelled"  # found to be no longer wanted just before sending
    INTERRUPTED = "interrupted"


class DeliveryAttempt(models.Model):
    """Every attempt to send a delivery, successful or not."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=12, choices=AttemptOutcome.choices, default=AttemptOutcome.STARTED
    )
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ("delivery", "number")
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="attempt_number_once")
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}: {self.outcome}"
