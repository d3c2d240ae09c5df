"""After a pen is used: the dose, the episode, the urgent alert to the caregivers (through
quiet hours), the reminder to replace the pen — in one step, exactly once."""

from __future__ import annotations

import datetime as dt

import time_machine

from apps.diary.models import AnaphylaxisEpisode
from apps.epinephrine.models import AutoInjector, PenUse
from apps.medications import services as medication_services
from apps.medications.models import DoseLog
from apps.notifications import services as notification_services
from apps.notifications.models import Delivery, Notification
from tests.factories import World

from .helpers import add_pen, local

NOW = local(2025, 5, 5, 23, 10)  # late at night: everyone's quiet hours


def _use_url(world: World, pen: AutoInjector) -> str:
    return f"/api/v1/patients/{world.patient.pk}/pens/{pen.pk}/use/"


def _pens(world: World) -> tuple[AutoInjector, AutoInjector]:
    with time_machine.travel(local(2025, 5, 1, 12, 0), tick=False):
        return (
            add_pen(world.patient, world.owner, dt.date(2026, 1, 31)),
            add_pen(world.patient, world.owner, dt.date(2026, 3, 31)),
        )


def test_logging_a_use_opens_an_episode_and_alerts_the_caregivers_at_once(
    world: World,
    client_for,
) -> None:
    pen, _ = _pens(world)
    notification_services.preferences_update(
        user=world.caregiver, quiet_hours=(dt.time(22, 0), dt.time(7, 0))
    )
    with time_machine.travel(NOW, tick=False):
        response = client_for(world.owner).post(
            _use_url(world, pen), {"used_at": "2025-05-05T21:05:00Z", "note": "wasp sting"}
        )
    assert response.status_code == 201, response.data
    assert "emergency services" in response.data["instructions"][0]
    assert any("Replace" in line for line in response.data["instructions"])
    assert response.data["pen"]["state"] == "used"
    assert response.data["readiness"]["ready_pens"] == 1
    assert response.data["readiness"]["two_pen_rule_met"] is False
    assert response.data["caregivers_alerted"] == 1
    assert response.data["dose_log_id"] is None  # no epinephrine medication is tracked

    episode = AnaphylaxisEpisode.objects.get(pk=response.data["episode_id"])
    assert episode.epinephrine_doses == 1
    assert episode.onset_at == dt.datetime(2025, 5, 5, 21, 5, tzinfo=dt.UTC)
    use = PenUse.objects.get()
    assert (use.pen_id, use.episode_id, use.dose_mg, use.note) == (
        pen.pk,
        episode.pk,
        "0.3",
        "wasp sting",
    )

    alert = Notification.objects.get(recipient=world.caregiver)
    assert (alert.category, alert.urgency) == ("pen_used", "urgent")
    # Urgent: not held back by the caregiver's quiet hours.
    assert {d.not_before for d in Delivery.objects.filter(notification=alert)} == {NOW}
    # The owner logged it: no alert to themselves, but the reminder to replace the pen.
    mine = Notification.objects.get(recipient=world.owner)
    assert mine.dedupe_key.endswith(":replace")
    assert "Replace" in mine.title
    assert not Notification.objects.filter(recipient__in=[world.clinician, world.revoked]).exists()


def test_a_use_logged_by_a_caregiver_alerts_the_owner(world: World, client_for) -> None:
    pen, _ = _pens(world)
    with time_machine.travel(NOW, tick=False):
        assert client_for(world.caregiver).post(_use_url(world, pen), {}).status_code == 201
    owner = {n.urgency for n in Notification.objects.filter(recipient=world.owner)}
    assert owner == {"urgent", "high"}  # the alert, and the reminder to replace the pen
    assert not Notification.objects.filter(recipient=world.caregiver).exists()


def test_a_second_pen_joins_the_same_episode(world: World, client_for) -> None:
    first, second = _pens(world)
    client = client_for(world.owner)
    with time_machine.travel(NOW, tick=False):
        episode_id = client.post(_use_url(world, first), {}).data["episode_id"]
    with time_machine.travel(NOW + dt.timedelta(minutes=10), tick=False):
        response = client.post(_use_url(world, second), {"episode_id": episode_id})
    assert response.status_code == 201, response.data
    assert response.data["episode_id"] == episode_id
    assert AnaphylaxisEpisode.objects.get().epinephrine_doses == 2
    assert response.data["readiness"]["ready_pens"] == 0


def test_an_episode_of_another_patient_is_refused(world: World, client_for) -> None:
    pen, _ = _pens(world)
    other = AnaphylaxisEpisode.objects.create(patient=world.strangers_patient, onset_at=NOW)
    with time_machine.travel(NOW, tick=False):
        response = client_for(world.owner).post(_use_url(world, pen), {"episode_id": str(other.pk)})
    assert response.status_code == 400
    assert "episode_id" in response.data["fields"]
    assert AutoInjector.objects.get(pk=pen.pk).state == "in_use"  # nothing happened


def test_the_dose_goes_into_the_dose_log_when_epinephrine_is_a_medication(
    world: World,
    client_for,
) -> None:
    pen, _ = _pens(world)
    with time_machine.travel(local(2025, 5, 1, 12, 0), tick=False):
        medication = medication_services.medication_create(
            patient=world.patient,
            created_by=world.owner,
            name="Epinephrine auto-injector",
            drug_class="epinephrine",
            route="intramuscular",
            start_date=dt.date(2025, 1, 1),
            regimen_kind="as_needed",
        )
    with time_machine.travel(NOW, tick=False):
        response = client_for(world.caregiver).post(_use_url(world, pen), {})
    dose = DoseLog.objects.get()
    assert str(dose.pk) == response.data["dose_log_id"]
    assert (dose.medication_id, dose.given_by, dose.taken_at) == (medication.pk, "caregiver", NOW)


def test_a_pen_is_used_once_and_an_offline_retry_gets_the_first_answer(
    world: World,
    client_for,
) -> None:
    pen, _ = _pens(world)
    client = client_for(world.owner)
    headers = {"Idempotency-Key": "use-1"}
    with time_machine.travel(NOW, tick=False):
        first = client.post(_use_url(world, pen), {"note": "x"}, headers=headers)
        replay = client.post(_use_url(world, pen), {"note": "x"}, headers=headers)
        again = client.post(_use_url(world, pen), {"note": "x"})
    assert first.status_code == replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["episode_id"] == first.data["episode_id"]
    assert again.status_code == 400
    assert "already" in again.data["fields"]["pen"][0]
    assert AnaphylaxisEpisode.objects.count() == PenUse.objects.count() == 1
    assert Notification.objects.filter(urgency="urgent").count() == 1


def test_a_use_in_the_future_is_refused(world: World, client_for) -> None:
    pen, _ = _pens(world)
    with time_machine.travel(NOW, tick=False):
        response = client_for(world.owner).post(
            _use_url(world, pen), {"used_at": (NOW + dt.timedelta(hours=1)).isoformat()}
        )
    assert response.status_code == 400
    assert "used_at" in response.data["fields"]
