"""The stored diary days (apps.diary.days): every write path keeps them equal to a recomputation
from scratch, insights read from them answer exactly what reading every record answered, and
the daily reconciliation logs and repairs drift."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from apps.careteam.models import Patient
from apps.core.localtime import local_day
from apps.diary import days, insights, selectors
from apps.diary import demo as diary_demo
from apps.diary.models import (
    AnaphylaxisEpisode,
    DailyCheckIn,
    DiaryDay,
    Symptom,
    SymptomDomain,
    SymptomEntry,
    Trigger,
    TriggerExposure,
)
from apps.diary.tasks import reconcile_diary_days
from apps.ops.demo import Demo, _load_accounts_and_teams

from .conftest import ago, new_id, url

pytestmark = pytest.mark.django_db


def stored_rows(patient: Patient) -> dict[dt.date, dict[str, Any]]:
    return {
        day: dict(zip(days.FIELDS, values, strict=True))
        for day, *values in DiaryDay.objects.filter(patient=patient).values_list(
            "local_date", *days.FIELDS
        )
    }


def assert_current(patient: Patient) -> None:
    patient.refresh_from_db()
    assert stored_rows(patient) == days.compute(patient)


# --- every write path -----------------------------------------------------------------------------


def test_entries_created_moved_lowered_and_deleted_through_the_api(world, owner):
    p = world.patient
    body = {"occurred_at": ago(days=3), "symptom": "skin.flushing", "severity": 8}
    created = owner.post(url("symptom-entry-list", p), body)
    assert created.status_code == 201, created.json()
    entry = created.json()
    day = local_day(dt.datetime.fromisoformat(entry["occurred_at"]), p.zone)
    assert stored_rows(p)[day]["peaks"] == {"skin": 8}
    assert_current(p)

    detail = url("symptom-entry-detail", p, entry["id"])
    # Lower the only entry of the day: the peak is recomputed, not kept by a max.
    moved = owner.patch(detail, {"severity": 2}, HTTP_IF_MATCH='"1"')
    assert moved.status_code == 200, moved.json()
    assert stored_rows(p)[day]["peaks"] == {"skin": 2}
    # Another domain, then another day: the old day empties and has no row.
    owner.patch(detail, {"symptom": "neuro.headache"}, HTTP_IF_MATCH='"2"')
    assert stored_rows(p)[day]["peaks"] == {"neuropsychological": 2}
    owner.patch(detail, {"occurred_at": ago(days=5)}, HTTP_IF_MATCH='"3"')
    assert day not in stored_rows(p)
    assert_current(p)
    assert owner.delete(detail, HTTP_IF_MATCH='"4"').status_code == 204
    assert stored_rows(p) == {}


def test_check_ins_exposures_and_episodes_through_the_api_and_a_replayed_sync(world, owner):
    p = world.patient
    check_in = {"id": new_id(), "local_date": "2025-01-10", "overall_severity": 3,
                "quality_of_life": 70}  # fmt: skip
    assert owner.post(url("check-in-list", p), check_in).status_code == 201
    # The phone's outbox sends the same create again: a replay, nothing changes.
    assert owner.post(url("check-in-list", p), check_in).status_code == 200
    exposure = {"id": new_id(), "occurred_at": ago(days=2), "trigger": "trigger.temperature.heat"}
    assert owner.post(url("trigger-exposure-list", p), exposure).status_code == 201
    assert owner.post(url("trigger-exposure-list", p), exposure).status_code == 200
    episode = {"onset_at": ago(days=1), "findings": ["skin.urticaria"]}
    response = owner.post(url("anaphylaxis-episode-list", p), episode, format="json")
    assert response.status_code == 201, response.json()
    rows = stored_rows(p)
    assert rows[dt.date(2025, 1, 10)]["checked_in"] is True
    assert sum(len(row["exposures"]) for row in rows.values()) == 1
    assert sum(len(row["episode_onsets"]) for row in rows.values()) == 1
    assert_current(p)
    detail = url("check-in-detail", p, check_in["id"])
    assert owner.delete(detail, HTTP_IF_MATCH='"1"').status_code == 204
    assert dt.date(2025, 1, 10) not in stored_rows(p)
    assert_current(p)


def test_bulk_writes_refresh_the_days_they_touch(world):
    p = world.patient
    flushing = Symptom.objects.get(code="skin.flushing")
    at = dt.datetime(2025, 2, 1, 12, tzinfo=dt.UTC)
    entries = SymptomEntry.objects.bulk_create(
        SymptomEntry(patient=p, occurred_at=at + dt.timedelta(hours=5 * i), symptom=flushing,
                     severity=i % 11)
        for i in range(20)
    )  # fmt: skip
    assert_current(p)
    SymptomEntry.objects.filter(pk__in=[e.pk for e in entries[:5]]).update(severity=0)
    assert_current(p)
    for entry in entries[5:10]:
        entry.occurred_at += dt.timedelta(days=30)
    SymptomEntry.objects.bulk_update(entries[5:10], ["occurred_at"])
    assert_current(p)
    SymptomEntry.objects.filter(pk__in=[e.pk for e in entries[10:]]).delete()
    assert_current(p)


def test_a_new_time_zone_moves_every_local_day(world, owner):
    p = world.patient
    flushing = Symptom.objects.get(code="skin.flushing")
    # 23:30 UTC: the same day in New York, the next one in Rome and Auckland.
    SymptomEntry.objects.create(
        patient=p, occurred_at=dt.datetime(2025, 6, 1, 23, 30, tzinfo=dt.UTC), symptom=flushing,
        severity=5,
    )  # fmt: skip
    assert set(stored_rows(p)) == {dt.date(2025, 6, 2)}
    response = owner.patch(
        reverse("patient-detail", args=[p.pk]), {"time_zone": "America/New_York"}
    )
    assert response.status_code == 200, response.json()
    assert set(stored_rows(p)) == {dt.date(2025, 6, 1)}
    p.refresh_from_db()
    p.time_zone = "Pacific/Auckland"
    p.save()
    assert set(stored_rows(p)) == {dt.date(2025, 6, 2)}
    assert_current(p)


def test_a_custom_symptom_moved_to_another_domain_moves_its_peaks(world, owner):
    p = world.patient
    made = owner.post(url("catalogue-symptom-list", p), {"name": "Ear pain", "domain": "skin"})
    assert made.status_code == 201, made.json()
    symptom = Symptom.objects.get(pk=made.json()["id"])
    SymptomEntry.objects.create(patient=p, occurred_at=dt.datetime(2025, 6, 1, 9, tzinfo=dt.UTC),
                                symptom=symptom, severity=6)  # fmt: skip
    response = owner.patch(
        url("catalogue-symptom-detail", p, symptom.pk), {"domain": "constitutional"},
        HTTP_IF_MATCH='"1"',
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    assert stored_rows(p)[dt.date(2025, 6, 1)]["peaks"] == {"constitutional": 6}
    assert_current(p)


def test_the_demo_loader_builds_its_days():
    demo = Demo()
    _load_accounts_and_teams(demo)
    diary_demo.load(demo)
    for patient in Patient.objects.all():
        assert_current(patient)
    assert DiaryDay.objects.exists()


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["create", "update", "delete", "check_in", "expose", "zone"]),
            st.integers(0, 24 * 10 - 1),  # an hour of ten days around a DST change
            st.integers(0, 10),
            st.integers(0, 50),
        ),
        max_size=25,
    )
)
def test_random_writes_keep_the_days_equal_to_a_recomputation(world, steps):
    patient = Patient.objects.create(display_name="Random", time_zone="Europe/Rome")
    symptoms = list(Symptom.objects.filter(patient=None)[:6])
    heat = Trigger.objects.get(code="trigger.temperature.heat")
    start = dt.datetime(2025, 10, 21, tzinfo=dt.UTC)  # Rome leaves summer time on the 26th
    zones = ["Europe/Rome", "Pacific/Auckland", "America/New_York", "UTC"]
    entries: list[SymptomEntry] = []
    for action, hour, severity, pick in steps:
        at = start + dt.timedelta(hours=hour, minutes=pick)
        if action == "create" or (not entries and action in ("update", "delete")):
            entries.append(
                SymptomEntry.objects.create(patient=patient, occurred_at=at, severity=severity,
                                            symptom=symptoms[pick % len(symptoms)])
            )  # fmt: skip
        elif action == "update":
            entry = entries[pick % len(entries)]
            entry.occurred_at, entry.severity = at, severity
            entry.symptom = symptoms[(pick + severity) % len(symptoms)]
            entry.save()
        elif action == "delete":
            entries.pop(pick % len(entries)).delete()
        elif action == "check_in":
            DailyCheckIn.objects.update_or_create(
                patient=patient, local_date=local_day(at, patient.zone),
                defaults={"overall_severity": severity, "quality_of_life": 50},
            )  # fmt: skip
        elif action == "expose":
            TriggerExposure.objects.create(patient=patient, occurred_at=at, trigger=heat)
        else:
            patient.time_zone = zones[pick % len(zones)]
            patient.save(update_fields=["time_zone"])
    assert_current(patient)


# --- insights read from the days answer what every record answered ---------------------------------


def insights_from_every_record(
    patient: Patient, period: selectors.Period, threshold: int, window: dt.timedelta
) -> dict[str, Any]:
    """How insights were computed before the stored days: the same queries over every record
    of the period, each entry placed on its local day (the SQL that did it was tested equal to
    Python's conversion, which this uses)."""
    zone = patient.zone
    day = period.start.astimezone(zone).date()
    last = (period.end - dt.timedelta(microseconds=1)).astimezone(zone).date()
    all_days = []
    while day <= last:
        all_days.append(day)
        day += dt.timedelta(days=1)
    live = {"patient": patient, "deleted_at__isnull": True}
    entries = [
        (local_day(at, zone), domain, severity)
        for at, domain, severity in SymptomEntry.objects.filter(
            **live, occurred_at__gte=period.start, occurred_at__lt=period.end
        ).values_list("occurred_at", "symptom__domain", "severity")
    ]
    flares = list(
        SymptomEntry.objects.filter(
            **live, occurred_at__gte=period.start, occurred_at__lt=period.end + window,
            severity__gte=threshold,
        ).values_list("occurred_at", flat=True)
    )  # fmt: skip
    flares += AnaphylaxisEpisode.objects.filter(
        **live, onset_at__gt=period.start, onset_at__lt=period.end + window
    ).values_list("onset_at", flat=True)
    checked_in = DailyCheckIn.objects.filter(
        **live, local_date__gte=all_days[0], local_date__lte=all_days[-1]
    ).values_list("local_date", flat=True)
    exposures, names = [], {}
    for code, name, category, at in TriggerExposure.objects.filter(
        **live, occurred_at__gte=period.start, occurred_at__lt=period.end
    ).values_list("trigger__code", "trigger__name", "trigger__category", "occurred_at"):
        exposures.append((code, at))
        names[code] = (name, category)
    m = days.to_moment
    associations = insights.trigger_associations(
        exposures=[(code, m(at)) for code, at in exposures],
        flares=[m(at) for at in flares],
        start=m(period.start),
        end=m(period.end),
        window=m(days.EPOCH + window),
    )
    return {
        "days": all_days,
        "burden": insights.daily_burden(
            days=all_days,
            domains=list(SymptomDomain.values),
            entries=entries,
            logged_days=checked_in,
        ),
        "flares": len(flares),
        "associations": selectors.association_rows(associations, names),
    }


def build_history(patient: Patient, start: dt.datetime, hours: int, seed: int) -> None:
    """A few records every day, some a microsecond either side of a local midnight."""
    import random

    rng = random.Random(seed)
    symptoms = list(Symptom.objects.filter(patient=None))
    triggers = list(Trigger.objects.filter(patient=None)[:4])
    moment = start
    while moment < start + dt.timedelta(hours=hours):
        SymptomEntry.objects.create(patient=patient, occurred_at=moment, severity=rng.randint(0, 10),
                                    symptom=rng.choice(symptoms))  # fmt: skip
        if rng.random() < 0.4:
            TriggerExposure.objects.create(
                patient=patient, occurred_at=moment - dt.timedelta(hours=1),
                trigger=rng.choice(triggers),
            )  # fmt: skip
        if rng.random() < 0.05:
            AnaphylaxisEpisode.objects.create(patient=patient, onset_at=moment, grade=1)
        local = moment.astimezone(patient.zone)
        midnight = selectors.local_midnight(local.date() + dt.timedelta(days=1), patient.zone)
        for edge in (dt.timedelta(microseconds=-1), dt.timedelta(0)):
            SymptomEntry.objects.create(patient=patient, occurred_at=midnight + edge,
                                        severity=rng.randint(0, 10), symptom=rng.choice(symptoms))  # fmt: skip
        if rng.random() < 0.5:
            DailyCheckIn.objects.get_or_create(
                patient=patient, local_date=local.date(),
                defaults={"overall_severity": 1, "quality_of_life": 60},
            )  # fmt: skip
        moment += dt.timedelta(hours=rng.randint(3, 14), microseconds=rng.randint(0, 999_999))


@pytest.mark.parametrize(
    ("zone_name", "around"),
    [
        ("Europe/Rome", dt.datetime(2025, 3, 30, 1, tzinfo=dt.UTC)),  # 23-hour day
        ("Europe/Rome", dt.datetime(2025, 10, 26, 1, tzinfo=dt.UTC)),  # 25-hour day
        ("Pacific/Auckland", dt.datetime(2025, 4, 5, 14, tzinfo=dt.UTC)),  # east of UTC, DST ends
        ("Pacific/Auckland", dt.datetime(2025, 9, 27, 14, tzinfo=dt.UTC)),
        ("America/Santiago", dt.datetime(2025, 4, 6, 3, tzinfo=dt.UTC)),  # DST at midnight
        ("Australia/Lord_Howe", dt.datetime(2025, 4, 5, 15, tzinfo=dt.UTC)),  # 30-minute DST
        ("Pacific/Apia", dt.datetime(2011, 12, 29, 10, tzinfo=dt.UTC)),  # a skipped day
    ],
)
def test_insights_answer_what_every_record_answered(world, zone_name, around):
    patient = Patient.objects.create(display_name="History", time_zone=zone_name)
    build_history(patient, around - dt.timedelta(days=12), 24 * 24, seed=len(zone_name))
    assert_current(patient)
    zone = patient.zone
    midnight = selectors.local_midnight(
        (around - dt.timedelta(days=8)).astimezone(zone).date(), zone
    )
    periods = [
        (midnight, midnight + dt.timedelta(days=16)),  # whole local days
        (
            around - dt.timedelta(days=9, hours=7, minutes=13),
            around + dt.timedelta(days=3, hours=5),
        ),
        (around - dt.timedelta(hours=3), around + dt.timedelta(hours=2)),  # inside one or two days
        (around - dt.timedelta(days=20), around + dt.timedelta(days=20)),  # past the records
    ]
    for start, end in periods:
        period = selectors.Period(start.astimezone(dt.UTC), end.astimezone(dt.UTC))
        for threshold, hours in ((7, 24), (1, 1), (10, 168)):
            window = dt.timedelta(hours=hours)
            got = selectors.patient_insights(
                patient=patient, period=period, threshold=threshold, window=window
            )
            assert got == insights_from_every_record(patient, period, threshold, window), (
                start, end, threshold, hours,
            )  # fmt: skip


# --- reconciliation -------------------------------------------------------------------------------


def test_reconciliation_logs_and_repairs_drift(world, caplog):
    p = world.patient
    flushing = Symptom.objects.get(code="skin.flushing")
    for day in range(3):
        SymptomEntry.objects.create(patient=p, symptom=flushing, severity=4,
                                    occurred_at=dt.datetime(2025, 6, 1 + day, 9, tzinfo=dt.UTC))  # fmt: skip
    assert reconcile_diary_days() == {"checked": Patient.objects.count(), "drifted": 0}
    good = stored_rows(p)
    DiaryDay.objects.filter(patient=p, local_date=dt.date(2025, 6, 1)).delete()
    DiaryDay.objects.filter(patient=p, local_date=dt.date(2025, 6, 2)).update(peaks={"skin": 9})
    DiaryDay.objects.create(patient=p, local_date=dt.date(2025, 7, 1), checked_in=True)
    with caplog.at_level(logging.WARNING, logger="apps.diary.days"):
        result = reconcile_diary_days()
    assert result["drifted"] == 1
    assert f"diary day drift for patient {p.pk}: 3 days" in caplog.text
    assert stored_rows(p) == good


def test_reconciliation_runs_daily_on_the_scans_queue():
    entry = settings.CELERY_BEAT_SCHEDULE["diary-reconcile-days"]
    assert entry["task"] == "apps.diary.tasks.reconcile_diary_days" == reconcile_diary_days.name
    assert settings.CELERY_TASK_ROUTES[entry["task"]] == {"queue": "scans"}
