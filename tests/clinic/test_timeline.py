"""The diary timeline a clinician reads (a flag's evidence): paged by a cursor, bounded, the
same number of queries per page however long the record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.diary.models import (
    AnaphylaxisEpisode,
    DailyCheckIn,
    LabResult,
    Symptom,
    SymptomEntry,
    Trigger,
    TriggerExposure,
)

pytestmark = pytest.mark.django_db
START = dt.datetime(2025, 5, 1, 8, 0, tzinfo=dt.UTC)
PERIOD = {"from": "2025-04-30", "to": "2025-08-31"}


def _fill(patient, days: int, first: int = 0) -> None:  # type: ignore[no-untyped-def]
    """Per day: three symptoms at the same instant as a lab result (ties across kinds and
    within one), an exposure, a check-in and an episode."""
    flushing = Symptom.objects.get(code="skin.flushing")
    heat = Trigger.objects.get(code="trigger.temperature.heat")
    for day in range(first, first + days):
        at = START + dt.timedelta(days=day)
        for _ in range(3):
            SymptomEntry.objects.create(
                patient=patient, occurred_at=at, symptom=flushing, severity=4
            )
        LabResult.objects.create(
            patient=patient, analyte="tryptase", value=Decimal("9.5"), sampled_at=at
        )
        exposure = TriggerExposure.objects.create(
            patient=patient, occurred_at=at - dt.timedelta(hours=1), trigger=heat
        )
        DailyCheckIn.objects.create(
            patient=patient, local_date=at.date(), overall_severity=3, quality_of_life=70
        )
        episode = AnaphylaxisEpisode.objects.create(
            patient=patient, onset_at=at + dt.timedelta(hours=5), findings=[], grade=1
        )
        episode.suspected_exposures.add(exposure)


def _url(patient, **query) -> str:  # type: ignore[no-untyped-def]
    path = reverse("diary-timeline", kwargs={"patient_pk": patient.pk})
    return path + "?" + urlencode({**PERIOD, **query})


def _pages(client, first: str) -> tuple[list[dict], list[int]]:  # type: ignore[no-untyped-def]
    items: list[dict] = []
    queries: list[int] = []
    url: str | None = first
    while url:
        with CaptureQueriesContext(connection) as ctx:
            answer = client.get(url)
        assert answer.status_code == 200, answer.json()
        queries.append(len(ctx.captured_queries))
        body = answer.json()
        items.extend(body["items"])
        url = body["next"]
        assert len(queries) < 100
    return items, queries


def _key(item: dict) -> tuple[str, str]:
    return item["kind"], item["record"]["id"]


def test_pages_cover_the_period_once_in_order(world, client_for) -> None:
    _fill(world.patient, 4)  # 4 × 7 = 28 items
    client = client_for(world.clinician)
    whole = client.get(_url(world.patient, page_size=200)).json()
    assert whole["next"] is None and len(whole["items"]) == 28
    for size in (1, 3, 7, 28):
        items, _ = _pages(client, _url(world.patient, page_size=size))
        assert [_key(i) for i in items] == [_key(i) for i in whole["items"]], size
    first = client.get(_url(world.patient, page_size=5)).json()
    assert len(first["items"]) == 5 and first["next"]
    assert first["from"] == whole["from"] and first["to"] == whole["to"]


def test_a_page_is_bounded_and_costs_the_same_however_long_the_record(world, client_for) -> None:
    client = client_for(world.clinician)
    _fill(world.patient, 2)
    _, few = _pages(client, _url(world.patient, page_size=5))
    _fill(world.patient, 60, first=2)
    first = client.get(_url(world.patient)).json()
    assert len(first["items"]) == 100  # the default page, not the 434 items of the period
    items, queries = _pages(client, _url(world.patient, page_size=50))
    assert len(items) > 400
    # The same queries on every page (session, user, membership, five kinds + the episodes'
    # exposures, audit), whatever the rows.
    assert set(queries) == {few[0]}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "WyJ4IiwieSIsInoiXQ"}, "cursor"),  # ["x","y","z"]
        ({"page_size": 0}, "page_size"),
        ({"page_size": 201}, "page_size"),
    ],
)
def test_bad_paging_is_a_400(world, client_for, query, field) -> None:
    answer = client_for(world.clinician).get(_url(world.patient, **query))
    assert answer.status_code == 400
    assert field in answer.json()["fields"]
