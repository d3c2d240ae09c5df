"""The case that drives the alerting, replayed minute-exact in the patient's zone.

A child on omalizumab every 4 weeks missed a dose; symptoms came back 6 weeks (day 42) after the
last injection. With the default policy and nothing logged after day 0, the owner, then the
caregivers, then everyone including the clinician must hear about it on the exact local days of
docs/alerts.md — and a revoked former caregiver never.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from apps.medications.models import MedicationAlertFlag, ReminderStep, StepStatus
from apps.notifications.models import Notification
from tests.factories import World

from .helpers import local, log_dose, omalizumab, run_beat, sent

ZONE = "Europe/Rome"
# Day 0: the last injection, given at 17:40 local. Day 49 (31 March 2025) is after the spring
# DST change of 30 March: the last relapse-watch prompts must still come at 09:00 local.
DAY0 = date(2025, 2, 10)


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


@pytest.fixture
def injected(world: World):  # type: ignore[no-untyped-def]
    # Entered in the app right after the injection at the clinic, on day 0.
    with time_machine.travel(local(ZONE, 2025, 2, 10, 17, 45), tick=False):
        medication = omalizumab(world.patient, world.owner, start_date=DAY0)
        log_dose(
            medication,
            world.owner,
            local(ZONE, 2025, 2, 10, 17, 40),
            injection_site="thigh_left",
        )
    medication.refresh_from_db()
    assert medication.next_dose_due_at == local(ZONE, 2025, 3, 10, 9, 0)  # day 28, 09:00
    return medication


def test_the_case_alerts_on_the_exact_days_to_the_exact_people(world: World, injected) -> None:  # type: ignore[no-untyped-def]
    run_beat(local(ZONE, 2025, 2, 10, 18, 0), local(ZONE, 2025, 4, 10, 0, 0))

    owner, carer, doctor = world.owner.email, world.caregiver.email, world.clinician.email
    expected = [
        (day(26), "09:00", "heads_up", owner, "normal"),
        (day(28), "09:00", "due", owner, "normal"),
        (day(31), "09:00", "overdue", owner, "high"),
        (day(31), "09:00", "relapse_watch:d+03", owner, "normal"),
        *[
            (day(n), "09:00", f"relapse_watch:d+{n - 28:02d}", owner, "normal")
            for n in (32, 33, 34)
        ],
        (day(35), "09:00", "caregivers", carer, "high"),
        (day(35), "09:00", "caregivers", owner, "high"),
        (day(35), "09:00", "relapse_watch:d+07", owner, "normal"),
        *[(day(n), "09:00", f"relapse_watch:d+{n - 28:02d}", owner, "normal") for n in (36, 37)],
        (day(38), "09:00", "relapse_watch:d+10", owner, "normal"),
        (day(38), "09:00", "urgent", carer, "urgent"),
        (day(38), "09:00", "urgent", doctor, "urgent"),
        (day(38), "09:00", "urgent", owner, "urgent"),
        *[
            (day(n), "09:00", f"relapse_watch:d+{n - 28:02d}", owner, "normal")
            for n in range(39, 50)
        ],
    ]
    assert sorted(sent(ZONE)) == sorted(expected)
    assert day(38) == date(2025, 3, 20) and day(42) - day(38) == timedelta(days=4)
    assert not Notification.objects.filter(recipient__in=[world.revoked, world.stranger]).exists()
    flag = MedicationAlertFlag.objects.get(medication=injected)
    assert flag.cleared_at is None and flag.raised_at == local(ZONE, 2025, 3, 20, 9, 0)


def test_a_dose_logged_on_day_30_stops_every_later_step(world: World, injected) -> None:  # type: ignore[no-untyped-def]
    run_beat(local(ZONE, 2025, 2, 10, 18, 0), local(ZONE, 2025, 3, 12, 12, 0))
    before = set(sent(ZONE))
    assert {s[2] for s in before} == {"heads_up", "due"}

    with time_machine.travel(local(ZONE, 2025, 3, 12, 12, 30), tick=False):
        log_dose(injected, world.caregiver, local(ZONE, 2025, 3, 12, 12, 15), given_by="caregiver")
    run_beat(local(ZONE, 2025, 3, 12, 13, 0), local(ZONE, 2025, 4, 5, 0, 0))

    assert set(sent(ZONE)) == before  # nothing after day 30
    old_due = local(ZONE, 2025, 3, 10, 9, 0)
    leftover = ReminderStep.objects.filter(medication=injected, due_at=old_due)
    assert not leftover.filter(status=StepStatus.PENDING).exists()
    assert leftover.filter(status=StepStatus.CANCELLED).count() == 22  # 3 escalations + 19 prompts
    # The notifications already sent about the missed occurrence are resolved.
    assert not Notification.objects.filter(resolved_at__isnull=True).exists()
    injected.refresh_from_db()
    # The next one is 28 local days after the dose actually given (day 30), at 09:00.
    assert injected.next_dose_due_at == local(ZONE, 2025, 4, 9, 9, 0)
