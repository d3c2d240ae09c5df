"""GET /insights: burden per domain in the patient's local days and triggers before flares."""

from __future__ import annotations

import datetime as dt

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
        # three reads: the stored days, the entries of the edge days, the triggers' names
        with django_assert_num_queries(6):
            assert owner.get(path).status_code == 200
