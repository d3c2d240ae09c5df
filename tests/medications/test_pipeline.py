"""The scan and claim pipeline: cancellation by a logged dose, late cut-off, recipients resolved
when a step fires, nothing stale in flight, and the cost of a scan."""

from __future__ import annotations

from datetime import date

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.alerts.tasks import scan_due
from apps.careteam import services as careteam_services
from apps.medications.models import ReminderStep, StepStatus
from apps.notifications.models import Delivery, DeliveryStatus, Notification
from tests.factories import World

from .helpers import daily, local, log_dose, omalizumab, sent

ZONE = "Europe/Rome"


def _injected(world: World):  # type: ignore[no-untyped-def]
    with time_machine.travel(local(ZONE, 2025, 2, 10, 17, 45), tick=False):
        medication = omalizumab(world.patient, world.owner, start_date=date(2025, 2, 10))
        log_dose(medication, world.owner, local(ZONE, 2025, 2, 10, 17, 40))
    return medication


def test_a_dose_logged_before_a_step_fires_cancels_it(world: World) -> None:
    with time_machine.travel(local(ZONE, 2025, 6, 2, 7, 0), tick=False):
        pill = daily(world.patient, world.owner, ["08:00"], start_date=date(2025, 6, 1))
        log_dose(pill, world.owner, local(ZONE, 2025, 6, 2, 7, 50))
    with time_machine.travel(local(ZONE, 2025, 6, 2, 11, 0), tick=False):
        scan_due()
    assert not Notification.objects.exists()
    steps = ReminderStep.objects.filter(medication=pill, due_at=local(ZONE, 2025, 6, 2, 8, 0))
    assert set(steps.values_list("status", flat=True)) == {StepStatus.CANCELLED}
    # The next day's dose is planned already.
    assert ReminderStep.objects.filter(
        due_at=local(ZONE, 2025, 6, 3, 8, 0), status=StepStatus.PENDING
    ).exists()


def test_after_an_outage_stale_reminders_are_dropped_but_escalations_are_sent(
    world: World,
) -> None:
    medication = _injected(world)
    # Beat was down from day 25 until day 36 at noon: one scan catches up.
    with time_machine.travel(local(ZONE, 2025, 3, 18, 12, 0), tick=False):
        result = scan_due()
    cycle = ReminderStep.objects.filter(
        medication=medication, due_at=local(ZONE, 2025, 3, 10, 9, 0)
    )
    by_name = dict(cycle.values_list("name", "status"))
    assert by_name["heads_up"] == by_name["due"] == StepStatus.SKIPPED_LATE
    assert by_name["overdue"] == by_name["caregivers"] == StepStatus.FIRED
    assert by_name["relapse_watch:d+08"] == StepStatus.FIRED  # today's, 3 hours late
    assert by_name["relapse_watch:d+07"] == StepStatus.SKIPPED_LATE
    assert by_name["urgent"] == StepStatus.PENDING
    assert result.fired == 3
    assert {step for _, _, step, _, _ in sent(ZONE)} == {
        "overdue",
        "caregivers",
        "relapse_watch:d+08",
    }


def test_recipients_are_resolved_when_a_step_fires(world: World) -> None:
    medication = _injected(world)
    membership = world.membership("caregiver")
    careteam_services.membership_revoke(membership=membership, by=world.owner)
    with time_machine.travel(local(ZONE, 2025, 3, 20, 9, 0), tick=False):
        scan_due()
    urgent = Notification.objects.filter(dedupe_key__endswith=":urgent")
    assert {n.recipient for n in urgent} == {world.owner, world.clinician}
    assert medication.alert_flags.count() == 1


def test_a_dose_logged_while_a_delivery_is_in_flight_cancels_it(world: World) -> None:
    medication = _injected(world)
    with time_machine.travel(local(ZONE, 2025, 3, 13, 9, 0), tick=False):
        scan_due()  # the overdue alert and the first relapse-watch prompt
        open_deliveries = Delivery.objects.filter(status=DeliveryStatus.PENDING)
        assert open_deliveries.count() == 2  # one email each, not yet sent
        log_dose(medication, world.owner, local(ZONE, 2025, 3, 13, 8, 55))
    assert not Delivery.objects.filter(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]
    ).exists()
    assert Delivery.objects.filter(status=DeliveryStatus.CANCELLED).count() == 2
    assert not ReminderStep.objects.filter(
        medication=medication, due_at=local(ZONE, 2025, 3, 10, 9, 0), status=StepStatus.PENDING
    ).exists()


def test_two_scans_of_the_same_moment_send_each_alert_once(world: World) -> None:
    _injected(world)
    with time_machine.travel(local(ZONE, 2025, 3, 20, 9, 0), tick=False):
        first = scan_due()
        second = scan_due()
    assert first.fired > 0 and second.fired == 0
    keys = list(Notification.objects.values_list("recipient_id", "dedupe_key"))
    assert len(keys) == len(set(keys))


