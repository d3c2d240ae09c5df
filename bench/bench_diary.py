"""Timeline and insights cost with 3 years of daily diary against 1 month of it.

Two patients: one with ~3 years of daily data (several symptoms a day, a check-in, a trigger
exposure most days, an occasional episode and lab), one with the last month of the same. Both
endpoints are timed in-process (DRF's APIClient) for the same recent 30-day period — that should
cost the same whatever lies outside the period — and insights also for each patient's full span.
Prints ratios 3y / 1m and each request's query count. The records are written with bulk_create,
whose queryset (apps.diary.models.DiaryRecordQuerySet) builds their stored days the way every
write does (apps.diary.days.refresh): insights read those.

    .venv/bin/python -m bench.bench_diary
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from bench.harness import alternate, django_database, table

DAYS_LONG = 3 * 365
DAYS_SHORT = 30


def _build(patient, days: int, now: dt.datetime) -> None:
    from apps.diary.models import (
        AnaphylaxisEpisode,
        DailyCheckIn,
        LabResult,
        Symptom,
        SymptomEntry,
        Trigger,
        TriggerExposure,
    )

    rng = random.Random(days)
    symptoms = list(Symptom.objects.filter(patient=None))
    triggers = list(Trigger.objects.filter(patient=None))
    entries, check_ins, exposures, episodes, labs = [], [], [], [], []
    for back in range(days, 0, -1):
        day = now - dt.timedelta(days=back)
        for _ in range(4):
            entries.append(
                SymptomEntry(patient=patient, occurred_at=day + dt.timedelta(minutes=rng.randint(0, 1439)),
                             symptom=rng.choice(symptoms), severity=rng.randint(0, 10))
            )  # fmt: skip
        check_ins.append(
            DailyCheckIn(patient=patient, local_date=day.date(), overall_severity=rng.randint(0, 10),
                         quality_of_life=rng.randint(20, 100))
        )  # fmt: skip
        if rng.random() < 0.8:
            exposures.append(
                TriggerExposure(patient=patient, occurred_at=day + dt.timedelta(hours=rng.randint(0, 23)),
                                trigger=rng.choice(triggers))
            )  # fmt: skip
        if back % 45 == 0:
            episodes.append(
                AnaphylaxisEpisode(
                    patient=patient, onset_at=day, findings=["skin.urticaria"], grade=1
                )
            )
            labs.append(
                LabResult(patient=patient, analyte="tryptase", value=Decimal("9.1"), sampled_at=day)
            )
    SymptomEntry.objects.bulk_create(entries, batch_size=2000)
    DailyCheckIn.objects.bulk_create(check_ins, batch_size=2000)
    TriggerExposure.objects.bulk_create(exposures, batch_size=2000)
    AnaphylaxisEpisode.objects.bulk_create(episodes)
    LabResult.objects.bulk_create(labs)


def main() -> None:
    with django_database():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse
        from django.utils import timezone
        from rest_framework.test import APIClient

        from apps.accounts.models import User
        from apps.careteam.models import Membership, Patient, Role

        now = timezone.now().replace(microsecond=0)
        user = User.objects.create_user("bench@example.org", "x", display_name="Bench")
        clients = {}
        for label, days in (("3y", DAYS_LONG), ("1m", DAYS_SHORT)):
            patient = Patient.objects.create(display_name=label, time_zone="Europe/Rome")
            Membership.objects.create(patient=patient, user=user, role=Role.OWNER)
            _build(patient, days, now)
            clients[label] = patient
        client = APIClient()
        client.force_authenticate(user)

        recent = {"from": (now - dt.timedelta(days=30)).isoformat(), "to": now.isoformat()}

        def path(name: str, patient, period: dict[str, str]) -> str:
            from urllib.parse import urlencode

            return reverse(name, kwargs={"patient_pk": patient.pk}) + "?" + urlencode(period)

        def full(days: int) -> dict[str, str]:
            return {"from": (now - dt.timedelta(days=days + 1)).isoformat(), "to": now.isoformat()}

        cases = {
            "timeline 30d @3y": path("diary-timeline", clients["3y"], recent),
            "timeline 30d @1m": path("diary-timeline", clients["1m"], recent),
            "insights 30d @3y": path("diary-insights", clients["3y"], recent),
            "insights 30d @1m": path("diary-insights", clients["1m"], recent),
            "insights all @3y": path("diary-insights", clients["3y"], full(DAYS_LONG)),
            "insights all @1m": path("diary-insights", clients["1m"], full(DAYS_SHORT)),
        }
        queries = {}
        sizes = {}
        for name, url in cases.items():
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            assert response.status_code == 200, response.content[:300]
            queries[name] = len(ctx.captured_queries)
            data = response.json()
            sizes[name] = len(data["items"]) if "items" in data else len(data["burden"]["days"])

        def call(url: str):
            return lambda: client.get(url)

        timings = alternate({name: call(url) for name, url in cases.items()}, repeat=5, number=3)
        rows: list[tuple[str, ...]] = [("request", "ms", "queries", "items/days")]
        for name in cases:
            rows.append((name, f"{timings[name] * 1000:.1f}", str(queries[name]), str(sizes[name])))
        table(rows)
        print()
        for what in ("timeline 30d", "insights 30d", "insights all"):
            ratio = timings[f"{what} @3y"] / timings[f"{what} @1m"]
            print(f"  {what}: 3 years / 1 month = {ratio:.2f}x")


if __name__ == "__main__":
    main()
