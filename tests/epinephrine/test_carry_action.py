"""Answering the carry check from the notification's button, without opening the app."""

from __future__ import annotations

import pytest

from apps.epinephrine.models import CarryCheck, carry_source_key
from apps.notifications import services as notifications
from apps.notifications.models import Urgency
from tests.factories import World
from tests.notifications.helpers import acknowledged

pytestmark = pytest.mark.django_db


def carry_prompt(world: World, recipient):  # type: ignore[no-untyped-def]
    source = carry_source_key(world.patient.pk, world.patient.local_today())
    return notifications.notify(
        recipient=recipient,
        patient=world.patient,
        category="carry_check",
        urgency=Urgency.NORMAL,
        dedupe_key=source,
        source_key=source,
        title="Carry check",
        body="Does Sam have 2 auto-injectors today?",
        actions=[{"action": "have-pens", "title": "Yes, 2 pens"}],
    )


def test_have_pens_answers_todays_check_and_stops_the_prompts(world: World, client_for) -> None:
    prompt = carry_prompt(world, world.caregiver)
    response = client_for(world.caregiver).post(
        f"/api/v1/notifications/{prompt.pk}/actions/have-pens"
    )
    assert response.status_code == 200, response.json()
    check = CarryCheck.objects.get(patient=world.patient)
    assert (check.local_date, check.pens_with_me) == (world.patient.local_today(), 2)
    assert acknowledged(source_key=prompt.source_key)
    # Pressing it again (a second device) changes nothing more.
    assert (
        client_for(world.caregiver)
        .post(f"/api/v1/notifications/{prompt.pk}/actions/have-pens")
        .status_code
        == 200
    )
    assert CarryCheck.objects.filter(patient=world.patient).count() == 1


def test_a_clinician_cannot_answer_for_the_patient(world: World, client_for) -> None:
    prompt = carry_prompt(world, world.clinician)
    response = client_for(world.clinician).post(
        f"/api/v1/notifications/{prompt.pk}/actions/have-pens"
    )
    assert response.status_code == 403
    assert not CarryCheck.objects.exists()
