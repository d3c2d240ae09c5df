"""The one alert pipeline: one beat entry and one claim loop fire every kind of planned alert
(missed-dose steps, pen expiry, carry checks); one hook replans every kind on a zone change; the
old per-app scans and signal modules are gone; two concurrent scans on PostgreSQL send each alert
of every kind once."""

from __future__ import annotations

import datetime as dt
import importlib.util
import threading
from collections import Counter

import pytest
import time_machine
from django.conf import settings
from django.db import connections
from django.utils.module_loading import import_string

from apps.alerts import registry
from apps.alerts.tasks import scan_due
from apps.epinephrine import services as epinephrine_services
from apps.epinephrine.models import Reminder, ReminderKind, ReminderStatus
from apps.medications.models import ReminderStep, StepStatus
from apps.notifications.models import Notification
from tests.epinephrine.helpers import add_pen
from tests.factories import World
from tests.medications.helpers import daily, local

ZONE = "Europe/Rome"
ALERT_TASKS = ("apps.alerts.", "apps.medications.", "apps.epinephrine.")


def _alert_entries() -> list[str]:
    return [
        str(entry["task"])
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if str(entry["task"]).startswith(ALERT_TASKS)
    ]


def test_one_beat_entry_fires_every_kind() -> None:
    assert _alert_entries() == ["apps.alerts.tasks.scan_due_alerts"]
    assert {h.kind for h in registry.handlers()} == {"dose_step", "epinephrine"}


def test_the_old_scans_and_signal_modules_are_gone() -> None:
    from apps.epinephrine import tasks as epinephrine_tasks
    from apps.medications import tasks as medication_tasks

    assert importlib.util.find_spec("apps.medications.signals") is None
    assert importlib.util.find_spec("apps.epinephrine.signals") is None
    # The task paths stay importable, as thin aliases of the one scan: no loop of their own.
    for module in (medication_tasks, epinephrine_tasks):
        assert not hasattr(module, "scan_due_steps") and not hasattr(module, "_fire_batch")
        assert not hasattr(module, "BATCH_SIZE") and not hasattr(module, "RETRY_FAILED_AFTER")


def _due_of_both_kinds(world: World) -> None:
    with time_machine.travel(local(ZONE, 2025, 5, 30, 12, 0), tick=False):
        daily(world.patient, world.owner, ["09:00"], start_date=dt.date(2025, 5, 31))
        add_pen(world.patient, world.owner, dt.date(2025, 6, 30))  # 30 days: 31 May, 09:00
        epinephrine_services.carry_settings_save(
            patient=world.patient,
            enabled=True,
            local_time=dt.time(9, 0),
            again_after_minutes=180,
        )


@pytest.mark.parametrize(
    "task",
    [
        "apps.alerts.tasks.scan_due_alerts",
        "apps.medications.tasks.scan_due_reminders",
        "apps.epinephrine.tasks.scan_due_epinephrine_reminders",
    ],
)
def test_one_scan_fires_dose_steps_pen_expiry_and_carry_checks_together(
    world: World, task: str
) -> None:
    _due_of_both_kinds(world)
    with time_machine.travel(local(ZONE, 2025, 5, 31, 9, 0), tick=False):
        fired = import_string(task)()
    assert fired == 3
    categories = Counter(Notification.objects.values_list("category", flat=True))
    # The dose reminder to the owner; the pen and the carry check to owner and caregiver.
    assert categories == {"dose_reminder": 1, "pen_expiry": 2, "carry_check": 2}
    # What follows a send is the kind's own rule: the carry check's second prompt is queued.
    assert Reminder.objects.filter(
        kind=ReminderKind.CARRY_AGAIN, status=ReminderStatus.PENDING
    ).exists()


def test_a_zone_change_moves_the_pending_alerts_of_every_kind(world: World) -> None:
    _due_of_both_kinds(world)
    with time_machine.travel(local(ZONE, 2025, 5, 30, 13, 0), tick=False):
        world.patient.time_zone = "America/New_York"
        world.patient.save(update_fields=["time_zone"])
    ny = "America/New_York"
    step = ReminderStep.objects.get(
        name="due", status=StepStatus.PENDING, due_at__date=dt.date(2025, 5, 31)
    )
    assert step.fire_at == local(ny, 2025, 5, 31, 9, 0)
    pen = Reminder.objects.get(kind=ReminderKind.EXPIRY_30, status=ReminderStatus.PENDING)
    assert pen.fire_at == local(ny, 2025, 5, 31, 9, 0)
    # 13:00 in Rome is 07:00 in New York: today's 09:00 check is still to come there.
    carry = Reminder.objects.get(kind=ReminderKind.CARRY_FIRST, status=ReminderStatus.PENDING)
    assert carry.fire_at == local(ny, 2025, 5, 30, 9, 0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_scans_send_every_alert_of_every_kind_once(world: World) -> None:
    pens = 120
    with time_machine.travel(local(ZONE, 2025, 5, 1, 12, 0), tick=False):
        for n in range(pens):
            add_pen(world.patient, world.owner, dt.date(2025, 6, 30), lot=f"L{n}")
    with time_machine.travel(local(ZONE, 2025, 5, 31, 8, 0), tick=False):
        for n in range(pens):
            daily(world.patient, world.owner, ["09:00"], name=f"Pill {n}")
    now = local(ZONE, 2025, 5, 31, 9, 0)
    errors: list[BaseException] = []
    fired: list[int] = []

    def beat() -> None:
        try:
            fired.append(scan_due(now=now, batch_size=15).fired)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    with time_machine.travel(now, tick=False):
        threads = [threading.Thread(target=beat) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert not errors, errors
    assert sum(fired) == 2 * pens  # each row claimed by one scan only
    keys = list(Notification.objects.values_list("recipient_id", "dedupe_key"))
    assert len(keys) == len(set(keys))
    categories = Counter(Notification.objects.values_list("category", flat=True))
    assert categories == {"pen_expiry": 2 * pens, "dose_reminder": pens}
    assert not Reminder.objects.filter(
        kind=ReminderKind.EXPIRY_30, status=ReminderStatus.PENDING
    ).exists()
    assert ReminderStep.objects.filter(status=StepStatus.FIRED, due_at=now).count() == pens
