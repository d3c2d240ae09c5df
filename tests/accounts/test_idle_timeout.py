"""A clinician's session ends after CLINICIAN_IDLE_TIMEOUT_MINUTES without a request; other
sessions last SESSION_COOKIE_AGE as before (issue 7)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import override_settings
from rest_framework.test import APIClient

from apps.accounts import totp
from apps.accounts.otp import SESSION_CLINICIAN, SESSION_LAST_ACTIVITY
from tests.factories import CLINICIAN_TOTP_SECRET, PASSWORD, World

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, 0, tzinfo=dt.UTC)


def minutes(n: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


def signed_in(world: World, persona: str) -> APIClient:
    """Signs in through the API as a person would, passing TOTP where the account has it."""
    user = getattr(world, persona)
    client = APIClient()
    response = client.post(
        "/api/v1/auth/login", {"email": user.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    if response.json()["totp_required"]:
        code = totp.totp(CLINICIAN_TOTP_SECRET, T0.timestamp())
        verified = client.post("/api/v1/auth/totp/verify", {"code": code}, format="json")
        assert verified.status_code == 200
    return client


def test_a_clinician_session_ends_after_15_idle_minutes(world: World) -> None:
    url = f"/api/v1/patients/{world.patient.pk}/"
    with time_machine.travel(T0, tick=False) as clock:
        client = signed_in(world, "clinician")
        assert client.get(url).status_code == 200
        clock.move_to(minutes(14))
        assert client.get(url).status_code == 200  # 14 quiet minutes: still signed in
        clock.move_to(minutes(14 + 14))
        assert client.get("/api/v1/auth/me").status_code == 200  # any request counts
        clock.move_to(minutes(28 + 16))
        expired = client.get(url)
        assert expired.status_code == 401
        assert expired.json()["code"] == "not_authenticated"
        # Signed out for good, not just for one request.
        assert client.get("/api/v1/auth/me").status_code == 401
        assert SESSION_CLINICIAN not in client.session


def test_an_owner_session_is_not_cut_short(world: World) -> None:
    url = f"/api/v1/patients/{world.patient.pk}/"
    with time_machine.travel(T0, tick=False) as clock:
        client = signed_in(world, "owner")
        clock.move_to(minutes(16))
        assert client.get(url).status_code == 200
        clock.move_to(minutes(16 + 60 * 24))
        assert client.get(url).status_code == 200
        assert SESSION_LAST_ACTIVITY not in client.session  # nothing written for them


def test_activity_is_written_at_most_once_a_minute(world: World) -> None:
    url = f"/api/v1/patients/{world.patient.pk}/"
    with time_machine.travel(T0, tick=False) as clock:
        client = signed_in(world, "clinician")
        assert client.session[SESSION_LAST_ACTIVITY] == T0.timestamp()
        clock.move_to(minutes(0.5))
        client.get(url)
        assert client.session[SESSION_LAST_ACTIVITY] == T0.timestamp()
        clock.move_to(minutes(1.5))
        client.get(url)
        assert client.session[SESSION_LAST_ACTIVITY] == minutes(1.5).timestamp()


def test_a_session_that_becomes_a_clinicians_starts_the_clock(world: World, client_for) -> None:
    """Signed in before the rule existed (or before accepting a clinician invitation): the first
    clinician access starts the idle clock."""
    url = f"/api/v1/patients/{world.patient.pk}/"
    with time_machine.travel(T0, tick=False) as clock:
        client = client_for(world.clinician)
        session = client.session
        session.pop(SESSION_CLINICIAN)
        session.pop(SESSION_LAST_ACTIVITY)
        session.save()
        assert client.get(url).status_code == 200
        assert client.session[SESSION_CLINICIAN] is True
        clock.move_to(minutes(16))
        assert client.get(url).status_code == 401


@override_settings(CLINICIAN_IDLE_TIMEOUT_MINUTES=5)
def test_the_timeout_is_a_setting(world: World) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        client = signed_in(world, "clinician")
        clock.move_to(minutes(6))
        assert client.get("/api/v1/auth/me").status_code == 401
