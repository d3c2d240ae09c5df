"""SSRF guard on push endpoints (apps/notifications/push_guard.py): refused when subscribing
(400 field error) and, resolved again, when a worker connects (DNS rebinding)."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from apps.notifications import delivery as delivery_module
from apps.notifications import push_guard
from apps.notifications.models import AttemptOutcome, Delivery, PushSubscription
from tests.factories import World

from .helpers import notify
from .test_api import _browser_subscription


def _resolves_to(monkeypatch: pytest.MonkeyPatch, table: dict[str, str]) -> list[str]:
    """DNS as `table` says (no network in tests); returns the names looked up."""
    looked_up: list[str] = []

    def resolve(host: str, port: int) -> list[push_guard.IPAddress]:
        looked_up.append(host)
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [ipaddress.ip_address(table[host])]

    monkeypatch.setattr(push_guard, "resolve", resolve)
    return looked_up


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.100.100.200",  # Alibaba's metadata, shared address space
        "0.0.0.0",  # noqa: S104 - an address to refuse, not one to bind
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fd00:ec2::254",  # AWS metadata over IPv6
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
    ],
)
def test_non_public_addresses_are_not_public(address: str) -> None:
    assert not push_guard.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["142.250.180.10", "2a00:1450:4002:402::200a"])
def test_public_addresses_are_public(address: str) -> None:
    assert push_guard.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://metadata.google.internal/computeMetadata/v1/",
        "https://foo.localhost./x",
        "https://LOCALHOST./x",
        "https://printer.local/x",
        "https://intranet/x",
        "https://127.0.0.1.nip.io/x",  # resolves to loopback
        "https://rebind.example.net/x",  # one of its addresses is private
        "https://[::ffff:7f00:1]/x",
        "https://169.254.169.254/latest/meta-data/",
        "http://fcm.googleapis.com/fcm/send/abc",
    ],
)
def test_subscribing_with_a_non_public_endpoint_is_refused_with_a_field_error(
    world: World, client_for, monkeypatch: pytest.MonkeyPatch, endpoint: str
) -> None:
    _resolves_to(monkeypatch, {"127.0.0.1.nip.io": "127.0.0.1", "rebind.example.net": "10.0.0.7"})

    response = client_for(world.owner).post(
        "/api/v1/push/subscriptions", _browser_subscription(endpoint)
    )

    assert response.status_code == 400, response.content
    assert response.json()["fields"]["endpoint"]
    assert not PushSubscription.objects.exists()


def test_a_public_push_service_and_an_allowed_self_hosted_one_are_accepted(
    world: World, client_for, monkeypatch: pytest.MonkeyPatch, settings
) -> None:
    _resolves_to(monkeypatch, {"fcm.googleapis.com": "142.250.180.10", "push.corp.lan": "10.0.0.7"})
    settings.PUSH_ALLOWED_HOSTS = ["push.corp.lan"]
    client = client_for(world.owner)

    public = client.post("/api/v1/push/subscriptions", _browser_subscription())
    own = client.post(
        "/api/v1/push/subscriptions", _browser_subscription("https://push.corp.lan/x")
    )

    assert public.status_code == 201, public.content
    assert own.status_code == 201, own.content


def test_a_host_that_resolves_to_a_private_address_at_send_time_is_not_connected_to(
    world: World, subscribe, push_service, monkeypatch: pytest.MonkeyPatch, settings
) -> None:
    """DNS rebinding: public when subscribed, the local push service (loopback) when sent."""
    settings.PUSH_ALLOW_LOOPBACK = False
    subscription, _ = subscribe(world.owner)
    port = subscription.endpoint.split(":")[2].split("/")[0]
    subscription.endpoint = f"https://push.example.net:{port}/push/rebind"
    subscription.save(update_fields=["endpoint"])
    looked_up = _resolves_to(monkeypatch, {"push.example.net": "127.0.0.1"})
    pending = notify(world.owner).deliveries.get(channel="push")

    assert delivery_module.deliver(pending.pk) == AttemptOutcome.FAILED

    assert looked_up == ["push.example.net"]  # resolved by the worker, then refused
    assert push_service.received == []
    pending.refresh_from_db()
    assert pending.status == "failed"
    assert "not public" in pending.attempt_log.get().error


def test_plain_http_is_refused_at_send_time_outside_the_tests_loopback_switch(
    world: World, subscribe, push_service, settings
) -> None:
    settings.PUSH_ALLOW_LOOPBACK = False
    subscribe(world.owner)  # http://127.0.0.1:port/…, the local push service
    pending = notify(world.owner).deliveries.get(channel="push")

    assert delivery_module.deliver(pending.pk) == AttemptOutcome.FAILED
    assert push_service.received == []


def test_the_tests_loopback_switch_lets_the_local_push_service_through(
    world: World, subscribe, push_service
) -> None:
    subscribe(world.owner)
    pending = notify(world.owner).deliveries.get(channel="push")

    assert delivery_module.deliver(pending.pk) == AttemptOutcome.SENT
    assert len(push_service.received) == 1
    assert Delivery.objects.get(pk=pending.pk).status == "sent"


@pytest.mark.parametrize(
    "host", ["[::1]", "::1", "127.0.0.1", "localhost.", "169.254.169.254", "[::ffff:10.0.0.1]"]
)
def test_a_connection_to_a_non_public_literal_or_name_is_refused(
    host: str, monkeypatch: pytest.MonkeyPatch, settings
) -> None:
    settings.PUSH_ALLOW_LOOPBACK = False
    _resolves_to(monkeypatch, {"localhost": "127.0.0.1"})

    with pytest.raises(push_guard.PushEndpointRefused):
        push_guard.checked_address(host, 443)


def test_a_connection_to_a_public_name_goes_to_the_address_that_was_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _resolves_to(monkeypatch, {"fcm.googleapis.com": "142.250.180.10"})

    assert push_guard.checked_address("fcm.googleapis.com.", 443) == "142.250.180.10"
