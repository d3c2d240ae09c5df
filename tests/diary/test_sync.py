"""The offline rules of apps.sync, exercised through the diary's records."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.careteam import access
from apps.careteam.models import Role
from apps.diary.models import DailyCheckIn, SymptomEntry, TriggerExposure
from apps.diary.serializers import patient_today
from apps.sync.models import Change

from .conftest import ago, new_id, url

pytestmark = pytest.mark.django_db


def _symptom_body(**over):  # type: ignore[no-untyped-def]
    return {
        "id": new_id(),
        "symptom": "skin.flushing",
        "severity": 5,
        "occurred_at": ago(hours=2),
        **over,
    }


def test_a_repeated_create_stores_once_and_answers_with_the_stored_record(world, owner):
    body = _symptom_body()
    first = owner.post(url("symptom-entry-list", world.patient), body)
    second = owner.post(url("symptom-entry-list", world.patient), body)
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json() == first.json()
    assert second["ETag"] == '"1"'
    assert SymptomEntry.objects.filter(pk=body["id"]).count() == 1


def test_the_same_id_with_another_body_is_a_conflict_and_changes_nothing(world, owner):
    body = _symptom_body()
    owner.post(url("symptom-entry-list", world.patient), body)
    response = owner.post(url("symptom-entry-list", world.patient), {**body, "severity": 9})
    assert response.status_code == 409
    assert SymptomEntry.objects.get(pk=body["id"]).severity == 5


def test_an_id_used_by_another_patient_is_a_conflict(world, client_for):
    body = _symptom_body()
    client_for(world.stranger).post(url("symptom-entry-list", world.strangers_patient), body)
    response = client_for(world.owner).post(url("symptom-entry-list", world.patient), body)
    assert response.status_code == 409
    assert SymptomEntry.objects.get(pk=body["id"]).patient == world.strangers_patient


def test_a_stale_update_is_refused_and_changes_nothing(world, owner, client_for):
    body = _symptom_body()
    owner.post(url("symptom-entry-list", world.patient), body)
    detail = url("symptom-entry-detail", world.patient, body["id"])
    carer = client_for(world.caregiver)
    assert carer.patch(detail, {"severity": 7}, HTTP_IF_MATCH='"1"').status_code == 200
    stale = owner.patch(detail, {"severity": 2}, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert stale.json()["current"]["severity"] == 7
    entry = SymptomEntry.objects.get(pk=body["id"])
    assert (entry.severity, entry.version) == (7, 2)
    # the version field works like the header
    assert owner.patch(detail, {"severity": 3, "version": 2}).status_code == 200


def test_an_update_without_a_version_is_refused(world, owner):
    body = _symptom_body()
    owner.post(url("symptom-entry-list", world.patient), body)
    response = owner.patch(url("symptom-entry-detail", world.patient, body["id"]), {"severity": 1})
    assert response.status_code == 428
    assert SymptomEntry.objects.get(pk=body["id"]).severity == 5


def test_deleting_twice_answers_204_and_leaves_one_tombstone_in_the_feed(world, owner):
    body = _symptom_body()
    owner.post(url("symptom-entry-list", world.patient), body)
    detail = url("symptom-entry-detail", world.patient, body["id"])
    assert owner.delete(detail, HTTP_IF_MATCH='"1"').status_code == 204
    assert owner.delete(detail, HTTP_IF_MATCH='"1"').status_code == 204
    assert owner.get(detail).status_code == 404
    assert SymptomEntry.objects.get(pk=body["id"]).deleted_at is not None
    feed = owner.get(url("change-feed", world.patient, since=0)).json()
    assert [(c["id"], c["deleted"], c["record"]) for c in feed["changes"]] == [
        (body["id"], True, None)
    ]


def test_an_idempotency_key_replays_the_first_answer(world, owner):
    body = {"symptom": "gi.diarrhoea", "severity": 4, "occurred_at": ago(minutes=30)}
    first = owner.post(url("symptom-entry-list", world.patient), body, HTTP_IDEMPOTENCY_KEY="k-1")
    again = owner.post(url("symptom-entry-list", world.patient), body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert SymptomEntry.objects.filter(patient=world.patient).count() == 1
    other = owner.post(
        url("symptom-entry-list", world.patient),
        {**body, "severity": 6},
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert other.status_code == 400


def test_an_offline_week_replayed_twice_comes_back_once_each_in_the_feed(world, client_for):
    """A phone logs a week offline with its own ids, then sends its outbox twice (the first
    answers were lost); another device catching up sees every record exactly once."""
    phone = client_for(world.caregiver)
    today = patient_today(world.patient)
    exposure_id = new_id()
    outbox = [
        (
            "trigger-exposure-list",
            {
                "id": exposure_id,
                "trigger": "trigger.food.spicy",
                "detail": "curry",
                "occurred_at": ago(days=6, hours=3),
            },
        )
    ]
    for day in range(6, -1, -1):
        outbox.append(
            ("symptom-entry-list", _symptom_body(occurred_at=ago(days=day, hours=1), severity=day))
        )
        outbox.append(
            (
                "check-in-list",
                {
                    "id": new_id(),
                    "local_date": str(today - dt.timedelta(days=day)),
                    "overall_severity": 3,
                    "quality_of_life": 70,
                },
            )
        )
    outbox.append(
        (
            "anaphylaxis-episode-list",
            {
                "id": new_id(),
                "onset_at": ago(days=6, hours=2),
                "findings": ["skin.urticaria", "resp.wheeze"],
                "suspected_exposures": [exposure_id],
            },
        )
    )
    outbox.append(
        (
            "lab-result-list",
            {"id": new_id(), "analyte": "tryptase", "value": "8.2", "sampled_at": ago(days=5)},
        )
    )
    for expected in (201, 200):  # stored the first time; the repeat answers with the record
        for name, body in outbox:
            response = phone.post(url(name, world.patient), body)
            assert response.status_code == expected, (name, response.json())

    other_device = client_for(world.owner)
    seen: list[str] = []
    cursor = 0
    while True:
        page = other_device.get(url("change-feed", world.patient, since=cursor, limit=4)).json()
        seen.extend(change["id"] for change in page["changes"])
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    assert sorted(seen) == sorted(body["id"] for _, body in outbox)
    assert (
        len(seen) == len(set(seen)) == 17
    )  # 1 exposure, 7 symptoms, 7 check-ins, 1 episode, 1 lab
    assert DailyCheckIn.objects.filter(patient=world.patient).count() == 7
    assert TriggerExposure.objects.filter(patient=world.patient).count() == 1


def test_a_record_changed_after_the_cursor_comes_back_once_with_its_latest_state(world, owner):
    body = _symptom_body()
    owner.post(url("symptom-entry-list", world.patient), body)
    cursor = owner.get(url("change-feed", world.patient, since=0)).json()["cursor"]
    detail = url("symptom-entry-detail", world.patient, body["id"])
    owner.patch(detail, {"severity": 6, "version": 1})
    owner.patch(detail, {"severity": 8, "version": 2})
    changes = owner.get(url("change-feed", world.patient, since=cursor)).json()["changes"]
    assert [(c["id"], c["record"]["severity"], c["record"]["version"]) for c in changes] == [
        (body["id"], 8, 3)
    ]


def test_the_feed_holds_only_kinds_the_role_may_read(world, owner, client_for, monkeypatch):
    owner.post(url("symptom-entry-list", world.patient), _symptom_body())
    assert (
        len(client_for(world.clinician).get(url("change-feed", world.patient)).json()["changes"])
        == 1
    )
    tightened = dict(access.ROLE_CAPABILITIES)
    tightened[Role.CLINICIAN] = tightened[Role.CLINICIAN] - {access.Capability.READ_DIARY}
    monkeypatch.setattr(access, "ROLE_CAPABILITIES", tightened)
    response = client_for(world.clinician).get(url("change-feed", world.patient, since=0))
    assert response.status_code == 200
    assert response.json()["changes"] == []
    assert Change.objects.filter(patient=world.patient).count() == 1


def _log_days(client, patient, days: range) -> None:  # type: ignore[no-untyped-def]
    """Local days (0 today, 1 yesterday…), each with a symptom entry, a trigger exposure, a
    check-in and a lab result."""
    today = patient_today(patient)
    for day in days:
        for name, body in [
            ("symptom-entry-list", _symptom_body(occurred_at=ago(days=day, hours=1))),
            (
                "trigger-exposure-list",
                {"trigger": "trigger.food.spicy", "occurred_at": ago(days=day, hours=3)},
            ),
            (
                "check-in-list",
                {
                    "local_date": str(today - dt.timedelta(days=day)),
                    "overall_severity": 3,
                    "quality_of_life": 70,
                },
            ),
            (
                "lab-result-list",
                {"analyte": "tryptase", "value": "8.2", "sampled_at": ago(days=day, hours=4)},
            ),
        ]:
            assert client.post(url(name, patient), body).status_code == 201, name


# A page of the feed with four kinds of record: signing in, access, the audit record, the changes,
# and one query per kind on the page, however many records of that kind it holds (nine today).
FEED_QUERIES = 9


def test_the_feed_costs_a_fixed_number_of_queries_however_many_records_it_holds(
    world, owner, client_for, django_assert_max_num_queries
):
    reader = client_for(world.caregiver)
    _log_days(owner, world.patient, range(1))
    with django_assert_max_num_queries(FEED_QUERIES) as few:
        small = reader.get(url("change-feed", world.patient, since=0))
    assert len(small.json()["changes"]) == 4
    _log_days(owner, world.patient, range(1, 7))
    with django_assert_max_num_queries(FEED_QUERIES) as many:
        large = reader.get(url("change-feed", world.patient, since=0))
    assert len(large.json()["changes"]) == 28
    assert len(many.captured_queries) == len(few.captured_queries)
