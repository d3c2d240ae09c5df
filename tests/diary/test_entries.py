"""Logging: catalogues, symptoms, check-ins, exposures and episodes, and the bad input each refuses."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError

from apps.audit.models import AuditEvent
from apps.diary import services
from apps.diary.models import AnaphylaxisEpisode, DailyCheckIn, Symptom, SymptomEntry
from apps.diary.serializers import patient_today

from .conftest import ago, new_id, url

pytestmark = pytest.mark.django_db


def _fields(response):  # type: ignore[no-untyped-def]
    body = response.json()
    assert body["code"] == "invalid", body
    return body["fields"]


# --- catalogues -----------------------------------------------------------------------------------


def test_the_shared_catalogue_covers_every_domain_and_category(world, owner):
    symptoms = owner.get(url("catalogue-symptom-list", world.patient)).json()
    assert {s["domain"] for s in symptoms} == {
        "skin", "gastrointestinal", "cardiovascular", "respiratory",
        "musculoskeletal", "neuropsychological", "constitutional",
    }  # fmt: skip
    assert {"skin.flushing", "gi.diarrhoea", "neuro.headache"} <= {s["code"] for s in symptoms}
    triggers = owner.get(url("catalogue-trigger-list", world.patient)).json()
    assert len({t["category"] for t in triggers}) == 10
    skin = owner.get(url("catalogue-symptom-list", world.patient, domain="skin")).json()
    assert skin and all(s["domain"] == "skin" for s in skin)


def test_custom_entries_are_private_to_their_patient(world, owner, client_for):
    created = owner.post(
        url("catalogue-symptom-list", world.patient), {"name": "Cat hair rash", "domain": "skin"}
    )
    assert created.status_code == 201
    assert created.json()["code"] == "custom.cat_hair_rash"
    assert created.json()["is_custom"] is True
    stranger = client_for(world.stranger)
    theirs = stranger.get(url("catalogue-symptom-list", world.strangers_patient)).json()
    assert "custom.cat_hair_rash" not in {s["code"] for s in theirs}
    # using another patient's custom code is an unknown code
    response = stranger.post(
        url("symptom-entry-list", world.strangers_patient),
        {"symptom": "custom.cat_hair_rash", "severity": 3, "occurred_at": ago(hours=1)},
    )
    assert response.status_code == 400
    assert "not in the catalogue" in _fields(response)["symptom"][0]
    # its owner can use it
    mine = owner.post(
        url("symptom-entry-list", world.patient),
        {"symptom": "custom.cat_hair_rash", "severity": 3, "occurred_at": ago(hours=1)},
    )
    assert mine.status_code == 201
    assert mine.json()["domain"] == "skin"


def test_custom_codes_are_checked(world, owner):
    bad = owner.post(
        url("catalogue-trigger-list", world.patient),
        {"code": "trigger.food.any", "name": "Food", "category": "food"},
    )
    assert bad.status_code == 400 and "code" in _fields(bad)
    body = {"code": "custom.cats", "name": "Cats", "category": "environment"}
    assert owner.post(url("catalogue-trigger-list", world.patient), body).status_code == 201
    again = owner.post(url("catalogue-trigger-list", world.patient), {**body, "name": "Kittens"})
    assert again.status_code == 400 and "code" in _fields(again)


def test_the_shared_catalogue_cannot_be_changed(world, owner):
    flushing = Symptom.objects.get(code="skin.flushing")
    detail = url("catalogue-symptom-detail", world.patient, flushing.pk)
    assert owner.get(detail).status_code == 200
    assert owner.patch(detail, {"name": "Red", "version": 1}).status_code == 403
    assert owner.delete(detail, HTTP_IF_MATCH='"1"').status_code == 403
    assert Symptom.objects.get(pk=flushing.pk).name == "Flushing"


# --- symptom entries ------------------------------------------------------------------------------


def test_a_symptom_entry_round_trips(world, owner):
    body = {
        "id": new_id(),
        "symptom": "gi.abdominal_pain",
        "severity": 6,
        "occurred_at": "2025-03-01T08:30:00+01:00",
        "duration_minutes": 45,
        "body_areas": ["abdomen", "abdomen", "back"],
        "note": "after lunch",
    }
    response = owner.post(url("symptom-entry-list", world.patient), body)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["occurred_at"] == "2025-03-01T07:30:00Z"
    assert data["body_areas"] == ["abdomen", "back"]
    assert (data["domain"], data["symptom_name"]) == ("gastrointestinal", "Abdominal pain")
    assert data["created_by"] == str(world.owner.pk)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("severity", 11),
        ("severity", -1),
        ("symptom", "skin.nope"),
        ("body_areas", ["tail"]),
        ("duration_minutes", -5),
    ],
)
def test_bad_symptom_input_is_refused(world, owner, field, value):
    body = {"symptom": "skin.itching", "severity": 3, "occurred_at": ago(hours=1), field: value}
    response = owner.post(url("symptom-entry-list", world.patient), body)
    assert response.status_code == 400
    assert field in _fields(response)
    assert not SymptomEntry.objects.exists()


def test_grade_and_unknown_fields_are_not_writable(world, owner):
    response = owner.post(
        url("anaphylaxis-episode-list", world.patient),
        {"onset_at": ago(hours=1), "findings": ["skin.urticaria"], "grade": 3},
    )
    assert response.status_code == 400 and "grade" in _fields(response)
    typo = owner.post(
        url("symptom-entry-list", world.patient),
        {"symptom": "skin.itching", "severity": 3, "occured_at": ago(hours=1)},
    )
    assert typo.status_code == 400 and "occured_at" in _fields(typo)


def test_times_more_than_five_minutes_ahead_are_refused(world, owner):
    with time_machine.travel(dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        ok = owner.post(
            url("symptom-entry-list", world.patient),
            {"symptom": "skin.itching", "severity": 3, "occurred_at": "2025-06-01T12:04:00Z"},
        )
        assert ok.status_code == 201
        for name, body in [
            ("symptom-entry-list", {"symptom": "skin.itching", "severity": 3, "occurred_at": "2025-06-01T12:06:00Z"}),
            ("trigger-exposure-list", {"trigger": "trigger.drink.alcohol", "occurred_at": "2025-06-01T13:00:00Z"}),
            ("anaphylaxis-episode-list", {"onset_at": "2025-06-02T12:00:00Z"}),
            ("lab-result-list", {"analyte": "tryptase", "value": "5", "sampled_at": "2025-06-01T12:10:00Z"}),
        ]:  # fmt: skip
            response = owner.post(url(name, world.patient), body)
            assert response.status_code == 400, name
            assert set(_fields(response)) == {next(k for k in body if k.endswith("_at"))}


# --- daily check-ins ------------------------------------------------------------------------------


def _check_in(day: dt.date, **over):  # type: ignore[no-untyped-def]
    return {
        "id": new_id(),
        "local_date": str(day),
        "overall_severity": 4,
        "quality_of_life": 60,
        **over,
    }


def test_a_second_check_in_for_the_day_never_overwrites_the_first(world, owner, client_for):
    day = patient_today(world.patient)
    first = owner.post(url("check-in-list", world.patient), _check_in(day, note="caregiver's note"))
    assert first.status_code == 201
    caregiver = client_for(world.caregiver)
    second = caregiver.post(
        url("check-in-list", world.patient), _check_in(day, quality_of_life=35, note="bad night")
    )
    assert second.status_code == 409
    body = second.json()
    assert body["code"] == "check_in_exists"
    assert body["current"]["id"] == first.json()["id"]
    assert (body["current"]["note"], body["current"]["version"]) == ("caregiver's note", 1)
    stored = DailyCheckIn.objects.get(patient=world.patient)
    assert (stored.note, stored.quality_of_life, stored.version) == ("caregiver's note", 60, 1)
    # The person chose "keep both": an ordinary update of the stored one, with its version.
    both = caregiver.patch(
        url("check-in-detail", world.patient, body["current"]["id"]),
        {"quality_of_life": 35, "note": "caregiver's note\n\nbad night"},
        HTTP_IF_MATCH='"1"',
    )
    assert both.status_code == 200
    assert both.json()["note"] == "caregiver's note\n\nbad night"
    assert DailyCheckIn.objects.filter(patient=world.patient).count() == 1


def test_the_same_check_in_sent_again_from_another_phone_is_the_stored_one(world, owner):
    day = patient_today(world.patient)
    first = owner.post(url("check-in-list", world.patient), _check_in(day, note="same"))
    again = owner.post(url("check-in-list", world.patient), _check_in(day, note="same"))
    assert again.status_code == 200
    assert (again.json()["id"], again.json()["version"]) == (first.json()["id"], 1)


def test_a_check_in_that_loses_the_race_for_its_day_is_refused_not_merged(
    world, owner, monkeypatch
):
    day = dt.date(2025, 1, 10)
    DailyCheckIn.objects.create(
        patient=world.patient, local_date=day, overall_severity=2, quality_of_life=80
    )
    real = services._live_check_in
    calls = []

    def not_yet_visible(patient, local_date):  # type: ignore[no-untyped-def]
        calls.append(local_date)
        return None if len(calls) == 1 else real(patient, local_date)

    monkeypatch.setattr(services, "_live_check_in", not_yet_visible)
    response = owner.post(url("check-in-list", world.patient), _check_in(day, overall_severity=7))
    assert response.status_code == 409, response.json()
    assert response.json()["current"]["overall_severity"] == 2
    assert len(calls) == 2  # the insert lost on the unique constraint, then found the winner
    assert DailyCheckIn.objects.get(patient=world.patient).overall_severity == 2


def test_the_constraint_itself_refuses_two_live_check_ins_for_a_day(world):
    day = dt.date(2025, 1, 11)
    DailyCheckIn.objects.create(
        patient=world.patient, local_date=day, overall_severity=1, quality_of_life=1
    )
    with pytest.raises(IntegrityError):
        DailyCheckIn.objects.create(
            patient=world.patient, local_date=day, overall_severity=2, quality_of_life=2
        )


def test_a_deleted_check_in_frees_its_day(world, owner):
    day = dt.date(2025, 1, 12)
    first = owner.post(url("check-in-list", world.patient), _check_in(day)).json()
    owner.delete(url("check-in-detail", world.patient, first["id"]), HTTP_IF_MATCH='"1"')
    again = owner.post(url("check-in-list", world.patient), _check_in(day))
    assert again.status_code == 201
    assert again.json()["id"] != first["id"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("quality_of_life", 101), ("quality_of_life", -1), ("overall_severity", 11)],
)
def test_check_in_ranges(world, owner, field, value):
    response = owner.post(
        url("check-in-list", world.patient), _check_in(dt.date(2025, 2, 1), **{field: value})
    )
    assert response.status_code == 400 and field in _fields(response)


def test_a_check_in_for_a_day_not_yet_begun_is_refused(world, owner):
    tomorrow = patient_today(world.patient) + dt.timedelta(days=1)
    response = owner.post(url("check-in-list", world.patient), _check_in(tomorrow))
    assert response.status_code == 400 and "local_date" in _fields(response)


def test_moving_a_check_in_onto_a_taken_day_is_refused(world, owner):
    a = owner.post(url("check-in-list", world.patient), _check_in(dt.date(2025, 3, 1))).json()
    owner.post(url("check-in-list", world.patient), _check_in(dt.date(2025, 3, 2)))
    response = owner.patch(
        url("check-in-detail", world.patient, a["id"]), {"local_date": "2025-03-02", "version": 1}
    )
    assert response.status_code == 400 and "local_date" in _fields(response)


# --- anaphylaxis episodes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("findings", "grade", "label", "systems"),
    [
        (["skin.urticaria", "skin.angioedema"], 1, "mild", ["skin"]),
        (["skin.urticaria", "gi.vomiting"], 2, "moderate", ["skin", "gastrointestinal"]),
        (["resp.wheeze", "cv.hypotension"], 3, "severe", ["respiratory", "cardiovascular"]),
        (["neuro.confusion"], 3, "severe", ["neurological"]),
        ([], None, None, []),
    ],
)
def test_the_grade_is_derived_from_the_findings(world, owner, findings, grade, label, systems):
    response = owner.post(
        url("anaphylaxis-episode-list", world.patient),
        {
            "onset_at": ago(hours=3),
            "findings": findings,
            "epinephrine_doses": 2,
            "emergency_visit": True,
        },
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["grade"], data["grade_label"], data["organ_systems"]) == (grade, label, systems)


def test_changing_the_findings_regrades_the_episode(world, owner):
    episode = owner.post(
        url("anaphylaxis-episode-list", world.patient),
        {"onset_at": ago(hours=3), "findings": ["skin.flushing"]},
    ).json()
    changed = owner.patch(
        url("anaphylaxis-episode-detail", world.patient, episode["id"]),
        {"findings": ["skin.flushing", "neuro.collapse"], "version": 1},
    )
    assert changed.json()["grade"] == 3
    assert AnaphylaxisEpisode.objects.get(pk=episode["id"]).grade == 3


def test_suspected_exposures_must_be_this_patients_and_before_the_onset(world, owner, client_for):
    def exposure(client, patient, at):  # type: ignore[no-untyped-def]
        return client.post(
            url("trigger-exposure-list", patient),
            {"trigger": "trigger.sting.wasp", "occurred_at": at},
        ).json()["id"]

    before = exposure(owner, world.patient, ago(hours=5))
    after = exposure(owner, world.patient, ago(hours=1))
    theirs = exposure(client_for(world.stranger), world.strangers_patient, ago(hours=5))
    for ids in ([after], [theirs]):
        response = owner.post(
            url("anaphylaxis-episode-list", world.patient),
            {"onset_at": ago(hours=4), "suspected_exposures": ids},
        )
        assert response.status_code == 400 and "suspected_exposures" in _fields(response)
    ok = owner.post(
        url("anaphylaxis-episode-list", world.patient),
        {"onset_at": ago(hours=4), "suspected_exposures": [before]},
    )
    assert ok.status_code == 201
    assert ok.json()["suspected_exposures"] == [before]
    # a deleted exposure drops out of the episode
    owner.delete(url("trigger-exposure-detail", world.patient, before), HTTP_IF_MATCH='"1"')
    again = owner.get(url("anaphylaxis-episode-detail", world.patient, ok.json()["id"])).json()
    assert again["suspected_exposures"] == []


def test_clinicians_read_the_diary_but_do_not_write_it(world, owner, client_for):
    owner.post(
        url("symptom-entry-list", world.patient),
        {"symptom": "skin.itching", "severity": 3, "occurred_at": ago(hours=1)},
    )
    clinician = client_for(world.clinician)
    assert len(clinician.get(url("symptom-entry-list", world.patient)).json()["results"]) == 1
    refused = clinician.post(
        url("symptom-entry-list", world.patient),
        {"symptom": "skin.itching", "severity": 3, "occurred_at": ago(hours=1)},
    )
    assert refused.status_code == 403
    assert AuditEvent.objects.filter(
        patient=world.patient, resource="symptom_entry", action="read"
    ).exists()
