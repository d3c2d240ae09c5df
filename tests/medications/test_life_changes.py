"""A family edits the record in the middle of a cycle, as real families do: the patient's zone
moves, the dose time is edited, a dose is logged by mistake and deleted, the medication is
paused and resumed. Every step is one event in the patient's life (medication, cycle, step), so
each reaches each person once, at its new wall-clock time, naming when the dose was really due.

Everything goes through the public API and the beat entry that fires reminder steps, with the
clock pinned (time_machine)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from apps.medications.models import Medication
from apps.notifications.models import Delivery, Notification
from server.celery import app as celery_app
from tests.factories import World, login_verified

from .helpers import local

DAY0 = date(2025, 2, 10)  # the last injection; day 28 (due) is 10 March
OWNER_STEPS = {"heads_up", "due", "overdue", "caregivers", "urgent"}


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def at(zone: str, n: int, hour: int, minute: int = 0) -> datetime:
    d = day(n)
    return local(zone, d.year, d.month, d.day, hour, minute)


def scan_task() -> Any:
    """The one task beat runs to fire planned alerts of every kind (CELERY_BEAT_SCHEDULE)."""
    names = [
        entry["task"]
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if str(entry["task"]).startswith(("apps.alerts.", "apps.medications.", "apps.epinephrine."))
    ]
    assert len(names) == 1, names
    return celery_app.tasks[names[0]]


class Family:
    """The people of the world fixture acting through the app's API, at a pinned moment."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.clock = time_machine.travel(at("UTC", 0, 0), tick=False)
        self.traveller = self.clock.start()
        self.now = at("UTC", 0, 0)
        self.task = scan_task()

    def stop(self) -> None:
        self.clock.stop()

    def client(self, user: Any) -> APIClient:
        client = APIClient()
        login_verified(client, user)
        return client

    def url(self, name: str, **kwargs: Any) -> str:
        return reverse(name, kwargs={"patient_pk": self.world.patient.pk, **kwargs})

    def beat_until(self, moment: datetime, every: timedelta = timedelta(hours=1)) -> None:
        """Beat's ticks on the hour up to `moment`, then the clock stops at `moment`."""
        tick = self.now.replace(minute=0, second=0, microsecond=0) + every
        while tick <= moment:
            self.traveller.move_to(tick)
            self.task()
            tick += every
        self.traveller.move_to(moment)
        self.now = moment

    def add_omalizumab(self, zone: str, **extra: Any) -> Medication:
        body = {
            "name": "Omalizumab",
            "route": "subcutaneous",
            "start_date": DAY0.isoformat(),
            "regimen_kind": "interval",
            "interval": 4,
            "interval_unit": "weeks",
            "interval_anchor": "last_dose",
            "times_of_day": ["09:00"],
            **extra,
        }
        response = self.client(self.world.owner).post(self.url("medication-list"), body)
        assert response.status_code == 201, response.data
        return Medication.objects.get(pk=response.data["id"])

    def log_dose(self, user: Any, medication: Medication, taken_at: datetime) -> str:
        body = {
            "medication": str(medication.pk),
            "taken_at": taken_at.isoformat(),
            "given_by": "caregiver" if user == self.world.caregiver else "patient",
            "injection_site": "thigh_left",
        }
        response = self.client(user).post(self.url("dose-list"), body)
        assert response.status_code == 201, response.data
        return str(response.data["id"])

    def delete_dose(self, user: Any, dose_id: str) -> None:
        response = self.client(user).delete(self.url("dose-detail", pk=dose_id))
        assert response.status_code == 204, getattr(response, "data", None)

    def move_zone(self, zone: str) -> None:
        url = reverse("patient-detail", kwargs={"pk": self.world.patient.pk})
        response = self.client(self.world.owner).patch(url, {"time_zone": zone})
        assert response.status_code == 200, response.data

    def edit(self, medication: Medication, **fields: Any) -> None:
        url = self.url("medication-detail", pk=medication.pk)
        response = self.client(self.world.owner).patch(url, fields, format="json")
        assert response.status_code == 200, response.data

    def pause(self, medication: Medication) -> None:
        url = self.url("medication-pause", pk=medication.pk)
        assert self.client(self.world.owner).post(url).status_code == 200

    def resume(self, medication: Medication) -> None:
        url = self.url("medication-resume", pk=medication.pk)
        assert self.client(self.world.owner).post(url).status_code == 200


@pytest.fixture
def family(world: World):  # type: ignore[no-untyped-def]
    acting = Family(world)
    yield acting
    acting.stop()


