"""The clinician's patient list: one page with 500 patients against 50, each with ~2 years of
daily data (a symptom entry and a check-in a day, an omalizumab dose every 4 weeks, two pens).

A page runs a fixed number of queries whatever the patients have logged; ordering by urgency
needs every patient's flags, so its cost grows with the number of patients (index-backed
subqueries and the recent 42 days of diary), not with the years of history behind them.

    .venv/bin/python -m bench.bench_clinic
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from bench.harness import alternate, django_database, table

DAYS = 2 * 365
SMALL, LARGE = 50, 500


def _build(clinician, count: int, prefix: str, now: dt.datetime) -> None:
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
        for back in range(DAYS, 0, -1):
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

        now = timezone.now()
        clients = {}
        for label, count in (("50 patients", SMALL), ("500 patients", LARGE)):
            # Clinicians need a second factor: an enrolled authenticator, passed by the session.
            clinician = User.objects.create(
                email=f"bench-{count}@example.org",
                display_name="Bench",
                totp_secret="GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
                totp_confirmed_at=now - dt.timedelta(days=1),
            )
            began = time.perf_counter()
            _build(clinician, count, f"P{count}-", now)
            print(f"built {label} × {DAYS} days in {time.perf_counter() - began:.1f} s", flush=True)
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
        ratio = times["500 patients"] / times["50 patients"]
        print(f"  page 500 / 50 patients = {ratio:.2f}x (same query count: "
              f"{queries['500 patients'] == queries['50 patients']})")  # fmt: skip


if __name__ == "__main__":
    main()
