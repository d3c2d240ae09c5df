"""The iCalendar feed: secret, revocable, minimal, never cached."""

from __future__ import annotations

from datetime import date

import time_machine
from django.urls import reverse

from apps.careteam import services as careteam_services
from apps.medications.models import CalendarFeed
from tests.factories import World

from .helpers import daily, local, omalizumab


def _path(url: str) -> str:
    return url[url.index("/cal/") :]


def test_a_phone_calendar_subscribes_to_upcoming_doses(world: World, client_for, anon) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(local("Europe/Rome", 2025, 6, 1, 7, 0), tick=False):
        daily(world.patient, world.owner, ["08:00"], start_date=date(2025, 6, 1))
        omalizumab(world.patient, world.owner, start_date=date(2025, 6, 20))
        feed_url = reverse("medication-calendar-feed", kwargs={"patient_pk": world.patient.pk})
        created = client_for(world.caregiver).post(feed_url)
        assert created.status_code == 201
        path = _path(created.data["url"])
        response = anon.get(path)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        assert "no-store" in response["Cache-Control"]
        body = response.content.decode()
        assert body.count("BEGIN:VEVENT") == 61  # 60 days of a daily pill, one injection
        assert "SUMMARY:Cetirizine" in body and "SUMMARY:Omalizumab" in body
        assert "DTSTART:20250601T060000Z" in body
        assert (
            world.patient.display_name not in body
        )  # the name of the medication and the time only
        # Only the hash is stored.
        token = path.removeprefix("/cal/").removesuffix(".ics")
        assert not CalendarFeed.objects.filter(token_hash=token).exists()
        assert client_for(world.caregiver).get(feed_url).data["active"] is True

        # Regenerating replaces the old URL; revoking kills the new one.
        second = _path(client_for(world.caregiver).post(feed_url).data["url"])
        assert anon.get(path).status_code == 404
        assert anon.get(second).status_code == 200
        assert client_for(world.caregiver).delete(feed_url).status_code == 204
        assert anon.get(second).status_code == 404
        assert anon.get("/cal/not-a-real-token.ics").status_code == 404


def test_the_feed_dies_with_its_owners_access(world: World, client_for, anon) -> None:  # type: ignore[no-untyped-def]
    feed_url = reverse("medication-calendar-feed", kwargs={"patient_pk": world.patient.pk})
    path = _path(client_for(world.caregiver).post(feed_url).data["url"])
    assert anon.get(path).status_code == 200
    careteam_services.membership_revoke(membership=world.membership("caregiver"), by=world.owner)
    assert anon.get(path).status_code == 404