def received() -> Counter[tuple[str, str]]:
    """(recipient email, step) of every inbox item, counted."""
    return Counter(
        (n.recipient.email, n.dedupe_key[len(n.source_key) + 1 :])
        for n in Notification.objects.select_related("recipient")
    )


def when(email: str, step: str, zone: str) -> tuple[date, str]:
    n = Notification.objects.get(recipient__email=email, dedupe_key__endswith=f":{step}")
    moment = n.created_at.astimezone(ZoneInfo(zone))
    return moment.date(), moment.strftime("%H:%M")


def injected_on_day0(family: Family, zone: str) -> Medication:
    family.world.patient.time_zone = zone
    family.world.patient.save(update_fields=["time_zone"])
    family.beat_until(at(zone, 0, 17, 45))
    medication = family.add_omalizumab(zone)
    family.log_dose(family.world.owner, medication, at(zone, 0, 17, 40))
    return medication


def test_moving_the_zone_mid_cycle_moves_the_pending_steps_and_repeats_nothing(
    family: Family,
) -> None:
    rome, new_york = "Europe/Rome", "America/New_York"
    injected_on_day0(family, rome)
    family.beat_until(at(rome, 33, 12))  # overdue, relapse watch d+03 … d+05 sent in Rome
    family.move_zone(new_york)
    family.beat_until(at(new_york, 35, 12))

    owner = family.world.owner.email
    got = received()
    assert got[(owner, "overdue")] == 1
    assert got[(owner, "relapse_watch:d+05")] == 1  # "How is Sam today?" once on day 33
    assert max(got.values()) == 1
    # Nothing was resolved: no dose was given.
    assert not Notification.objects.filter(resolved_at__isnull=False).exists()
    # The steps still to come keep their wall-clock time in the new zone.
    assert when(owner, "relapse_watch:d+06", new_york) == (day(34), "09:00")
    assert when(owner, "caregivers", new_york) == (day(35), "09:00")


def test_editing_the_dose_time_mid_cycle_moves_what_is_to_come_and_names_the_real_due_time(
    family: Family,
) -> None:
    rome = "Europe/Rome"
    medication = injected_on_day0(family, rome)
    family.beat_until(at(rome, 36, 12))
    family.edit(medication, times_of_day=["18:00"])
    family.beat_until(at(rome, 38, 20))

    owner, carer = family.world.owner.email, family.world.caregiver.email
    got = received()
    assert got[(carer, "caregivers")] == got[(owner, "caregivers")] == 1
    assert got[(owner, "relapse_watch:d+08")] == 1  # day 36: one prompt, at 09:00
    assert max(got.values()) == 1
    assert when(owner, "relapse_watch:d+08", rome) == (day(36), "09:00")
    assert when(owner, "relapse_watch:d+09", rome) == (day(37), "18:00")
    assert when(owner, "urgent", rome) == (day(38), "18:00")
    urgent = Notification.objects.get(recipient__email=owner, dedupe_key__endswith=":urgent")
    # Due on day 28 (Mon 10 Mar) at 09:00, and missed then: not "at 18:00".
    assert "Mon 10 Mar at 09:00" in urgent.body and "18:00" not in urgent.body
    assert not Notification.objects.filter(resolved_at__isnull=False).exists()


