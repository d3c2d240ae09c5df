"""Notifications: the signed-in person's own inbox, devices and preferences.

Not patient records: a notification or a device belongs to one user. The owner persona owns the
record each rule makes; to everybody else it does not exist (404).
"""

from __future__ import annotations

from typing import Any

from apps.careteam.models import Patient
from apps.notifications import services
from apps.notifications.models import PushSubscription, Urgency
from tests.factories import World

from .matrix import Rule, everyone, expect, no_kwargs

# A valid browser subscription (an uncompressed P-256 point and a 16-byte secret).
P256DH = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
AUTH = "tBHItJI5svbpez7KI4CCXg"


def _owners_notification(world: World, persona: str) -> dict[str, Any]:
    patient: Patient = world.patient
    notification = services.notify(
        recipient=world.owner,
        patient=patient,
        category="dose_reminder",
        urgency=Urgency.NORMAL,
        dedupe_key="matrix:dose:1",
        source_key="matrix:dose",
        title="Omalizumab is due",
        body="Sam's injection is due today.",
        actions=[{"action": "remind-later", "title": "Remind me later"}],
    )
    return {"pk": notification.pk}


def _an_urgent_copy_of_mine(world: World, persona: str) -> dict[str, Any]:
    """The persona's own copy of an urgent alert about the patient (the revoked former caregiver
    got theirs before leaving the team); the stranger, who never got one, asks for the owner's."""
    recipient = world.owner if persona in ("stranger", "anonymous") else world.user(persona)
    notification = services.notify(
        recipient=recipient,
        patient=world.patient,
        category="pen_used",
        urgency=Urgency.URGENT,
        dedupe_key="matrix:pen-used",
        source_key="matrix:pen-used",
        title="A pen was used for Sam",
        body="Sam needs emergency care now.",
    )
    return {"pk": notification.pk}


def _owners_subscription(world: World, persona: str) -> dict[str, Any]:
    subscription = PushSubscription.objects.create(
        user=world.owner,
        endpoint="https://push.example.net/send/matrix",
        p256dh=P256DH,
        auth=AUTH,
    )
    return {"pk": subscription.pk}


def _subscription_body(world: World, persona: str) -> dict[str, Any]:
    return {
        "endpoint": f"https://push.example.net/send/{persona}",
        "keys": {"p256dh": P256DH, "auth": AUTH},
        "label": "phone",
    }


anyone_signed_in = everyone(200, anonymous=401)
only_the_owner = expect(owner=200, caregiver=404, clinician=404)

RULES = [
    Rule("notification-list", "GET", anyone_signed_in, no_kwargs),
    Rule("notification-detail", "GET", only_the_owner, _owners_notification),
    Rule("notification-read", "POST", only_the_owner, _owners_notification),
    Rule(
        "notification-acknowledge",
        "POST",
        # Anyone on the care team acknowledges their own copy (and so every copy); someone who
        # left the team no longer can; somebody else's notification does not exist.
        expect(owner=200, caregiver=200, clinician=200),
        _an_urgent_copy_of_mine,
    ),
    Rule("notification-unread-count", "GET", anyone_signed_in, no_kwargs),
    Rule(
        "notification-action",
        "POST",
        only_the_owner,
        lambda w, p: {**_owners_notification(w, p), "action": "remind-later"},
    ),
    Rule("notification-preferences", "GET", anyone_signed_in, no_kwargs),
    Rule(
        "notification-preferences",
        "PATCH",
        anyone_signed_in,
        no_kwargs,
        body=lambda w, p: {"quiet_hours_start": "22:00", "quiet_hours_end": "07:00"},
    ),
    Rule("push-vapid-public-key", "GET", anyone_signed_in, no_kwargs),
    Rule("push-subscription-list", "GET", anyone_signed_in, no_kwargs),
    Rule(
        "push-subscription-list",
        "POST",
        everyone(201, anonymous=401),
        no_kwargs,
        body=_subscription_body,
    ),
    Rule(
        "push-subscription-detail",
        "DELETE",
        expect(owner=204, caregiver=404, clinician=404),
        _owners_subscription,
    ),
]
