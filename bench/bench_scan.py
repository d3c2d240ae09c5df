"""The one alert scan (apps.alerts.tasks), over missed-dose steps: does its cost follow what is
due, or what exists?

On PostgreSQL (DATABASE_URL), two worlds with the same 10,000 due reminder steps:
  big   — 1,000,000 scheduled medications, each with a pending step (1 % due now)
  small — 10,000 medications, every one due now
One scan pass (claim with FOR UPDATE SKIP LOCKED in batches, staleness checks, recipients,
mark fired) is timed in each, notify_many stubbed out so the notifications layer's own cost (benched
in bench_delivery) does not drown the scan's. Prints both times, their ratio (the goal: close
to 1) and the plan of the claim query (the partial index on pending steps' fire_at).
Rows are written with COPY and hold only what the scan reads. Run:
`DATABASE_URL=postgres://… python -m bench.bench_scan [medications] [due]`.
"""

from __future__ import annotations

import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.harness import django_database, table

BIG = 1_000_000
DUE = 10_000
PATIENTS = 1_000
REPEAT = 3


def _copy(cursor: Any, table_name: str, columns: list[str], rows: Any) -> None:
    with cursor.copy(f"COPY {table_name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _populate(medications: int, due: int, now: datetime) -> None:
    from django.db import connection

    from apps.accounts.models import User
    from apps.careteam.models import Membership, Patient, Role

    owner = User.objects.create(email="owner@bench.test", display_name="Owner")
    carer = User.objects.create(email="carer@bench.test", display_name="Carer")
    patients = Patient.objects.bulk_create(
        [Patient(display_name=f"P{n}", time_zone="Europe/Rome") for n in range(PATIENTS)]
    )
    Membership.objects.bulk_create(
        [Membership(patient=p, user=owner, role=Role.OWNER) for p in patients]
        + [Membership(patient=p, user=carer, role=Role.CAREGIVER) for p in patients]
    )
    patient_ids = [p.pk for p in patients]
    created = now - timedelta(days=400)
    start = date(2024, 1, 1)
    ids = [uuid.uuid4() for _ in range(medications)]
    # The first `due` medications are due now; the rest weeks ahead. Due times are spread so
    # the scan claims them oldest first, as after a minute of backlog.
    due_at = [
        now - timedelta(seconds=1 + n % 50) if n < due else now + timedelta(days=1 + n % 27)
        for n in range(medications)
    ]
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        _copy(
            raw,
            "medications_medication",
            [
                "id",
                "created_at",
                "patient_id",
                "name",
                "drug_class",
                "route",
                "dose_unit",
                "prescribed_by",
                "start_date",
                "regimen_kind",
                "times_of_day",
                "weekdays",
                "interval",
                "interval_unit",
                "interval_anchor",
                "next_dose_due_at",
                "planned_time_zone",
                "updated_at",
            ],
            (
                (
                    ids[n],
                    created,
                    patient_ids[n % PATIENTS],
                    "Omalizumab",
                    "anti_ige",
                    "subcutaneous",
                    "mg",
                    "",
                    start,
                    "interval",
                    '["09:00"]',
                    "[]",
                    4,
                    "weeks",
                    "last_dose",
                    due_at[n],
                    "Europe/Rome",
                    created,
                )
                for n in range(medications)
            ),
        )
        _copy(
            raw,
            "medications_reminderstep",
            [
                "medication_id",
                "due_at",
                "cycle",
                "name",
                "kind",
                "fire_at",
                "status",
                "audience",
                "urgency",
                "late_cutoff_minutes",
                "flag_clinician",
                "recipients",
            ],
            (
                (
                    ids[n],
                    due_at[n],
                    "first",
                    "caregivers",
                    "escalation",
                    due_at[n],
                    "pending",
                    '["owner", "caregiver"]',
                    "high",
                    None,
                    False,
                    0,
                )
                for n in range(medications)
            ),
        )
        cursor.execute("ANALYZE medications_medication")
        cursor.execute("ANALYZE medications_reminderstep")


def _reset(now: datetime) -> None:
    from apps.medications.models import ReminderStep

    ReminderStep.objects.filter(fire_at__lte=now).update(
        status="pending", fired_at=None, recipients=0
    )


def _measure(medications: int, due: int) -> tuple[float, int, str]:
    from django.db import connection

    from apps.alerts import tasks
    from apps.medications.alerts import KIND
    from apps.medications.models import ReminderStep

    now = datetime.now(UTC)
    started = time.perf_counter()
    _populate(medications, due, now)
    print(f"  populated {medications:,} medications in {time.perf_counter() - started:.0f} s")
    notified: list[int] = []

    def notify_many(notices: Any) -> list[Any]:
        notified.append(len(notices))
        return []

    tasks.notifications.notify_many = notify_many
    rounds = []
    fired = 0
    for _ in range(REPEAT):
        _reset(now)
        started = time.perf_counter()
        result = tasks.scan_due(now=now, kinds=[KIND])
        rounds.append(time.perf_counter() - started)
        fired = result.fired
    plan = "\n".join(
        "    " + line
        for line in ReminderStep.objects.filter(status="pending", fire_at__lte=now)
        .order_by("fire_at")[:200]
        .explain()
        .splitlines()
    )
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE medications_reminderstep, medications_medication CASCADE")
        cursor.execute("TRUNCATE careteam_membership, careteam_patient, accounts_user CASCADE")
    return statistics.median(rounds), fired, plan


def main(argv: list[str]) -> int:
    big = int(argv[0]) if argv else BIG
    due = int(argv[1]) if len(argv) > 1 else DUE
    with django_database():
        from django.db import connection

        if connection.vendor != "postgresql":
            print("bench_scan needs PostgreSQL: set DATABASE_URL=postgres://… (skipped)")
            return 0
        big_time, big_fired, big_plan = _measure(big, due)
        small_time, small_fired, _ = _measure(due, due)
    assert big_fired == small_fired == due, (big_fired, small_fired)
    print()
    table(
        [
            ("world", "medications", "due steps", "scan (s)", "steps/s"),
            ("big", f"{big:,}", f"{due:,}", f"{big_time:.2f}", f"{due / big_time:,.0f}"),
            ("small", f"{due:,}", f"{due:,}", f"{small_time:.2f}", f"{due / small_time:,.0f}"),
        ]
    )
    print(f"\n  big / small = {big_time / small_time:.2f}x  (1.00x: the scan costs what is due)")
    print("\n  plan of the claim query in the big world:\n" + big_plan)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
