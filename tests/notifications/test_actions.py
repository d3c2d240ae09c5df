"""The buttons on a notification do their job on the server, for the person it was sent to."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.notifications import actions, services
from apps.notifications.models import Delivery, Notification, PushSubscription, Urgency
from tests.factories import World
from tests.notifications.helpers import acknowledged

pytestmark = pytest.mark.django_db

P256DH = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
AUTH = "tBHItJI5svbpez7KI4CCXg"


def reminder(world: World, **extra) -> Notification:
    PushSubscription.objects.get_or_create(
        user=world.owner,
        endpoint="https://push.example.net/send/phone",
        defaults={"p256dh": P256DH, "auth": AUTH},
    )
    return services.notify(
        recipient=world.owner,
        patient=world.patient,
        category="dose_reminder",
        urgency=Urgency.NORMAL,
        dedupe_key="dose:x:due",
        source_key="dose:x",
        title="Omalizumab is due",
        body="Sam's injection is due today.",
        actions=[
            {"action": "took-it", "title": "I took it"},
            {"action": "remind-later", "title": "Remind me later"},
        ],
        **extra,
    )


def test_remind_later_sends_it_again_in_an_hour_without_acknowledging(
    world: World, client_for
) -> None:
    notification = reminder(world)
    response = client_for(world.owner).post(
        f"/api/v1/notifications/{notification.pk}/actions/remind-later"
    )
    assert response.status_code == 200, response.json()
    again = Notification.objects.get(pk=response.json()["notification"])
    assert again.dedupe_key.startswith("dose:x:due:later:")
    deferred = list(Delivery.objects.filter(notification=again))
    assert {d.channel for d in deferred} == {"push", "email"}
    for delivery in deferred:
        assert timedelta(minutes=59) < delivery.not_before - timezone.now() <= timedelta(hours=1)
        assert delivery.enqueued_at is None  # the sweep enqueues it when its hour comes
    notification.refresh_from_db()
    assert notification.read_at is not None and notification.acknowledged_at is None
    assert not acknowledged(source_key="dose:x")


def test_an_action_the_notification_does_not_offer_is_refused(world: World, client_for) -> None:
    notification = reminder(world)
    response = client_for(world.owner).post(
        f"/api/v1/notifications/{notification.pk}/actions/have-pens"
    )
    assert response.status_code == 400 and "action" in response.json()["fields"]


def test_somebody_elses_notification_does_not_exist(world: World, client_for) -> None:
    notification = reminder(world)
    assert (
        client_for(world.caregiver)
        .post(f"/api/v1/notifications/{notification.pk}/actions/remind-later")
        .status_code
        == 404
    )


def test_a_resolving_action_acknowledges_and_needs_current_access(
    world: World, client_for, monkeypatch
) -> None:
    done = []

    def took_it(notification, user):  # type: ignore[no-untyped-def]
        from apps.careteam.access import Capability

        actions.require_capability(notification, user, Capability.LOG_DOSE)
        done.append(notification.pk)
        return {"dose": "logged"}

    monkeypatch.setitem(actions._HANDLERS, "took-it", took_it)
    monkeypatch.setattr(actions, "_RESOLVING", {*actions._RESOLVING, "took-it"})
    notification = reminder(world)
    client = client_for(world.owner)
    assert client.post(f"/api/v1/notifications/{notification.pk}/actions/took-it").json() == {
        "action": "took-it",
        "dose": "logged",
    }
    assert acknowledged(source_key="dose:x")
    assert not Delivery.objects.filter(notification=notification, status="pending").exists()

    # Access revoked after the alert was sent: the button no longer does anything.
    world.membership("owner").delete()
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        assert (
            client.post(f"/api/v1/notifications/{notification.pk}/actions/took-it").status_code
            == 404
        )
    assert len(done) == 1
