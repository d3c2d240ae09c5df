"""Shared fixtures: named people around one patient, API clients, and the service gate.

Tests that need a real service carry a marker (`postgres`, `redis`, `browser`). Locally they skip
with a reason starting `needs-service:`; with MASTLINE_REQUIRE_SERVICES=1 (set by .ci/run) a
missing service fails the test instead, so CI can never go green by skipping them.
"""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import World, build_world, login_verified

REQUIRE_SERVICES = os.environ.get("MASTLINE_REQUIRE_SERVICES") == "1"


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
