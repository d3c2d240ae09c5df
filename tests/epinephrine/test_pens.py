"""Pens: what is accepted, the expired state derived in the patient's zone, the two-pen rule."""

from __future__ import annotations

import datetime as dt
import uuid

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import World

from .helpers import add_pen, local, pens_url


def test_a_pen_is_added_with_its_details(world: World, client_for) -> None:
    with time_machine.travel(local(2025, 5, 1, 12, 0), tick=False):
        pen_id = str(uuid.uuid4())
        body = {
            "id": pen_id,
            "brand": "EpiPen",
            "dose_mg": "0.3",
            "lot": "AB123",
            "expires_on": "2026-01-31",
            "location": "Backpack",
        }
        response = client_for(world.caregiver).post(pens_url(world.patient), body)
        assert response.status_code == 201, response.data
        assert response.data["status"] == "in_use"
        assert response.data["days_until_expiry"] == 275
        # Sent again from the phone's outbox: stored once.
        again = client_for(world.caregiver).post(pens_url(world.patient), body)
        assert again.status_code == 200
        assert again.data["id"] == pen_id


def test_bad_pens_are_refused_with_clear_errors(world: World, client_for) -> None:
    client = client_for(world.owner)
    with time_machine.travel(local(2025, 5, 1, 12, 0), tick=False):
        past = client.post(pens_url(world.patient), {"dose_mg": "0.3", "expires_on": "2025-04-30"})
        assert past.status_code == 400
        assert "expires_on" in past.data["fields"]
        dose = client.post(pens_url(world.patient), {"dose_mg": "0.4", "expires_on": "2026-01-01"})
        assert dose.status_code == 400
        assert "dose_mg" in dose.data["fields"]
        used = client.post(
            pens_url(world.patient),
            {"dose_mg": "0.3", "expires_on": "2026-01-01", "state": "used"},
        )
        assert used.status_code == 400
        assert "state" in used.data["fields"]


def test_a_pen_past_its_expiry_date_counts_as_expired_in_the_patients_zone(
    world: World,
    client_for,
) -> None:
    with time_machine.travel(local(2025, 3, 1, 12, 0), tick=False):
        add_pen(world.patient, world.owner, dt.date(2025, 3, 10))
        add_pen(world.patient, world.owner, dt.date(2025, 9, 1))
    client = client_for(world.clinician)
    # 23:30 in Rome on the expiry date: still good.
    with time_machine.travel(local(2025, 3, 10, 23, 30), tick=False):
        ready = client.get(pens_url(world.patient, "readiness")).data
        assert ready["ready_pens"] == 2
        assert ready["two_pen_rule_met"] is True
        assert ready["next_expiry"] == "2025-03-10"
    # Half an hour later in Rome (still the 10th in UTC) it has expired.
    with time_machine.travel(local(2025, 3, 11, 0, 30), tick=False):
        ready = client.get(pens_url(world.patient, "readiness")).data
        assert ready == {
            "ready_pens": 1,
            "pens_needed": 2,
            "two_pen_rule_met": False,
            "next_expiry": "2025-09-01",
            "local_date": "2025-03-11",
        }
        pens = client.get(pens_url(world.patient)).data
        assert [p["status"] for p in pens] == ["expired", "in_use"]
        assert [p["state"] for p in pens] == ["in_use", "in_use"]  # nobody marked it


def test_a_discarded_pen_does_not_count_and_a_used_one_cannot_come_back(
    world: World,
    client_for,
) -> None:
    client = client_for(world.owner)
    with time_machine.travel(local(2025, 3, 1, 12, 0), tick=False):
        pen = add_pen(world.patient, world.owner, dt.date(2025, 9, 1))
        response = client.patch(
            pens_url(world.patient, str(pen.pk)), {"state": "discarded", "version": pen.version}
        )
        assert response.status_code == 200, response.data
        assert client.get(pens_url(world.patient, "readiness")).data["ready_pens"] == 0
        used = add_pen(world.patient, world.owner, dt.date(2025, 9, 1))
        assert client.post(pens_url(world.patient, str(used.pk), "use"), {}).status_code == 201
        used.refresh_from_db()
        back = client.patch(
            pens_url(world.patient, str(used.pk)), {"state": "in_use", "version": used.version}
        )
        assert back.status_code == 400
        assert "state" in back.data["fields"]


def test_listing_pens_costs_the_same_whatever_their_number(
    world: World,
    client_for,
    django_assert_num_queries,
) -> None:
    client = client_for(world.clinician)
    with time_machine.travel(local(2025, 3, 1, 12, 0), tick=False):
        add_pen(world.patient, world.owner, dt.date(2025, 9, 1))
        client.get(pens_url(world.patient))  # warm the session
        with CaptureQueriesContext(connection) as one:
            assert len(client.get(pens_url(world.patient)).data) == 1
        for _ in range(6):
            add_pen(world.patient, world.owner, dt.date(2025, 9, 1))
        with django_assert_num_queries(len(one.captured_queries)):
            assert len(client.get(pens_url(world.patient)).data) == 7
