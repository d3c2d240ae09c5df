"""The inbox, push subscriptions and preferences over the API."""

from __future__ import annotations

import base64
from datetime import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.notifications import services
from apps.notifications.models import DeliveryStatus, PushSubscription
from tests.access.rules_notifications import AUTH, P256DH
from tests.factories import World

from .helpers import notify
from .push_service import Device

pytestmark = pytest.mark.django_db


def test_the_inbox_lists_only_my_notifications_newest_first_in_fixed_queries(
    world: World, client_for
) -> None:
    client = client_for(world.owner)
    notify(world.stranger, dedupe_key="someone-else")

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/notifications/")
        assert response.status_code == 200
        return len(queries)

    for n in range(3):
        notify(world.owner, dedupe_key=f"k{n}", title=f"t{n}")
    few = page_queries()
    for n in range(3, 30):
        notify(world.owner, dedupe_key=f"k{n}", title=f"t{n}")
    assert page_queries() == few

    results = client.get("/api/v1/notifications/").data["results"]
    assert [r["title"] for r in results][:3] == ["t29", "t28", "t27"]
    assert len(results) == 30


def test_unread_filter_read_and_acknowledge(world: World, client_for) -> None:
    client = client_for(world.owner)
    first = notify(world.owner, dedupe_key="a")
    second = notify(world.owner, dedupe_key="b")
    response = client.post(f"/api/v1/notifications/{first.pk}/read")
    assert response.status_code == 200 and response.data["read_at"] is not None
    unread = client.get("/api/v1/notifications/?unread=true").data["results"]
    assert [r["id"] for r in unread] == [str(second.pk)]
    detail = client.get(f"/api/v1/notifications/{second.pk}/").data
    assert detail["title"] == "Omalizumab is overdue" and detail["patient"] is None
    response = client.post(f"/api/v1/notifications/{second.pk}/acknowledge")
    assert response.data["acknowledged_at"] is not None and response.data["read_at"] is not None


def test_someone_elses_notification_does_not_exist(world: World, client_for) -> None:
    mine = notify(world.owner)
    for user in (world.caregiver, world.stranger):
        client = client_for(user)
        assert client.get(f"/api/v1/notifications/{mine.pk}/").status_code == 404
        assert client.post(f"/api/v1/notifications/{mine.pk}/acknowledge").status_code == 404
    mine.refresh_from_db()
    assert mine.acknowledged_at is None


def test_the_vapid_public_key_is_the_servers(world: World, client_for, vapid_keys) -> None:
    response = client_for(world.owner).get("/api/v1/push/vapid-public-key")
    assert response.status_code == 200
    key = response.data["public_key"]
    assert key == vapid_keys
    raw = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    assert len(raw) == 65 and raw[0] == 4


def _browser_subscription(endpoint: str = "https://fcm.googleapis.com/fcm/send/abc") -> dict:
    return {"endpoint": endpoint, "expirationTime": None, "keys": {"p256dh": P256DH, "auth": AUTH}}


def test_subscribing_is_idempotent_on_the_endpoint_and_rebinds_it(world: World, client_for) -> None:
    owner = client_for(world.owner)
    created = owner.post(
        "/api/v1/push/subscriptions", {**_browser_subscription(), "label": "Pixel"}
    )
    assert created.status_code == 201, created.data
    again = owner.post("/api/v1/push/subscriptions", _browser_subscription())
    assert again.status_code == 200 and again.data["id"] == created.data["id"]
    assert again.data["label"] == "Pixel"
    assert "p256dh" not in again.data

    # The owner's pending push to this device must not follow it to the next account.
    pending = notify(world.owner).deliveries.get(channel="push")
    carer = client_for(world.caregiver)
    rebound = carer.post("/api/v1/push/subscriptions", _browser_subscription())
    assert rebound.status_code == 200 and rebound.data["id"] == created.data["id"]
    assert PushSubscription.objects.get().user == world.caregiver
    pending.refresh_from_db()
    assert pending.status == DeliveryStatus.CANCELLED
    assert owner.get("/api/v1/push/subscriptions").data == []
    assert [s["id"] for s in carer.get("/api/v1/push/subscriptions").data] == [created.data["id"]]


def test_unsubscribing_cancels_pending_pushes(world: World, client_for) -> None:
    client = client_for(world.owner)
    subscription_id = client.post("/api/v1/push/subscriptions", _browser_subscription()).data["id"]
    pending = notify(world.owner).deliveries.get(channel="push")
    assert (
        client_for(world.stranger)
        .delete(f"/api/v1/push/subscriptions/{subscription_id}/")
        .status_code
        == 404
    )
    assert client.delete(f"/api/v1/push/subscriptions/{subscription_id}/").status_code == 204
    pending.refresh_from_db()
    assert pending.status == DeliveryStatus.CANCELLED


