"""GET /insights: burden per domain in the patient's local days and triggers before flares."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from apps.diary.models import (
    AnaphylaxisEpisode,
    DailyCheckIn,
    Symptom,
    SymptomEntry,
    Trigger,
    TriggerExposure,
)

from .conftest import url

pytestmark = pytest.mark.django_db

ROME_MAY_1 = dt.datetime(2025, 5, 1, tzinfo=dt.UTC) - dt.timedelta(hours=2)  # local midnight


def test_burden_is_the_highest_severity_per_local_day_and_domain(world, client_for):
    flushing, itching = (
        Symptom.objects.get(code="skin.flushing"),
        Symptom.objects.get(code="skin.itching"),
    )
    headache = Symptom.objects.get(code="neuro.headache")
    p = world.patient
    # 23:30 UTC on 30 April is 01:30 on 1 May in Rome: it belongs to 1 May
    SymptomEntry.objects.create(
        patient=p,
        occurred_at=ROME_MAY_1 + dt.timedelta(hours=1, minutes=30),
        symptom=flushing,
        severity=4,
    )
    SymptomEntry.objects.create(
        patient=p, occurred_at=ROME_MAY_1 + dt.timedelta(hours=9), symptom=itching, severity=7
    )
    SymptomEntry.objects.create(
        patient=p, occurred_at=ROME_MAY_1 + dt.timedelta(hours=10), symptom=headache, severity=3
    )
    DailyCheckIn.objects.create(
        patient=p, local_date=dt.date(2025, 5, 3), overall_severity=0, quality_of_life=90
    )
    response = client_for(world.clinician).get(
        url("diary-insights", p, **{"from": "2025-05-01", "to": "2025-05-04"})
    )
    assert response.status_code == 200, response.json()
    burden = response.json()["burden"]
    assert burden["days"] == ["2025-05-01", "2025-05-02", "2025-05-03", "2025-05-04"]
    assert burden["domains"]["skin"] == [7, None, 0, None]
    assert burden["domains"]["neuropsychological"] == [3, None, 0, None]
    assert set(burden["domains"]) == {
        "skin", "gastrointestinal", "cardiovascular", "respiratory",
        "musculoskeletal", "neuropsychological", "constitutional",
    }  # fmt: skip


def test_triggers_followed_by_flares_against_the_baseline(world, owner):
    p = world.patient
    heat = Trigger.objects.get(code="trigger.temperature.heat")
    food = Trigger.objects.get(code="trigger.food.spicy")
    sting = Trigger.objects.get(code="trigger.sting.wasp")
    flushing = Symptom.objects.get(code="skin.flushing")
    start = dt.datetime(2025, 3, 1, 8, tzinfo=dt.UTC)
    for week in range(8):
        t = start + dt.timedelta(days=7 * week)
        TriggerExposure.objects.create(patient=p, occurred_at=t, trigger=heat)
        SymptomEntry.objects.create(
            patient=p, occurred_at=t + dt.timedelta(hours=2), symptom=flushing, severity=8
        )
        SymptomEntry.objects.create(
            patient=p, occurred_at=t + dt.timedelta(hours=30), symptom=flushing, severity=3
        )  # not a flare
        TriggerExposure.objects.create(
            patient=p, occurred_at=t + dt.timedelta(days=3), trigger=food
        )
    TriggerExposure.objects.create(
        patient=p, occurred_at=start + dt.timedelta(days=20), trigger=sting
    )
    AnaphylaxisEpisode.objects.create(patient=p, onset_at=start + dt.timedelta(days=20, minutes=20))
    body = owner.get(
        url("diary-insights", p, **{"from": "2025-03-01", "to": "2025-04-30", "window_hours": 6})
    ).json()
    rows = {row["trigger"]: row for row in body["triggers"]}
    assert body["flares"]["count"] == 9  # eight severe flushes and one anaphylaxis
    heat_row = rows["trigger.temperature.heat"]
    assert (heat_row["exposures"], heat_row["followed_by_flare"], heat_row["sufficient_data"]) == (
        8,
        8,
        True,
    )
    assert heat_row["proportion"] == 1.0 and heat_row["ratio"] > 10
    assert (
        rows["trigger.food.spicy"]["followed_by_flare"],
        rows["trigger.food.spicy"]["ratio"],
    ) == (0, 0.0)
    # one sting, followed by anaphylaxis: counted, but too few to claim anything
    assert (
        rows["trigger.sting.wasp"]["followed_by_flare"],
        rows["trigger.sting.wasp"]["ratio"],
    ) == (1, None)
    assert rows["trigger.sting.wasp"]["sufficient_data"] is False
    # a higher threshold leaves too few flares for any claim
    strict = owner.get(
        url("diary-insights", p, **{"from": "2025-03-01", "to": "2025-04-30", "threshold": 9})
    ).json()
    assert strict["flares"]["count"] == 1
    assert all(row["ratio"] is None for row in strict["triggers"])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"threshold": 11}, "threshold"),
        ({"window_hours": 0}, "window_hours"),
        ({"from": "2020-01-01", "to": "2025-01-01"}, "to"),
    ],
)
def test_bad_insight_parameters(world, owner, params, field):
    response = owner.get(url("diary-insights", world.patient, **params))
    assert response.status_code == 400 and field in response.json()["fields"]


def test_insights_run_a_fixed_number_of_queries(world, owner, django_assert_num_queries):
    flushing = Symptom.objects.get(code="skin.flushing")
    heat = Trigger.objects.get(code="trigger.temperature.heat")
    path = url("diary-insights", world.patient, **{"from": "2025-01-01", "to": "2025-03-01"})
    for n in (3, 50):
        for i in range(n):
            at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=17 * i)
            SymptomEntry.objects.create(
                patient=world.patient, occurred_at=at, symptom=flushing, severity=i % 11
            )
            TriggerExposure.objects.create(patient=world.patient, occurred_at=at, trigger=heat)
        # session, user (with "a clinician anywhere?", the second-factor rule), membership,
        # five reads
        with django_assert_num_queries(8):
            assert owner.get(path).status_code == 200


# Zones whose offset changes in awkward ways: DST at 02:00 and 03:00, a 30-minute DST
# (Lord Howe), DST at midnight (Santiago, Havana), +05:45 (Kathmandu), a skipped day (Apia, 2011).
AWKWARD_ZONES = (
    "Europe/Rome",
    "America/New_York",
    "Australia/Lord_Howe",
    "America/Santiago",
    "America/Havana",
    "Asia/Kathmandu",
    "Pacific/Apia",
    "UTC",
)


@pytest.mark.parametrize("zone_name", AWKWARD_ZONES)
def test_offset_stretches_give_each_instants_own_offset(zone_name):
    from apps.diary.selectors import _offset_stretches

    zone = zoneinfo.ZoneInfo(zone_name)
    start = dt.datetime(2010, 6, 1, 13, 7, 5, 250_000, tzinfo=dt.UTC)
    end = dt.datetime(2013, 2, 1, 3, tzinfo=dt.UTC)
    stretches = _offset_stretches(zone, start, end)
    assert stretches[-1][0] is None
    moment = start
    while moment < end:
        expected = moment.astimezone(zone).utcoffset()
        offset = next(off for until, off in stretches if until is None or moment < until)
        assert offset == expected, (moment, stretches)
        for until, _ in stretches[:-1]:  # each change, to the second either side
            assert until is not None
            for probe in (until - dt.timedelta(seconds=1), until):
                got = next(off for u, off in stretches if u is None or probe < u)
                assert got == probe.astimezone(zone).utcoffset()
        moment += dt.timedelta(hours=5, minutes=17)


@pytest.mark.parametrize("zone_name", AWKWARD_ZONES)
def test_the_local_date_in_sql_is_the_instants_local_date(world, zone_name):
    """apps.diary.selectors.LocalDate (SQLite: date() shifted per stretch of offset) against
    Python's own conversion, around every offset change of three years and every 7 hours."""
    from apps.diary.selectors import LocalDate, _offset_stretches

    zone = zoneinfo.ZoneInfo(zone_name)
    flushing = Symptom.objects.get(code="skin.flushing")
    start = dt.datetime(2010, 6, 1, 13, 7, 5, tzinfo=dt.UTC)
    end = dt.datetime(2013, 2, 1, 3, tzinfo=dt.UTC)
    moments = []
    moment = start
    while moment < end:
        moments.append(moment)
        moment += dt.timedelta(hours=7, minutes=3, microseconds=1)
    for until, _ in _offset_stretches(zone, start, end)[:-1]:
        assert until is not None
        for delta in (-1_000_000, -1, 0, 1, 1_000_000):
            moments.append(until + dt.timedelta(microseconds=delta))
    SymptomEntry.objects.bulk_create(
        SymptomEntry(patient=world.patient, occurred_at=m, symptom=flushing, severity=1)
        for m in moments
    )
    rows = (
        SymptomEntry.objects.filter(
            patient=world.patient, occurred_at__gte=start, occurred_at__lt=end
        )
        .annotate(day=LocalDate("occurred_at", tzinfo=zone, start=start, end=end))
        .values_list("occurred_at", "day")
    )
    got = dict(rows)
    assert len(got) == len(moments)
    assert got == {m: m.astimezone(zone).date() for m in moments}
