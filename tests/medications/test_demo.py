"""The demo medications load, and loading them twice changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.medications.models import DoseLog, Medication, ReminderStep
from apps.ops.demo import load_demo


def _counts() -> tuple[int, int, int]:
    return Medication.objects.count(), DoseLog.objects.count(), ReminderStep.objects.count()


@pytest.mark.django_db
def test_the_demo_loads_once() -> None:
    load_demo()
    first = _counts()
    load_demo()
    assert _counts() == first
    assert first[:2] == (6, 1)
    leo = Medication.objects.get(name="Omalizumab")
    assert leo.next_dose_due_at is not None  # about 8 days from now
    # The last dose (about 20 days ago) is filed under its own day, not under today.
    dose = DoseLog.objects.get(medication=leo)
    zone = leo.patient.zone
    assert dose.scheduled_for is not None
    assert dose.scheduled_for.astimezone(zone).date() == dose.taken_at.astimezone(zone).date()
    assert leo.next_dose_due_at.astimezone(zone).date() == (
        dose.taken_at.astimezone(zone).date() + timedelta(days=28)
    )
