"""Acknowledgement (contract C1): an urgent alert nobody acknowledges is sent again, as the same
notification, every URGENT_REPEAT_AFTER_MINUTES until someone on the care team acknowledges it —
from the app, the push button or the email's link — and the acknowledgement, who and when, shows
on every copy and on the clinician's flag. The escalation is not stopped by it.

Everything runs as it would in production: the family and the clinician through the public API,
the periodic jobs from CELERY_BEAT_SCHEDULE, the clock pinned with time_machine."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.utils.module_loading import import_string

from apps.accounts import otp
from apps.notifications.models import Delivery, Notification
from tests.factories import World
from tests.medications.helpers import local, log_dose, omalizumab

ZONE = "Europe/Rome"
pytestmark = pytest.mark.django_db

# The periodic jobs this scenario needs, by the names beat knows them under.
JOBS = ("alerts-scan", "notifications-repeat")


def tick(moment: datetime) -> None:
    """One beat tick at `moment`: each job as beat would run it (its importable task)."""
    with time_machine.travel(moment, tick=False):
        for name in JOBS:
            import_string(settings.CELERY_BEAT_SCHEDULE[name]["task"])()


def run(start: datetime, end: datetime, every: timedelta = timedelta(minutes=5)) -> None:
    moment = start
    while moment <= end:
        tick(moment)
        moment += every


@pytest.fixture
def missed(world: World, enqueued: list[str]) -> Any:
    """Omalizumab given on day 0 (10 Feb 2025) and never again: day 38 is 20 March, 09:00."""
    with time_machine.travel(local(ZONE, 2025, 2, 10, 17, 45), tick=False):
        medication = omalizumab(world.patient, world.owner, start_date=date(2025, 2, 10))
        log_dose(medication, world.owner, local(ZONE, 2025, 2, 10, 17, 40))
    return medication


def _inbox(client: Any) -> list[dict[str, Any]]:
    return client.get("/api/v1/notifications/").json()["results"]


def _urgent(user: Any) -> Notification:
    return Notification.objects.get(recipient=user, urgency="urgent")


def test_the_repeat_job_is_on_beat_and_on_the_scans_queue() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["notifications-repeat"]
    task = import_string(entry["task"])
    assert task.name == entry["task"]
    assert settings.CELERY_TASK_ROUTES[entry["task"]] == {"queue": "scans"}
    assert settings.URGENT_REPEAT_AFTER_MINUTES == 30


def test_an_unacknowledged_urgent_alert_repeats_as_the_same_notification_until_acknowledged(
    world: World, missed: Any, client_for: Any, subscribe: Any
) -> None:
    subscribe(world.caregiver, "phone")
    day38 = local(ZONE, 2025, 3, 20, 9, 0)
    run(day38 - timedelta(minutes=5), day38 + timedelta(minutes=25))
    alert = _urgent(world.caregiver)
    assert alert.repeats == []
    first_sends = Delivery.objects.filter(notification=alert).count()
    assert first_sends == 2  # push to the phone, and email

    run(day38 + timedelta(minutes=30), day38 + timedelta(minutes=55))
    alert.refresh_from_db()
    assert Notification.objects.filter(recipient=world.caregiver, urgency="urgent").count() == 1
    assert [datetime.fromisoformat(at) for at in alert.repeats] == [day38 + timedelta(minutes=30)]
    # Every channel again: each repeat its own deliveries.
    assert Delivery.objects.filter(notification=alert).count() == 2 * first_sends

    # The caregiver acknowledges it in the app; repeats stop for everyone.
    with time_machine.travel(day38 + timedelta(minutes=58), tick=False):
        response = client_for(world.caregiver).post(f"/api/v1/notifications/{alert.pk}/acknowledge")
    assert response.status_code == 200, response.json()
    assert response.json()["acknowledged_by"] == {
        "id": str(world.caregiver.pk),
        "name": world.caregiver.display_name,
    }
    run(day38 + timedelta(hours=1), day38 + timedelta(hours=4))
    repeats = {
        n.recipient.email: len(n.repeats)
        for n in Notification.objects.filter(urgency="urgent").select_related("recipient")
    }
    assert repeats == {
        world.owner.email: 1,
        world.caregiver.email: 1,
        world.clinician.email: 1,
    }

    # The owner's inbox shows who acknowledged their copy, when, and its repeat.
    with time_machine.travel(day38 + timedelta(hours=4), tick=False):
        (item,) = [n for n in _inbox(client_for(world.owner)) if n["urgency"] == "urgent"]
    assert item["acknowledged_by"]["name"] == world.caregiver.display_name
    assert item["acknowledged_at"].startswith("2025-03-20T08:58")
    assert len(item["repeats"]) == 1
    assert item["repeats"][0].startswith("2025-03-20T08:30")
    # ... and so does the clinician's flag on the dashboard.
    with time_machine.travel(day38 + timedelta(hours=4), tick=False):
        rows = client_for(world.clinician).get("/api/v1/clinic/patients/").json()["results"]
    (flag,) = [f for f in rows[0]["flags"] if f["code"] == "relapse_window"]
    assert flag["acknowledged_by"]["name"] == world.caregiver.display_name
    assert flag["acknowledged_at"].startswith("2025-03-20T08:58")


def test_repeats_stop_after_the_limit_and_normal_alerts_never_repeat(
    world: World, missed: Any, settings: Any
) -> None:
    settings.URGENT_REPEAT_LIMIT = 2
    day35 = local(ZONE, 2025, 3, 17, 9, 0)  # the caregivers' step: high, not urgent
    run(day35, day35 + timedelta(hours=3), every=timedelta(minutes=10))
    assert all(n.repeats == [] for n in Notification.objects.all())
    day38 = local(ZONE, 2025, 3, 20, 9, 0)
    run(day38, day38 + timedelta(hours=5), every=timedelta(minutes=10))
    urgent = Notification.objects.filter(urgency="urgent")
    assert urgent.count() == 3
    assert {len(n.repeats) for n in urgent} == {2}
    assert all(n.repeats == [] for n in Notification.objects.exclude(urgency="urgent"))


def test_acknowledging_stops_the_repeats_not_the_escalation(
    world: World, missed: Any, client_for: Any
) -> None:
    day35 = local(ZONE, 2025, 3, 17, 9, 0)
    run(day35, day35 + timedelta(minutes=10))
    step = Notification.objects.get(recipient=world.owner, dedupe_key__endswith=":caregivers")
    with time_machine.travel(day35 + timedelta(minutes=15), tick=False):
        assert (
            client_for(world.owner).post(f"/api/v1/notifications/{step.pk}/acknowledge").status_code
            == 200
        )
    # The caregiver's copy is acknowledged too, by the owner.
    theirs = Notification.objects.get(recipient=world.caregiver, dedupe_key=step.dedupe_key)
    assert (theirs.acknowledged_by_id, theirs.acknowledged_at) == (
        world.owner.pk,
        day35 + timedelta(minutes=15),
    )
    # Day 38: the next circle still hears, the dose still missing.
    day38 = local(ZONE, 2025, 3, 20, 9, 0)
    run(day38, day38 + timedelta(minutes=10))
    assert Notification.objects.filter(urgency="urgent", acknowledged_at__isnull=True).count() == 3


def test_the_push_button_acknowledges_for_everyone(
    world: World, missed: Any, client_for: Any
) -> None:
    day38 = local(ZONE, 2025, 3, 20, 9, 0)
    run(day38, day38 + timedelta(minutes=5))
    alert = _urgent(world.owner)
    assert {"action": "acknowledge", "title": "I'm dealing with it"} in alert.actions
    with time_machine.travel(day38 + timedelta(minutes=10), tick=False):
        response = client_for(world.owner).post(
            f"/api/v1/notifications/{alert.pk}/actions/acknowledge"
        )
    assert response.status_code == 200, response.json()
    assert not Notification.objects.filter(urgency="urgent", acknowledged_at__isnull=True).exists()
    run(day38 + timedelta(minutes=30), day38 + timedelta(hours=2))
    assert all(n.repeats == [] for n in Notification.objects.filter(urgency="urgent"))


def test_the_urgent_email_links_to_acknowledging_it(world: World, missed: Any) -> None:
    from apps.notifications.delivery import email_message

    run(local(ZONE, 2025, 3, 20, 9, 0), local(ZONE, 2025, 3, 20, 9, 5))
    alert = _urgent(world.caregiver)
    email = Delivery.objects.get(notification=alert, channel="email")
    assert f"/inbox/{alert.pk}?acknowledge=1" in email_message(email).body


def test_each_role_gets_only_the_buttons_it_can_use(world: World, missed: Any) -> None:
    day38 = local(ZONE, 2025, 3, 20, 9, 0)
    run(day38, day38 + timedelta(minutes=5))
    actions = {
        n.recipient.email: [a["action"] for a in n.actions]
        for n in Notification.objects.filter(urgency="urgent").select_related("recipient")
    }
    assert actions == {
        world.owner.email: ["acknowledge", "took-it", "remind-later"],
        world.caregiver.email: ["acknowledge", "took-it", "remind-later"],
        world.clinician.email: ["acknowledge"],
    }


def test_unread_count(world: World, missed: Any, client_for: Any) -> None:
    day38 = local(ZONE, 2025, 3, 20, 9, 0)
    run(day38, day38 + timedelta(minutes=5))
    client = client_for(world.caregiver)
    with time_machine.travel(day38 + timedelta(minutes=6), tick=False):
        # The caregivers' step (day 35, sent late: escalations always are) and the urgent one.
        assert client.get("/api/v1/notifications/unread-count").json() == {
            "count": 2,
            "urgent_unacknowledged": 1,
        }
        alert = _urgent(world.caregiver)
        client.post(f"/api/v1/notifications/{alert.pk}/acknowledge")
        assert client.get("/api/v1/notifications/unread-count").json() == {
            "count": 1,
            "urgent_unacknowledged": 0,
        }
    assert client_for(None).get("/api/v1/notifications/unread-count").status_code == 401


def test_who_may_acknowledge(world: World, missed: Any, client_for: Any) -> None:
    day38 = local(ZONE, 2025, 3, 20, 9, 0)
    run(day38, day38 + timedelta(minutes=5))
    owners = _urgent(world.owner)
    # Someone else's notification does not exist for you.
    assert (
        client_for(world.caregiver)
        .post(f"/api/v1/notifications/{owners.pk}/acknowledge")
        .status_code
        == 404
    )
    # A clinician whose session has not given the second factor yet.
    pending = client_for(world.clinician)
    session = pending.session
    otp.clear_session_verification(session)
    session.save()
    response = pending.post(f"/api/v1/notifications/{_urgent(world.clinician).pk}/acknowledge")
    assert response.status_code == 403
    assert response.json()["code"] == "totp_verification_required"
    # Someone who left the care team since the alert.
    membership = world.membership("caregiver")
    membership.revoked_at = day38 + timedelta(minutes=6)
    membership.save(update_fields=["revoked_at"])
    theirs = _urgent(world.caregiver)
    response = client_for(world.caregiver).post(f"/api/v1/notifications/{theirs.pk}/acknowledge")
    assert response.status_code == 404
    assert not Notification.objects.filter(acknowledged_at__isnull=False).exists()


def _urgent_alerts_to(count: int, at: datetime) -> None:
    from apps.careteam.models import Role
    from apps.notifications.services import notify
    from tests.factories import MembershipFactory, PatientFactory

    patient = PatientFactory()
    with time_machine.travel(at, tick=False):
        for _ in range(count):
            member = MembershipFactory(patient=patient, role=Role.CAREGIVER).user
            notify(
                recipient=member,
                patient=patient,
                category="pen_used",
                urgency="urgent",
                dedupe_key=f"load:{patient.pk}",
                source_key=f"load:{patient.pk}",
                title="A pen was used",
                body="",
            )


def test_the_repeat_job_costs_the_same_few_queries_however_many_are_due(
    enqueued: list[str],
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.notifications.acknowledgement import repeat_unacknowledged

    start = local(ZONE, 2025, 6, 1, 9, 0)
    _urgent_alerts_to(2, start)
    with CaptureQueriesContext(connection) as few:
        assert repeat_unacknowledged(now=start + timedelta(minutes=30)) == 2
    _urgent_alerts_to(40, start + timedelta(hours=1))
    with CaptureQueriesContext(connection) as many:
        # The 40 new ones, and the first 2 once more (30 minutes after their first repeat).
        assert repeat_unacknowledged(now=start + timedelta(hours=1, minutes=30)) == 42
    # Candidates, members, devices, the repeats, the deliveries (+ the transaction).
    assert len(many.captured_queries) == len(few.captured_queries) <= 8
