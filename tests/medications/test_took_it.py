"""'I took it' on a dose reminder logs that dose on the server and stops the escalation."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from apps.medications.models import DoseLog, ReminderStep, StepStatus
from apps.notifications.models import Notification
from tests.factories import World

from .helpers import local, log_dose, omalizumab, run_beat

ZONE = "Europe/Rome"
pytestmark = pytest.mark.django_db


def test_took_it_on_the_due_reminder_logs_one_dose_and_cancels_the_escalation(
    world: World, client_for
) -> None:
    with time_machine.travel(local(ZONE, 2025, 2, 10, 17, 45), tick=False):
        medication = omalizumab(world.patient, world.owner, start_date=date(2025, 2, 10))
        log_dose(
            medication, world.owner, local(ZONE, 2025, 2, 10, 17, 40), injection_site="thigh_left"
        )
    # Day 28, 09:00: the "due" reminder reaches the owner, with its buttons.
    run_beat(local(ZONE, 2025, 3, 10, 8, 0), local(ZONE, 2025, 3, 10, 10, 0))
    reminder = Notification.objects.get(recipient=world.owner, dedupe_key__endswith=":due")
    assert [a["action"] for a in reminder.actions] == ["took-it", "remind-later"]

    with time_machine.travel(local(ZONE, 2025, 3, 10, 10, 30), tick=False):
        client = client_for(world.owner)
        first = client.post(f"/api/v1/notifications/{reminder.pk}/actions/took-it")
        again = client.post(f"/api/v1/notifications/{reminder.pk}/actions/took-it")
    assert first.status_code == 200, first.json()
    assert again.json()["dose"]["id"] == first.json()["dose"]["id"]
    dose = DoseLog.objects.get(pk=first.json()["dose"]["id"])
    assert (
        dose.status == "taken" and dose.injection_site == "thigh_right"
    )  # rotated from thigh_left
    assert DoseLog.objects.filter(medication=medication).count() == 2
    assert not ReminderStep.objects.filter(
        medication=medication, due_at=local(ZONE, 2025, 3, 10, 9, 0), status=StepStatus.PENDING
    ).exists()
    reminder.refresh_from_db()
    assert reminder.acknowledged_at is not None


def test_a_clinician_is_never_offered_i_took_it(world: World, client_for) -> None:
    with time_machine.travel(local(ZONE, 2025, 2, 10, 17, 45), tick=False):
        medication = omalizumab(world.patient, world.owner, start_date=date(2025, 2, 10))
        log_dose(medication, world.owner, local(ZONE, 2025, 2, 10, 17, 40))
    run_beat(
        local(ZONE, 2025, 3, 20, 8, 0), local(ZONE, 2025, 3, 20, 10, 0)
    )  # day 38: urgent, to everyone
    alert = Notification.objects.filter(recipient=world.clinician).first()
    assert alert is not None
    # Only what a clinician can do: acknowledge it (logging a home dose is the family's).
    assert [a["action"] for a in alert.actions] == ["acknowledge"]
    response = client_for(world.clinician).post(f"/api/v1/notifications/{alert.pk}/actions/took-it")
    assert response.status_code == 400
    assert "action" in response.json()["fields"]
    assert DoseLog.objects.filter(medication=medication).count() == 1


def test_buttons_pressed_by_the_care_team_are_in_the_audit_trail(world: World, client_for) -> None:
    """Issue 13, finding 12: notification actions wrote no audit event, so a caregiver's dose
    logged from a push, or a clinician's acknowledgement, was missing from "Who saw this record".
    The owner's own presses are not audited (the one rule of apps.careteam.access)."""
    from apps.audit.models import AuditEvent

    with time_machine.travel(local(ZONE, 2025, 2, 10, 17, 45), tick=False):
        medication = omalizumab(world.patient, world.owner, start_date=date(2025, 2, 10))
        log_dose(medication, world.owner, local(ZONE, 2025, 2, 10, 17, 40))
    run_beat(local(ZONE, 2025, 3, 20, 8, 0), local(ZONE, 2025, 3, 20, 10, 0))  # day 38: everyone
    to_caregiver = Notification.objects.filter(
        recipient=world.caregiver, dedupe_key__startswith="dose:"
    ).first()
    to_clinician = Notification.objects.filter(
        recipient=world.clinician, dedupe_key__startswith="dose:"
    ).first()
    to_owner = next(  # the dose alert, not the day's check-in reminder
        n
        for n in Notification.objects.filter(recipient=world.owner)
        if "remind-later" in [a["action"] for a in n.actions]
    )
    assert to_caregiver and to_clinician and to_owner
    AuditEvent.objects.all().delete()

    with time_machine.travel(local(ZONE, 2025, 3, 20, 10, 30), tick=False):
        later = client_for(world.owner).post(
            f"/api/v1/notifications/{to_owner.pk}/actions/remind-later"
        )
        took = client_for(world.caregiver).post(
            f"/api/v1/notifications/{to_caregiver.pk}/actions/took-it"
        )
        seen = client_for(world.clinician).post(
            f"/api/v1/notifications/{to_clinician.pk}/acknowledge"
        )
    assert (later.status_code, took.status_code, seen.status_code) == (200, 200, 200)
    events = {
        (e.actor, e.actor_role, e.action, e.resource, e.object_id)
        for e in AuditEvent.objects.filter(patient=world.patient)
    }
    assert events == {
        (world.caregiver, "caregiver", "create", "dose", took.json()["dose"]["id"]),
        (world.clinician, "clinician", "acknowledge", "alert", str(to_clinician.pk)),
    }
    trail = client_for(world.owner).get(f"/api/v1/patients/{world.patient.pk}/audit/").json()
    summaries = {row["summary"] for row in trail["results"]}
    assert {"Added to the doses", "Acknowledged an alert"} <= summaries
