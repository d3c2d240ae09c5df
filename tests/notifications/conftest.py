from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from apps.notifications import tasks, vapid
from apps.notifications.models import PushSubscription

from .push_service import Device, LocalPushService, run_push_service


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.fixture(autouse=True)
def vapid_keys(settings: Any) -> Iterator[str]:
    """A fresh server key pair per test, from settings (never var/vapid.json)."""
    key = ec.generate_private_key(ec.SECP256R1())
    settings.VAPID_PRIVATE_KEY = _b64url(key.private_numbers().private_value.to_bytes(32, "big"))
    public = _b64url(key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))
    settings.VAPID_PUBLIC_KEY = public
    settings.VAPID_SUBJECT = "mailto:ops@example.org"
    vapid.vapid_keys.cache_clear()
    yield public
    vapid.vapid_keys.cache_clear()


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Ids handed to the deliver task, instead of a broker."""
    ids: list[str] = []
    monkeypatch.setattr(tasks.deliver_notifications, "delay", ids.extend)
    return ids


@pytest.fixture
def push_service() -> Iterator[LocalPushService]:
    yield from run_push_service()


@pytest.fixture
def subscribe(push_service: LocalPushService):  # type: ignore[no-untyped-def]
    """subscribe(user, name) -> (PushSubscription, Device) pointing at the local push service."""

    def make(user: Any, name: str = "phone") -> tuple[PushSubscription, Device]:
        device = Device.new()
        subscription = PushSubscription.objects.create(
            user=user,
            endpoint=push_service.endpoint(f"{user.pk}-{name}"),
            p256dh=device.p256dh,
            auth=device.auth,
            label=name,
        )
        return subscription, device

    return make