def test_a_step_planned_in_an_old_zone_is_replanned_not_sent(world: World) -> None:
    with time_machine.travel(local(ZONE, 2025, 6, 1, 6, 0), tick=False):
        pill = daily(world.patient, world.owner, ["08:00"], start_date=date(2025, 6, 1))
    # The zone changes behind the services' back (e.g. a raw SQL fix): the scan notices.
    type(world.patient).objects.filter(pk=world.patient.pk).update(time_zone="America/New_York")
    with time_machine.travel(local(ZONE, 2025, 6, 1, 8, 0), tick=False):
        result = scan_due()
    assert result.fired == 0 and result.cancelled == 1
    pill.refresh_from_db()
    assert pill.planned_time_zone == "America/New_York"
    assert ReminderStep.objects.get(
        medication=pill, name="due", status=StepStatus.PENDING
    ).fire_at == local("America/New_York", 2025, 6, 1, 8, 0)


def test_a_scan_with_nothing_due_is_one_query_per_kind_however_many_medications(
    world: World,
) -> None:
    from apps.alerts import registry

    with time_machine.travel(local(ZONE, 2025, 6, 1, 0, 0), tick=False):
        for n in range(5):
            daily(world.patient, world.owner, ["08:00"], name=f"Pill {n}")
            omalizumab(world.patient, world.owner, name=f"Injection {n}")
    with (
        time_machine.travel(local(ZONE, 2025, 6, 1, 7, 0), tick=False),
        CaptureQueriesContext(connection) as ctx,
    ):
        scan_due()
    selects = [q["sql"].lower() for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
    # One claim per kind of planned alert (missed-dose steps, epinephrine reminders), nothing else.
    assert len(selects) == len(registry.handlers()) == 2
    assert "reminderstep" in selects[0] and "epinephrine_reminder" in selects[1]


def test_a_step_that_fails_to_send_does_not_stop_the_others(world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from apps.alerts.defaults import RETRY_FAILED_AFTER
    from apps.medications import messages

    with time_machine.travel(local(ZONE, 2025, 6, 1, 7, 0), tick=False):
        good = daily(world.patient, world.owner, ["08:00"], name="Cetirizine")
        bad = daily(world.patient, world.owner, ["08:00"], name="Famotidine")
    real_for_step = messages.for_step

    def for_step(step, now, **reader):  # type: ignore[no-untyped-def]
        if step.medication_id == bad.pk:
            raise RuntimeError("a broken template")
        return real_for_step(step, now, **reader)

    monkeypatch.setattr(messages, "for_step", for_step)
    with time_machine.travel(local(ZONE, 2025, 6, 1, 8, 0, 30), tick=False):
        result = scan_due()
    assert (result.fired, result.failed) == (1, 1)
    assert Notification.objects.filter(title__contains="Cetirizine").exists()
    stuck = ReminderStep.objects.get(medication=bad, status=StepStatus.PENDING, name="due")
    assert stuck.fire_at == local(ZONE, 2025, 6, 1, 8, 0, 30) + RETRY_FAILED_AFTER
    assert good.steps.filter(status=StepStatus.FIRED).count() == 1


def test_a_batch_of_due_steps_costs_at_most_three_queries_per_step(
    world: World, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    from apps.notifications.models import PushSubscription

    for n, user in enumerate([world.owner, world.owner, world.caregiver]):
        PushSubscription.objects.create(
            user=user, endpoint=f"https://push.example.org/{n}", p256dh="k", auth="a"
        )
    count = 25
    with time_machine.travel(local(ZONE, 2025, 2, 10, 17, 45), tick=False):
        for n in range(count):
            medication = omalizumab(
                world.patient, world.owner, name=f"Injection {n}", start_date=date(2025, 2, 10)
            )
            log_dose(medication, world.owner, local(ZONE, 2025, 2, 10, 17, 40))
    with time_machine.travel(local(ZONE, 2025, 3, 16, 9, 0), tick=False):
        scan_due()  # day 34: everything before day 35
    # Day 35, 09:00: the caregivers' escalation (owner and caregiver) and the relapse-watch
    # prompt of every medication, 2 × 25 = 50 steps, 75 inbox items, 200 deliveries.
    with (
        time_machine.travel(local(ZONE, 2025, 3, 17, 9, 0), tick=False),
        django_assert_max_num_queries(3 * 2 * count + 10),
    ):
        result = scan_due()
    assert result.fired == 2 * count
    assert Notification.objects.filter(dedupe_key__endswith=":caregivers").count() == 2 * count
    deliveries = Delivery.objects.filter(notification__dedupe_key__endswith=":caregivers")
    assert deliveries.count() == count * (2 + 1 + 1 + 1)  # owner: 2 phones + email; carer: 1 + 1
