"""Expiry reminders 30 and 7 days before and on the expiry date, at 09:00 the patient's time,
to the owners and caregivers — fired by the every-minute scan, once each."""

from __future__ import annotations

import datetime as dt

import time_machine

from apps.alerts.tasks import scan_due
from apps.careteam import services as careteam_services
from apps.epinephrine import services
from apps.epinephrine.models import Reminder, ReminderStatus
from apps.notifications.models import Notification
from tests.factories import World

from .helpers import add_pen, inbox, local, recipients

EXPIRES = dt.date(2025, 6, 30)


def _scan_at(*args: int, zone: str = "Europe/Rome") -> None:
    with time_machine.travel(local(*args, zone=zone), tick=False):
        scan_due()


def test_reminders_go_out_30_and_7_days_before_and_on_the_day(world: World) -> None:
    with time_machine.travel(local(2025, 5, 1, 12, 0), tick=False):
        pen = add_pen(world.patient, world.owner, EXPIRES)
    _scan_at(2025, 5, 31, 8, 59)
    assert inbox() == []
    _scan_at(2025, 5, 31, 9, 0)
    _scan_at(2025, 5, 31, 9, 1)  # a second tick sends nothing again
    key = f"pen:{pen.pk}:expiry:2025-06-30"
    assert sorted(inbox("pen_expiry")) == [
        ("carer@example.org", f"{key}:30", "normal"),
        ("parent@example.org", f"{key}:30", "normal"),
    ]
    _scan_at(2025, 6, 23, 9, 0)
    _scan_at(2025, 6, 30, 9, 0)
    sent = [(email, dedupe[len(key) + 1 :], urgency) for email, dedupe, urgency in inbox()]
    assert sorted(sent) == sorted(
        [
            ("carer@example.org", "30", "normal"),
            ("parent@example.org", "30", "normal"),
            ("carer@example.org", "7", "normal"),
            ("parent@example.org", "7", "normal"),
            ("carer@example.org", "0", "high"),
            ("parent@example.org", "0", "high"),
        ]
    )
    # Clinicians, revoked members and strangers never get them.
    assert recipients("pen_expiry") == {"carer@example.org", "parent@example.org"}
    assert "expires today" in Notification.objects.filter(dedupe_key=f"{key}:0").first().title


def test_a_member_revoked_before_the_reminder_fires_does_not_get_it(world: World) -> None:
    with time_machine.travel(local(2025, 5, 1, 12, 0), tick=False):
        add_pen(world.patient, world.owner, EXPIRES)
        careteam_services.membership_revoke(
            membership=world.membership("caregiver"), by=world.owner
        )
    _scan_at(2025, 5, 31, 9, 0)
    assert recipients("pen_expiry") == {"parent@example.org"}


def test_a_pen_discarded_or_used_before_a_reminder_gets_none(world: World, client_for) -> None:
    with time_machine.travel(local(2025, 5, 1, 12, 0), tick=False):
        pen = add_pen(world.patient, world.owner, EXPIRES)
        used = add_pen(world.patient, world.owner, EXPIRES)
    _scan_at(2025, 5, 31, 9, 0)
    with time_machine.travel(local(2025, 6, 1, 12, 0), tick=False):
        services.pen_update(pen=pen, fields={"state": "discarded"})
        response = client_for(world.owner).post(
            f"/api/v1/patients/{world.patient.pk}/pens/{used.pk}/use/", {}
        )
        assert response.status_code == 201
    _scan_at(2025, 6, 23, 9, 0)
    _scan_at(2025, 6, 30, 9, 0)
    assert {dedupe.rsplit(":", 1)[1] for _, dedupe, _ in inbox("pen_expiry")} == {"30"}
    assert not Reminder.objects.filter(status=ReminderStatus.PENDING).exists()


def test_a_pen_added_close_to_its_expiry_gets_only_the_reminders_still_to_come(
    world: World,
) -> None:
    with time_machine.travel(local(2025, 6, 10, 12, 0), tick=False):
        add_pen(world.patient, world.owner, EXPIRES)
    planned = Reminder.objects.filter(status=ReminderStatus.PENDING)
    assert sorted(planned.values_list("kind", flat=True)) == ["expiry_0", "expiry_7"]


def test_reminders_follow_the_patient_to_another_time_zone(world: World) -> None:
    with time_machine.travel(local(2025, 5, 1, 12, 0), tick=False):
        add_pen(world.patient, world.owner, EXPIRES)
        world.patient.time_zone = "America/New_York"
        world.patient.save(update_fields=["time_zone"])
    _scan_at(2025, 5, 31, 9, 0)  # 09:00 in Rome is 03:00 in New York
    assert inbox() == []
    _scan_at(2025, 5, 31, 9, 0, zone="America/New_York")
    assert len(inbox("pen_expiry")) == 2


def test_correcting_the_expiry_date_moves_the_reminders(world: World) -> None:
    with time_machine.travel(local(2025, 5, 1, 12, 0), tick=False):
        pen = add_pen(world.patient, world.owner, EXPIRES)
        services.pen_update(pen=pen, fields={"expires_on": dt.date(2025, 7, 31)})
    _scan_at(2025, 5, 31, 9, 0)
    assert inbox() == []
    _scan_at(2025, 7, 1, 9, 0)
    assert {dedupe for _, dedupe, _ in inbox()} == {f"pen:{pen.pk}:expiry:2025-07-31:30"}


def test_a_reminder_that_fails_to_send_is_retried_later_and_does_not_stop_the_others(
    world: World, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from apps.alerts.defaults import RETRY_FAILED_AFTER
    from apps.epinephrine import messages

    with time_machine.travel(local(2025, 5, 1, 12, 0), tick=False):
        broken = add_pen(world.patient, world.owner, EXPIRES, brand="Broken")
        add_pen(world.patient, world.owner, EXPIRES, brand="Jext")
    real_expiry = messages.expiry

    def expiry(patient_name, brand, *args):  # type: ignore[no-untyped-def]
        if brand == "Broken":
            raise RuntimeError("a broken template")
        return real_expiry(patient_name, brand, *args)

    monkeypatch.setattr(messages, "expiry", expiry)
    with time_machine.travel(local(2025, 5, 31, 9, 0), tick=False):
        result = scan_due()
    assert (result.fired, result.failed) == (1, 1)
    assert len(inbox("pen_expiry")) == 2  # the Jext pen's reminder, to the owner and the carer
    retry = Reminder.objects.get(
        pen=broken, status=ReminderStatus.PENDING, fire_at__lte=local(2025, 5, 31, 9, 5)
    )
    assert retry.fire_at == local(2025, 5, 31, 9, 0) + RETRY_FAILED_AFTER
