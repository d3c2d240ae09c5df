"""One day count: "day N after the last dose" is local calendar days in the patient's zone
(docs/alerts.md), in the alert text, the dashboard column and the clinician's flag alike."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.medications.schedule import day_after_dose
from apps.notifications.models import Notification
from tests.factories import World
from tests.medications.helpers import local, log_dose, omalizumab, run_beat

ZONE = "Europe/Rome"
pytestmark = pytest.mark.django_db


def test_day_after_dose_counts_local_calendar_days_in_the_patients_zone() -> None:
    rome = ZoneInfo(ZONE)
    last = local(ZONE, 2025, 2, 10, 23, 30)
    assert day_after_dose(last, local(ZONE, 2025, 2, 11, 0, 30), rome) == 1  # one hour later
    assert day_after_dose(last, local(ZONE, 2025, 3, 20, 0, 30), rome) == 38
    # The same moments read in New York fall on other dates; the count is still Rome's.
    assert day_after_dose(last, datetime(2025, 3, 19, 23, 30, tzinfo=UTC), rome) == 38
    # Across the spring DST change (30 March 2025 in Rome) a day is still a day.
    assert day_after_dose(local(ZONE, 2025, 3, 29, 9, 0), local(ZONE, 2025, 3, 31, 8, 0), rome) == 2


def test_a_clinician_elsewhere_reads_the_same_day_as_the_alert(world: World, client_for) -> None:
    # The clinician lives in New York; the patient in Rome. The last dose was given at 23:30
    # local, and the regimen's time is 00:30: the urgent step (day 38) fires at 00:30 local.
    world.clinician.time_zone = "America/New_York"
    world.clinician.save(update_fields=["time_zone"])
    with time_machine.travel(local(ZONE, 2025, 2, 10, 23, 45), tick=False):
        medication = omalizumab(
            world.patient, world.owner, start_date=date(2025, 2, 10), times_of_day=["00:30"]
        )
        log_dose(medication, world.owner, local(ZONE, 2025, 2, 10, 23, 30))
    day38 = local(ZONE, 2025, 3, 20, 0, 30)
    run_beat(local(ZONE, 2025, 3, 19, 23, 30), day38)

    alert = Notification.objects.get(recipient=world.clinician, dedupe_key__endswith=":urgent")
    assert "38 days since the last dose" in alert.body
    # What was missed and since when, with the patient's zone for a reader in another zone.
    assert "Omalizumab due Mon 10 Mar at 00:30 (Europe/Rome)" in alert.body
    assert "contact the care team" not in alert.body

    with time_machine.travel(day38, tick=False):  # 18:30 the evening before, in New York
        rows = client_for(world.clinician).get("/api/v1/clinic/patients/").json()["results"]
    (row,) = rows
    assert row["days_since_last_injection"] == 38
    (flag,) = [f for f in row["flags"] if f["code"] == "relapse_window"]
    assert flag["detail"].startswith("Omalizumab: 38 days since the last dose")
