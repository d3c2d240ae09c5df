"""The clinician's patient list: one page of 50 with 500 patients against 50, each with ~2 years
of daily data (a symptom entry and a check-in a day, an omalizumab dose every 4 weeks, two
pens), and a third point at 5,000 patients (60 days each: the list reads the stored triage, so
the history behind a row does not enter a page's cost; 2 years × 5,000 would be 7 M rows to
build). Goal (issue 14): 500 / 50 ≤ 1.5×, and 5,000 / 50 ≤ 1.5×.

Each patient's triage is stored (apps.clinic.triage, kept by the writes); the bulk-built data
sends no signal, so it is filled here the way the data migration and the periodic
reconciliation fill it (that time is printed too). A page then reads one page of rows sorted
by urgency in SQL.

    .venv/bin/python -m bench.bench_clinic   (DATABASE_URL=postgres://… for PostgreSQL)
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from bench.harness import alternate, django_database, table

DAYS = 2 * 365
SIZES = (("50 patients", 50, DAYS), ("500 patients", 500, DAYS), ("5,000 patients", 5000, 60))
CHUNK = 250  # patients built at a time (memory)


def _build(clinician, count: int, prefix: str, now: dt.datetime, days: int) -> None:
    for first in range(0, count, CHUNK):
        _build_chunk(clinician, min(CHUNK, count - first), f"{prefix}{first:05d}-", now, days)


def _build_chunk(clinician, count: int, prefix: str, now: dt.datetime, days: int) -> None:
    from apps.careteam.models import Membership, Patient, Role
    from apps.diary.models import DailyCheckIn, Symptom, SymptomEntry
    from apps.epinephrine.models import AutoInjector
    from apps.medications.models import CatalogueDrug, DoseLog, Medication

    symptom = Symptom.objects.get(code="skin.flushing", patient=None)
    drug = CatalogueDrug.objects.get(name="Omalizumab")
    patients = Patient.objects.bulk_create(
        Patient(display_name=f"{prefix}{i:03d}", time_zone="Europe/Rome") for i in range(count)
    )
    Membership.objects.bulk_create(
        Membership(patient=p, user=clinician, role=Role.CLINICIAN) for p in patients
    )
    start = now.date() - dt.timedelta(days=DAYS)
    medications = Medication.objects.bulk_create(
        Medication(patient=p, catalogue=drug, name="Omalizumab", drug_class="anti_ige",
                   route="subcutaneous", start_date=start, regimen_kind="interval", interval=4,
                   interval_unit="weeks", interval_anchor="last_dose", times_of_day=["09:00"],
                   next_dose_due_at=now - dt.timedelta(days=i % 20))
        for i, p in enumerate(patients)
    )  # fmt: skip
    entries: list[SymptomEntry] = []
    check_ins: list[DailyCheckIn] = []
    doses: list[DoseLog] = []
    pens: list[AutoInjector] = []
    for i, (patient, med) in enumerate(zip(patients, medications, strict=True)):
        for back in range(days, 0, -1):
            day = now - dt.timedelta(days=back)
            severity = (back * 7 + i) % 11
            entries.append(
                SymptomEntry(patient=patient, occurred_at=day, symptom=symptom, severity=severity)
            )
            check_ins.append(
                DailyCheckIn(patient=patient, local_date=day.date(), overall_severity=severity,
                             quality_of_life=100 - 5 * severity)
            )  # fmt: skip
            if back % 28 == 0:
                doses.append(DoseLog(patient=patient, medication=med, taken_at=day))
        pens.extend(
            AutoInjector(patient=patient, dose_mg="0.3", expires_on=now.date() + dt.timedelta(days=d))
            for d in (i % 40 - 10, 200)
        )  # fmt: skip
    SymptomEntry.objects.bulk_create(entries, batch_size=5000)
    DailyCheckIn.objects.bulk_create(check_ins, batch_size=5000)
    DoseLog.objects.bulk_create(doses, batch_size=5000)
    AutoInjector.objects.bulk_create(pens, batch_size=5000)


def main() -> None:
    with django_database():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone
        from rest_framework.test import APIClient

        from apps.accounts import otp
        from apps.accounts.models import User
        from apps.careteam.models import Patient
        from apps.clinic import triage

        now = timezone.now()
        clients = {}
        for label, count, days in SIZES:
            # Clinicians need a second factor: an enrolled authenticator, passed by the session.
            clinician = User.objects.create(
                email=f"bench-{count}@example.org",
                display_name="Bench",
                totp_secret="GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
                totp_confirmed_at=now - dt.timedelta(days=1),
            )
            began = time.perf_counter()
            _build(clinician, count, f"P{count}-", now, days)
            built = time.perf_counter() - began
            began = time.perf_counter()
            triage.refresh_many(Patient.objects.filter(display_name__startswith=f"P{count}-"))
            print(
                f"built {label} × {days} days in {built:.1f} s; "
                f"their triage rows in {time.perf_counter() - began:.1f} s",
                flush=True,
            )
            client = APIClient()
            client.force_login(clinician)
            session = client.session
            otp.mark_session_verified(session, timezone.now())
            otp.start_clinician_clock(session)
            session.save()
            clients[label] = client

        def page(client: APIClient) -> Callable[[], None]:
            def call() -> None:
                answer = client.get("/api/v1/clinic/patients/", {"page_size": 50})
                assert answer.status_code == 200, answer.content
                assert len(answer.data["results"]) == 50

            return call

        queries = {}
        for label, client in clients.items():
            page(client)()
            with CaptureQueriesContext(connection) as captured:
                page(client)()
            queries[label] = len(captured.captured_queries)
        times = alternate({label: page(c) for label, c in clients.items()}, repeat=5, number=3)
        rows = [["", "per page", "queries"]]
        rows += [[label, f"{times[label] * 1000:.1f} ms", str(queries[label])] for label in clients]
        table(rows)
        base = times["50 patients"]
        for label in clients:
            if label != "50 patients":
                print(
                    f"  page {label} / 50 patients = {times[label] / base:.2f}x (goal ≤ 1.5x; "
                    f"same query count: {queries[label] == queries['50 patients']})"
                )


if __name__ == "__main__":
    main()
