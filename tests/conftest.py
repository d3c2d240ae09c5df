"""Shared fixtures: named people around one patient, API clients, and the service gate.

Tests that need a real service carry a marker (`postgres`, `redis`, `browser`). Locally they skip
with a reason starting `needs-service:`; with MASTLINE_REQUIRE_SERVICES=1 (set by .ci/run) a
missing service fails the test instead, so CI can never go green by skipping them.

The clock: with MASTLINE_TEST_NOW set to an ISO instant (e.g. 2027-03-28T00:30:00Z), every test
starts with the clock at that instant, ticking (time_machine, which patches the whole process, so
the live_server thread too; tests/browser/conftest.py sets the pages' clock to match). `.ci/run`
runs the suite once on the real clock and once pinned at a hostile hour, so a test that depends on
the hour it runs at fails in CI, whatever the hour.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from tests.clock import PINNED_NOW
from tests.factories import World, build_world, login_verified

REQUIRE_SERVICES = os.environ.get("MASTLINE_REQUIRE_SERVICES") == "1"


def pytest_report_header() -> str | None:
    if PINNED_NOW is None:
        return None
    return f"clock pinned at {PINNED_NOW.isoformat().replace('+00:00', 'Z')}"


@pytest.fixture(autouse=True)
def _pinned_clock() -> Iterator[None]:
    """Every test starts at MASTLINE_TEST_NOW (when set), the clock ticking from there. Autouse,
    so it is in place before the test's own fixtures build data relative to "now"; a test's own
    time_machine.travel nests inside it."""
    if PINNED_NOW is None:
        yield
        return
    with time_machine.travel(PINNED_NOW, tick=True):
        yield


def service_unavailable(reason: str) -> None:
    message = f"needs-service: {reason}"
    if REQUIRE_SERVICES:
        pytest.fail(
            message + " (MASTLINE_REQUIRE_SERVICES=1: CI must not skip this)", pytrace=False
        )
    pytest.skip(message)


def redis_available() -> str | None:
    url = os.environ.get("REDIS_URL")
    if not url:
        return None
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        return None
    return url


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        service_unavailable("PostgreSQL (set DATABASE_URL=postgres://…)")
    if item.get_closest_marker("redis") and redis_available() is None:
        service_unavailable("Redis (set REDIS_URL=redis://… to a running server)")


@pytest.fixture
def private_redis():  # type: ignore[no-untyped-def]
    """A `redis-server` of this test's own (tests/realstack.py), which it may restart; this
    process's Celery app publishes to it meanwhile."""
    from tests import realstack

    if not realstack.PrivateRedis.available():
        service_unavailable("redis-server on PATH (a private Redis for real workers)")
    with realstack.private_redis() as redis:
        yield redis


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Throttle counters live in the cache; one test's sign-ins must not throttle the next.
    cache.clear()


@pytest.fixture
def world(db: None) -> World:
    """Sam's record with an owner (parent), a caregiver, a clinician, a revoked former caregiver,
    and a stranger who owns a record of their own."""
    return build_world()


@pytest.fixture
def client_for():
    """client_for(user) -> an APIClient signed in with a session (None: anonymous), past the
    second factor when the user has TOTP (tests.factories.login_verified)."""

    def make(user):  # type: ignore[no-untyped-def]
        client = APIClient()
        if user is not None:
            login_verified(client, user)
        return client

    return make


@pytest.fixture
def anon() -> APIClient:
    return APIClient()
