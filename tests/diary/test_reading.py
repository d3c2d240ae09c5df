"""Reading the diary back: filtered, paginated lists and the merged timeline, each in a fixed
number of queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.diary.models import (
    AnaphylaxisEpisode,
    DailyCheckIn,
    LabResult,
    Symptom,
    SymptomEntry,
    Trigger,
    TriggerExposure,
)

from .conftest import url

pytestmark = pytest.mark.django_db

START = dt.datetime(2025, 5, 1, 8, 0, tzinfo=dt.UTC)


def _fill(patient, days: int, start: dt.datetime = START) -> None:  # type: ignore[no-untyped-def]
    flushing = Symptom.objects.get(code="skin.flushing")
    diarrhoea = Symptom.objects.get(code="gi.diarrhoea")
    heat = Trigger.objects.get(code="trigger.temperature.heat")
    for day in range(days):
        at = start + dt.timedelta(days=day)
        SymptomEntry.objects.create(
            patient=patient, occurred_at=at, symptom=flushing, severity=day % 11
        )
        SymptomEntry.objects.create(
            patient=patient, occurred_at=at + dt.timedelta(hours=3), symptom=diarrhoea, severity=2
        )
        exposure = TriggerExposure.objects.create(
            patient=patient, occurred_at=at - dt.timedelta(hours=1), trigger=heat
        )
        DailyCheckIn.objects.create(
            patient=patient, local_date=at.date(), overall_severity=3, quality_of_life=70
        )
        episode = AnaphylaxisEpisode.objects.create(
            patient=patient,
            onset_at=at + dt.timedelta(hours=5),
            findings=["skin.urticaria"],
            grade=1,
        )
        episode.suspected_exposures.add(exposure)
        LabResult.objects.create(
            patient=patient, analyte="tryptase", value=Decimal("9.5"), sampled_at=at
        )


def _queries(client, path: str) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.json()
    return len(ctx.captured_queries), response.json()


LISTS = [
    "symptom-entry-list",
    "check-in-list",
    "trigger-exposure-list",
    "anaphylaxis-episode-list",
    "lab-result-list",
]


@pytest.mark.parametrize("name", [*LISTS, "catalogue-symptom-list", "catalogue-trigger-list"])
def test_lists_run_a_fixed_number_of_queries(world, client_for, name, django_assert_num_queries):
    clinician = client_for(world.clinician)  # a non-owner: the audit write is counted too
    _fill(world.patient, 2)
    few, _ = _queries(clinician, url(name, world.patient))
    _fill(world.patient, 40, start=START + dt.timedelta(days=2))
    expected = (
        6 if name == "anaphylaxis-episode-list" else 5
    )  # session, user, membership, page(+prefetch), audit
    with django_assert_num_queries(expected):
        response = clinician.get(url(name, world.patient))
    assert response.status_code == 200
    assert few == expected


def test_lists_are_newest_first_by_event_time_and_page_without_repeats(world, owner):
    _fill(world.patient, 30)
    seen: list[str] = []
    times: list[str] = []
    path = url("symptom-entry-list", world.patient, page_size=7)
    while path:
        page = owner.get(path).json()
        seen += [r["id"] for r in page["results"]]
        times += [r["occurred_at"] for r in page["results"]]
        path = page["next"]
    assert len(seen) == len(set(seen)) == 60
    assert times == sorted(times, reverse=True)


def test_list_filters(world, owner):
    _fill(world.patient, 10)
    entries = owner.get(url("symptom-entry-list", world.patient, domain="gastrointestinal")).json()[
        "results"
    ]
    assert len(entries) == 10 and {e["symptom"] for e in entries} == {"gi.diarrhoea"}
    flushing = owner.get(
        url(
            "symptom-entry-list",
            world.patient,
            symptom="skin.flushing",
            **{"from": "2025-05-03", "to": "2025-05-04"},
        )
    ).json()["results"]
    assert [e["occurred_at"][:10] for e in flushing] == ["2025-05-04", "2025-05-03"]
    exposures = owner.get(
        url("trigger-exposure-list", world.patient, category="temperature")
    ).json()["results"]
    assert len(exposures) == 10
    assert (
        owner.get(url("trigger-exposure-list", world.patient, category="food")).json()["results"]
        == []
    )
    check_ins = owner.get(
        url("check-in-list", world.patient, **{"from": "2025-05-02", "to": "2025-05-03"})
    ).json()["results"]
    assert [c["local_date"] for c in check_ins] == ["2025-05-03", "2025-05-02"]
    labs = owner.get(
        url("lab-result-list", world.patient, analyte="tryptase", to="2025-05-01T09:00:00+00:00")
    ).json()["results"]
    assert len(labs) == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"domain": "liver"}, "domain"),
        ({"from": "yesterday"}, "from"),
        ({"from": "2025-05-03", "to": "2025-05-01"}, "to"),
        ({"category": "x"}, "category"),
    ],
)
def test_bad_filters_are_refused(world, owner, params, field):
    response = owner.get(url("symptom-entry-list", world.patient, **params))
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_the_timeline_merges_every_kind_in_time_order(world, client_for):
    _fill(world.patient, 3)
    timeline = (
        client_for(world.caregiver)
        .get(url("diary-timeline", world.patient, **{"from": "2025-05-01", "to": "2025-05-03"}))
        .json()
    )
    kinds = [item["kind"] for item in timeline["items"]]
    assert sorted(set(kinds)) == [
        "anaphylaxis_episode",
        "check_in",
        "lab_result",
        "symptom",
        "trigger_exposure",
    ]
    assert len(kinds) == 3 * 6  # per day: 2 symptoms, an exposure, a check-in, an episode, a lab
    times = [item["at"] for item in timeline["items"]]
    assert times == sorted(times)
    # a check-in sits at the local midnight starting its day (Rome is UTC+2 in May)
    first_check_in = next(item for item in timeline["items"] if item["kind"] == "check_in")
    assert first_check_in["at"] == "2025-04-30T22:00:00Z"
    episode = next(item for item in timeline["items"] if item["kind"] == "anaphylaxis_episode")
    assert episode["record"]["suspected_exposures"]


def test_the_timeline_runs_a_fixed_number_of_queries(world, client_for, django_assert_num_queries):
    clinician = client_for(world.clinician)
    _fill(world.patient, 2)
    period = {"from": "2025-05-01", "to": "2025-08-01", "page_size": 200}
    few, small = _queries(clinician, url("diary-timeline", world.patient, **period))
    _fill(world.patient, 60, start=START + dt.timedelta(days=2))
    with django_assert_num_queries(few):
        response = clinician.get(url("diary-timeline", world.patient, **period))
    assert len(response.json()["items"]) > 10 * len(small["items"])
    assert few == 10  # session, user, membership, five kinds + the episodes' exposures, audit


def test_the_timeline_period_is_bounded(world, owner):
    too_long = owner.get(
        url("diary-timeline", world.patient, **{"from": "2024-01-01", "to": "2025-06-01"})
    )
    assert too_long.status_code == 400 and "to" in too_long.json()["fields"]
    default = owner.get(url("diary-timeline", world.patient)).json()
    span = dt.datetime.fromisoformat(default["to"]) - dt.datetime.fromisoformat(default["from"])
    assert span == dt.timedelta(days=30)
    assert dt.datetime.fromisoformat(default["to"]) <= timezone.now()
