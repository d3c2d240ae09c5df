"""An anaphylaxis episode logged with epinephrine given alerts the care team like a pen logged
used — the same path (contract C2) — and marks the pens it names used, so readiness and the
two-pen rule stay true. Marking the pen afterwards does not count the dose twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from apps.diary.models import AnaphylaxisEpisode
from apps.epinephrine.models import AutoInjector, PenUse
from apps.notifications.models import Notification
from tests.factories import World

from .helpers import add_pen, local

pytestmark = pytest.mark.django_db
NOW = local(2025, 5, 5, 23, 10)  # late at night: the alert ignores quiet hours


def _pens(world: World) -> tuple[AutoInjector, AutoInjector]:
    with time_machine.travel(local(2025, 5, 1, 12, 0), tick=False):
        return (
            add_pen(world.patient, world.owner, dt.date(2026, 1, 31)),
            add_pen(world.patient, world.owner, dt.date(2026, 3, 31)),
        )


def _episodes(world: World) -> str:
    return f"/api/v1/patients/{world.patient.pk}/anaphylaxis-episodes/"


def _log(client: Any, world: World, **fields: Any) -> Any:
    body = {"onset_at": "2025-05-05T20:50:00Z", "findings": ["resp.wheeze"], **fields}
    with time_machine.travel(NOW, tick=False):
        return client.post(_episodes(world), body, format="json")


def _alerts() -> list[tuple[str, str]]:
    return sorted(
        (n.recipient.email, n.urgency)
        for n in Notification.objects.filter(urgency="urgent").select_related("recipient")
    )


def test_an_episode_with_epinephrine_alerts_owners_and_caregivers_at_once(
    world: World, client_for: Any
) -> None:
    pen, _ = _pens(world)
    response = _log(client_for(world.caregiver), world, epinephrine_doses=1, pen_ids=[str(pen.pk)])
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["pens_used"] == [str(pen.pk)]
    assert body["unmarked_epinephrine_doses"] == 0
    # The owner hears at once (the caregiver logged it); no clinician, no former member.
    assert _alerts() == [(world.owner.email, "urgent")]
    alert = Notification.objects.get(recipient=world.owner, urgency="urgent")
    assert alert.category == "pen_used"
    assert "logged it at 22:50." in alert.body  # the owner lives in the patient's zone
    assert [a["action"] for a in alert.actions] == ["acknowledge"]
    # The owners are reminded to replace the pen; it no longer counts as ready.
    assert Notification.objects.filter(recipient=world.owner, dedupe_key__endswith=":replace")
    assert AutoInjector.objects.get(pk=pen.pk).state == "used"
    with time_machine.travel(NOW, tick=False):
        pens = client_for(world.owner).get(f"/api/v1/patients/{world.patient.pk}/pens/")
        rows = client_for(world.clinician).get("/api/v1/clinic/patients/").json()["results"]
    ready = [p for p in pens.json() if p["state"] == "in_use"]
    assert len(ready) == 1
    assert "pens_missing" in {f["code"] for f in rows[0]["flags"]}  # the two-pen rule


def test_marking_the_pen_later_does_not_count_the_dose_twice_nor_alert_twice(
    world: World, client_for: Any
) -> None:
    world.caregiver.time_zone = "America/New_York"  # away: times carry the patient's zone
    world.caregiver.save(update_fields=["time_zone"])
    pen, spare = _pens(world)
    owner = client_for(world.owner)
    response = _log(owner, world, epinephrine_doses=1)
    assert response.status_code == 201, response.json()
    episode_id = response.json()["id"]
    assert response.json()["pens_used"] == []
    assert response.json()["unmarked_epinephrine_doses"] == 1
    assert _alerts() == [(world.caregiver.email, "urgent")]  # at once, before any pen
    alert = Notification.objects.get(recipient=world.caregiver, urgency="urgent")
    assert "logged it at 22:50 (Europe/Rome)." in alert.body

    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        used = owner.post(
            f"/api/v1/patients/{world.patient.pk}/pens/{pen.pk}/use/",
            {"episode_id": episode_id, "used_at": "2025-05-05T20:50:00Z"},
            format="json",
        )
        episode = owner.get(f"{_episodes(world)}{episode_id}/").json()
    assert used.status_code == 201, used.json()
    assert used.json()["caregivers_alerted"] == 1
    assert AnaphylaxisEpisode.objects.get(pk=episode_id).epinephrine_doses == 1
    assert (episode["pens_used"], episode["unmarked_epinephrine_doses"]) == ([str(pen.pk)], 0)
    assert _alerts() == [(world.caregiver.email, "urgent")]  # the same alert, once

    # A second pen for the same episode is a second dose.
    with time_machine.travel(NOW + dt.timedelta(minutes=15), tick=False):
        owner.post(
            f"/api/v1/patients/{world.patient.pk}/pens/{spare.pk}/use/",
            {"episode_id": episode_id},
            format="json",
        )
    assert AnaphylaxisEpisode.objects.get(pk=episode_id).epinephrine_doses == 2


def test_pens_that_cannot_be_marked_are_refused_with_a_field_error(
    world: World, client_for: Any
) -> None:
    pen, spare = _pens(world)
    with time_machine.travel(local(2025, 5, 1, 12, 0), tick=False):
        theirs = add_pen(world.strangers_patient, world.stranger, dt.date(2026, 1, 31))
    client = client_for(world.owner)
    missing = "00000000-0000-4000-8000-000000000000"
    for pen_ids in ([str(theirs.pk)], [missing]):
        response = _log(client, world, epinephrine_doses=1, pen_ids=pen_ids)
        assert response.status_code == 400, response.json()
        # Another patient's pen reads exactly like one that does not exist.
        assert response.json()["fields"]["pen_ids"] == [
            f"{pen_ids[0]}: no such pen on this patient's list."
        ]
    too_many = _log(client, world, epinephrine_doses=1, pen_ids=[str(pen.pk), str(spare.pk)])
    assert too_many.status_code == 400
    assert "pen_ids" in too_many.json()["fields"]
    assert not AnaphylaxisEpisode.objects.exists()
    assert not PenUse.objects.exists()
    assert not Notification.objects.exists()
    assert AutoInjector.objects.get(pk=theirs.pk).state == "in_use"


def test_an_episode_without_epinephrine_alerts_nobody(world: World, client_for: Any) -> None:
    _pens(world)
    response = _log(client_for(world.owner), world, epinephrine_doses=0)
    assert response.status_code == 201
    assert response.json()["unmarked_epinephrine_doses"] == 0
    assert not Notification.objects.exists()