def test_deleting_a_mistaken_dose_catches_up_the_overdue_step_once(family: Family) -> None:
    rome = "Europe/Rome"
    medication = injected_on_day0(family, rome)
    family.beat_until(at(rome, 30, 12, 30))
    mistake = family.log_dose(family.world.caregiver, medication, at(rome, 30, 12, 15))
    family.beat_until(at(rome, 32, 10, 10))  # day 31 passes: the overdue step is cancelled
    assert not Notification.objects.filter(dedupe_key__endswith=":overdue").exists()
    family.delete_dose(family.world.caregiver, mistake)
    family.beat_until(at(rome, 36, 12))

    owner = family.world.owner.email
    got = received()
    assert max(got.values()) == 1
    # The overdue injection is announced once, at the next tick; today's prompt is still on
    # time to be worth sending; day 31's prompt is past its cut-off (docs/alerts.md).
    assert when(owner, "overdue", rome) == (day(32), "11:00")
    assert when(owner, "relapse_watch:d+04", rome) == (day(32), "11:00")
    assert (owner, "relapse_watch:d+03") not in got
    # The later ones on schedule.
    assert when(owner, "relapse_watch:d+05", rome) == (day(33), "09:00")
    assert when(owner, "caregivers", rome) == (day(35), "09:00")
    # The mistaken dose resolved the heads-up and due-day alerts; deleting it reopened them.
    assert not Notification.objects.filter(resolved_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("zone", "moved_to"),
    [
        ("Europe/Rome", "America/New_York"),
        ("America/New_York", "Europe/Rome"),
        ("America/Sao_Paulo", "Pacific/Auckland"),
        ("Pacific/Auckland", "America/Sao_Paulo"),
    ],
)
def test_every_person_hears_every_step_once_before_day_42_whatever_the_family_changes(
    family: Family, zone: str, moved_to: str
) -> None:
    medication = injected_on_day0(family, zone)
    family.beat_until(at(zone, 30, 12, 30))
    mistake = family.log_dose(family.world.caregiver, medication, at(zone, 30, 12, 15))
    family.beat_until(at(zone, 31, 10, 15))
    family.delete_dose(family.world.caregiver, mistake)
    family.beat_until(at(zone, 33, 12))
    family.move_zone(moved_to)
    # Days are local calendar days after the dose, in the zone of the record: given at 17:40 in
    # São Paulo, it was given the next day in Auckland, so there every step comes a day later.
    later = (at(zone, 0, 17, 40).astimezone(ZoneInfo(moved_to)).date() - DAY0).days
    family.beat_until(at(moved_to, 36 + later, 12))
    family.edit(medication, times_of_day=["18:00"])
    family.beat_until(at(moved_to, 39 + later, 12))
    family.pause(medication)
    family.beat_until(at(moved_to, 39 + later, 12, 30))
    family.resume(medication)
    family.beat_until(at(moved_to, 42 + later, 0))

    owner, carer, doctor = (
        family.world.owner.email,
        family.world.caregiver.email,
        family.world.clinician.email,
    )
    expected = Counter(
        [(owner, step) for step in OWNER_STEPS]
        + [(owner, f"relapse_watch:d+{n:02d}") for n in range(3, 14)]  # days 31 … 41
        + [(carer, "caregivers"), (carer, "urgent"), (doctor, "urgent")]
    )
    assert received() == expected
    # Once on every channel too: one email each (nobody here has a phone subscribed).
    assert Delivery.objects.count() == Notification.objects.count()
    day42 = at(moved_to, 42 + later, 0)
    assert not Notification.objects.filter(created_at__gte=day42).exists()
    assert not Notification.objects.filter(resolved_at__isnull=False).exists()


def test_steps_planned_before_cycles_existed_are_adopted_not_sent_again(family: Family) -> None:
    import importlib

    from django.apps import apps as django_apps

    from apps.medications.models import ReminderStep, legacy_source_key

    rome, new_york = "Europe/Rome", "America/New_York"
    medication = injected_on_day0(family, rome)
    family.beat_until(at(rome, 31, 12))  # the overdue step and the first prompt are sent
    # As the database was before migration 0003: steps and inbox items named by the due moment.
    importlib.import_module("apps.medications.migrations.0003_reminderstep_cycle").backfill(
        django_apps, None
    )
    assert not ReminderStep.objects.exclude(cycle__startswith="legacy-").exists()
    for n in Notification.objects.all():
        step = n.dedupe_key[len(n.source_key) + 1 :]
        n.source_key = legacy_source_key(medication.pk, at(rome, 28, 9))
        n.dedupe_key = f"{n.source_key}:{step}"
        n.save(update_fields=["source_key", "dedupe_key"])

    family.move_zone(new_york)  # a replan: the rows of the open cycle are adopted
    family.beat_until(at(new_york, 33, 12))
    got = received()
    assert max(got.values()) == 1
    assert got[(family.world.owner.email, "overdue")] == 1
    assert when(family.world.owner.email, "relapse_watch:d+05", new_york) == (day(33), "09:00")
    family.log_dose(family.world.owner, medication, at(new_york, 33, 11))
    assert not Notification.objects.filter(resolved_at__isnull=True).exists()


def test_a_pause_over_a_step_announces_the_overdue_injection_once_on_resume(
    family: Family,
) -> None:
    rome = "Europe/Rome"
    medication = injected_on_day0(family, rome)
    family.beat_until(at(rome, 30, 12))
    family.pause(medication)
    family.beat_until(at(rome, 31, 12, 10))  # day 31, 09:00 passes while paused
    assert not Notification.objects.filter(dedupe_key__endswith=":overdue").exists()
    family.resume(medication)
    family.beat_until(at(rome, 33, 12))

    owner = family.world.owner.email
    got = received()
    assert max(got.values()) == 1
    assert when(owner, "overdue", rome) == (day(31), "13:00")
    assert when(owner, "relapse_watch:d+03", rome) == (day(31), "13:00")  # 4 h late: in time
    assert when(owner, "relapse_watch:d+04", rome) == (day(32), "09:00")
    assert when(owner, "relapse_watch:d+05", rome) == (day(33), "09:00")
