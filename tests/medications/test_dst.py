"""Schedules across DST changes and time-zone moves, in Europe/Rome and America/New_York."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.careteam import services as careteam_services
from apps.medications.models import ReminderStep, StepStatus
from apps.medications.schedule import (
    Anchor,
    Kind,
    Regimen,
    Unit,
    local_to_utc,
    next_due_after_last_dose,
    occurrences,
    shift_local,
)
from tests.factories import World

from .helpers import daily, local, log_dose, omalizumab, run_beat, sent, utc

DAILY_8 = Regimen(kind=Kind.DAILY, start_date=date(2025, 1, 1), times=(time(8, 0),))
EVERY_4_WEEKS = Regimen(
    kind=Kind.INTERVAL,
    start_date=date(2025, 1, 1),
    times=(time(9, 0),),
    interval=4,
    unit=Unit.WEEKS,
    anchor=Anchor.LAST_DOSE,
)


@pytest.mark.parametrize(
    ("zone", "first_day", "before_utc", "after_utc"),
    [
        ("Europe/Rome", date(2025, 3, 29), 7, 6),  # spring forward on 30 March
        ("Europe/Rome", date(2025, 10, 25), 6, 7),  # fall back on 26 October
        ("America/New_York", date(2025, 3, 8), 13, 12),  # spring forward on 9 March
        ("America/New_York", date(2025, 11, 1), 12, 13),  # fall back on 2 November
    ],
)
def test_a_daily_0800_dose_stays_at_0800_on_the_wall_clock(
    zone: str, first_day: date, before_utc: int, after_utc: int
) -> None:
    tz = ZoneInfo(zone)
    start = local_to_utc(first_day, time(0), tz)
    dues = list(occurrences(DAILY_8, tz, start, start + timedelta(days=3)))
    assert [d.astimezone(tz).strftime("%d %H:%M") for d in dues] == [
        f"{(first_day + timedelta(days=n)).day:02d} 08:00" for n in range(3)
    ]
    assert [d.hour for d in dues] == [before_utc, after_utc, after_utc]


@pytest.mark.parametrize(
    ("zone", "last_dose", "expected_due_utc"),
    [
        # 17:40 CET on 10 March; 28 local days later is 7 April, 09:00 CEST = 07:00 UTC.
        ("Europe/Rome", local("Europe/Rome", 2025, 3, 10, 17, 40), utc(2025, 4, 7, 7, 0)),
        # Across the fall-back change: 09:00 CET on 20 November = 08:00 UTC.
        ("Europe/Rome", local("Europe/Rome", 2025, 10, 23, 9, 5), utc(2025, 11, 20, 8, 0)),
        # 20 February EST → 20 March, 09:00 EDT = 13:00 UTC.
        ("America/New_York", local("America/New_York", 2025, 2, 20, 23, 30), utc(2025, 3, 20, 13)),
        (
            "America/New_York",
            local("America/New_York", 2025, 10, 20, 8, 0),
            utc(2025, 11, 17, 14, 0),
        ),
    ],
)
def test_a_four_weekly_injection_is_due_28_local_days_later_at_the_preferred_time(
    zone, last_dose, expected_due_utc
) -> None:  # type: ignore[no-untyped-def]
    assert next_due_after_last_dose(EVERY_4_WEEKS, ZoneInfo(zone), last_dose) == expected_due_utc


def test_the_local_date_of_the_last_dose_counts_not_the_utc_one() -> None:
    # 23:30 in New York on 20 February is already 21 February in UTC.
    last = local("America/New_York", 2025, 2, 20, 23, 30)
    due = next_due_after_last_dose(EVERY_4_WEEKS, ZoneInfo("America/New_York"), last)
    assert due is not None and due.astimezone(ZoneInfo("America/New_York")).date() == date(
        2025, 3, 20
    )


def test_a_wall_time_that_does_not_exist_moves_past_the_gap() -> None:
    rome = ZoneInfo("Europe/Rome")
    due = local_to_utc(date(2025, 3, 30), time(2, 30), rome)
    assert due == utc(2025, 3, 30, 1, 30)
    assert due.astimezone(rome).strftime("%H:%M") == "03:30"


def test_a_heads_up_two_local_days_before_a_due_after_the_change_keeps_its_wall_time() -> None:
    rome = ZoneInfo("Europe/Rome")
    due = local("Europe/Rome", 2025, 3, 31, 9, 0)
    heads_up = shift_local(due, rome, days=-2)
    assert heads_up.astimezone(rome).strftime("%d %H:%M") == "29 09:00"
    assert due - heads_up == timedelta(hours=47)  # not 48: the night of the change is shorter


@pytest.mark.parametrize(
    ("zone", "days"),
    [
        ("Europe/Rome", (date(2025, 3, 29), date(2025, 4, 1))),
        ("America/New_York", (date(2025, 11, 1), date(2025, 11, 4))),
    ],
)
def test_daily_reminders_fire_at_0800_local_on_both_sides_of_the_change(
    world: World, zone: str, days: tuple[date, date]
) -> None:
    world.patient.time_zone = zone
    world.patient.save(update_fields=["time_zone"])
    first, last = days
    with time_machine.travel(local(zone, first.year, first.month, first.day, 0, 30), tick=False):
        daily(world.patient, world.owner, ["08:00"], start_date=first)
    run_beat(
        local(zone, first.year, first.month, first.day, 1, 0),
        local(zone, last.year, last.month, last.day, 0, 0),
    )
    reminders = [(d, t) for d, t, step, _, _ in sent(zone) if step == "due"]
    assert reminders == [(first + timedelta(days=n), "08:00") for n in range((last - first).days)]
    missed = [(d, t) for d, t, step, _, _ in sent(zone) if step == "missed"]
    assert {t for _, t in missed} == {"10:00"}


@pytest.mark.parametrize("zone", ["Europe/Rome", "America/New_York"])
def test_a_four_weekly_injection_reminder_crosses_the_change(world: World, zone: str) -> None:
    world.patient.time_zone = zone
    world.patient.save(update_fields=["time_zone"])
    # Last dose two weeks before the spring change; due two weeks after it.
    change = date(2025, 3, 30) if zone == "Europe/Rome" else date(2025, 3, 9)
    dose_day = change - timedelta(days=14)
    at = local(zone, dose_day.year, dose_day.month, dose_day.day, 11, 0)
    with time_machine.travel(at, tick=False):
        medication = omalizumab(world.patient, world.owner, start_date=dose_day)
        log_dose(medication, world.owner, at)
    due_day = dose_day + timedelta(days=28)
    run_beat(at + timedelta(hours=1), at + timedelta(days=29))
    assert [(d, t, s) for d, t, s, _, _ in sent(zone)] == [
        (due_day - timedelta(days=2), "09:00", "heads_up"),
        (due_day, "09:00", "due"),
    ]


def test_moving_to_another_time_zone_replans_pending_reminders(world: World) -> None:
    with time_machine.travel(utc(2025, 5, 1, 11), tick=False):
        medication = daily(world.patient, world.owner, ["08:00"], start_date=date(2025, 5, 1))
        step = ReminderStep.objects.get(medication=medication, name="due", status="pending")
        assert step.fire_at == utc(2025, 5, 2, 6, 0)  # 08:00 in Rome (CEST)
        careteam_services.patient_update(patient=world.patient, time_zone="America/New_York")
    medication.refresh_from_db()
    assert medication.planned_time_zone == "America/New_York"
    pending = ReminderStep.objects.get(medication=medication, name="due", status="pending")
    assert pending.fire_at == utc(2025, 5, 1, 12, 0)  # 08:00 in New York, an hour from now
    assert ReminderStep.objects.filter(pk=step.pk, status=StepStatus.CANCELLED).exists()