@pytest.mark.parametrize(
    ("body", "field_path"),
    [
        ({"endpoint": "http://push.example.net/x"}, ("endpoint",)),
        ({"endpoint": "not a url"}, ("endpoint",)),
        ({"endpoint": "https://127.0.0.1/x"}, ("endpoint",)),
        ({"endpoint": "https://10.0.0.5/x"}, ("endpoint",)),
        ({"endpoint": "https://localhost/x"}, ("endpoint",)),
        ({"keys": {"p256dh": "not base64!", "auth": AUTH}}, ("keys", "p256dh")),
        ({"keys": {"p256dh": P256DH[:40], "auth": AUTH}}, ("keys", "p256dh")),
        # 65 bytes starting 0x04, but not a point on the curve.
        (
            {
                "keys": {
                    "p256dh": base64.urlsafe_b64encode(b"\x04" + b"\x01" * 64).decode(),
                    "auth": AUTH,
                }
            },
            ("keys", "p256dh"),
        ),
        ({"keys": {"p256dh": P256DH, "auth": "c2hvcnQ"}}, ("keys", "auth")),
        ({"keys": {"p256dh": P256DH}}, ("keys", "auth")),
        ({"surprise": 1}, ("surprise",)),
    ],
)
def test_a_malformed_subscription_is_refused_with_field_errors(
    world: World, client_for, body: dict, field_path: tuple[str, ...]
) -> None:
    response = client_for(world.owner).post(
        "/api/v1/push/subscriptions", {**_browser_subscription(), **body}
    )
    assert response.status_code == 400
    errors = response.json()["fields"]
    for name in field_path:
        errors = errors[name]
    assert errors
    assert not PushSubscription.objects.exists()


def test_a_real_browser_key_is_accepted_padded_or_not(world: World, client_for) -> None:
    device = Device.new()
    body = _browser_subscription()
    body["keys"] = {"p256dh": device.p256dh + "=", "auth": device.auth + "=="}
    response = client_for(world.owner).post("/api/v1/push/subscriptions", body)
    assert response.status_code == 201, response.data
    assert PushSubscription.objects.get().p256dh == device.p256dh


def test_preferences_default_to_everything_on_and_no_quiet_hours(world: World, client_for) -> None:
    data = client_for(world.owner).get("/api/v1/notification-preferences").data
    assert data["quiet_hours_start"] is None and data["quiet_hours_end"] is None
    assert data["time_zone"] == "Europe/Rome"
    assert data["channels"]["dose_overdue"] == {"push": True, "email": True}
    assert all(all(flags.values()) for flags in data["channels"].values())


def test_preferences_merge_channels_and_set_quiet_hours(world: World, client_for) -> None:
    client = client_for(world.owner)
    client.patch("/api/v1/notification-preferences", {"channels": {"pen_expiry": {"email": False}}})
    response = client.patch(
        "/api/v1/notification-preferences",
        {
            "channels": {"pen_expiry": {"push": False}, "dose_reminder": {"email": False}},
            "quiet_hours_start": "22:30",
            "quiet_hours_end": "06:45",
        },
    )
    assert response.status_code == 200, response.data
    assert response.data["channels"]["pen_expiry"] == {"push": False, "email": False}
    assert response.data["channels"]["dose_reminder"] == {"push": True, "email": False}
    prefs = services.preferences_for(world.owner)
    assert (prefs.quiet_hours_start, prefs.quiet_hours_end) == (time(22, 30), time(6, 45))
    cleared = client.patch(
        "/api/v1/notification-preferences", {"quiet_hours_start": None, "quiet_hours_end": None}
    )
    assert cleared.data["quiet_hours_start"] is None
    assert cleared.data["channels"]["pen_expiry"] == {"push": False, "email": False}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channels": {"horoscope": {"push": False}}}, "channels"),
        ({"channels": {"pen_expiry": {"sms": False}}}, "channels"),
        ({"channels": {"pen_expiry": {"push": "maybe"}}}, "channels"),
        ({"quiet_hours_start": "22:00", "quiet_hours_end": "22:00"}, "quiet_hours_end"),
        ({"quiet_hours_start": "22:00"}, "quiet_hours_end"),
        ({"quiet_hours_start": "25:00", "quiet_hours_end": "07:00"}, "quiet_hours_start"),
        ({"time_zone": "UTC"}, "time_zone"),
    ],
)
def test_bad_preferences_are_refused(world: World, client_for, body: dict, field: str) -> None:
    response = client_for(world.owner).patch("/api/v1/notification-preferences", body)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_the_demo_inbox_loads_once_and_sends_nothing() -> None:
    from apps.notifications import demo as notifications_demo
    from apps.notifications.models import Delivery, Notification
    from apps.ops.demo import Demo, _load_accounts_and_teams

    demo = Demo()
    _load_accounts_and_teams(demo)
    notifications_demo.load(demo)
    notifications_demo.load(demo)
    assert Notification.objects.count() == 2
    assert not Delivery.objects.exclude(status=DeliveryStatus.CANCELLED).exists()
