"""One patient in the clinic: the overview, clinical notes, CSV and FHIR exports, the audit."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle

from apps.audit.models import AuditEvent
from apps.careteam.models import SMSubtype
from apps.clinic.models import ClinicalNote
from apps.diary.models import (
    AnaphylaxisEpisode,
    LabResult,
    Symptom,
    SymptomEntry,
    Trigger,
    TriggerExposure,
)
from apps.medications.models import Medication
from tests.factories import UserFactory, enable_totp

from .builders import daily_diary, doses, omalizumab, patient_of

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _record(patient) -> None:
    today = NOW.date()
    med = omalizumab(patient, today - dt.timedelta(days=90), dose=Decimal("150"), dose_unit="mg")
    Medication.objects.create(
        patient=patient,
        name="Famotidine",
        drug_class="h2_antihistamine",
        dose=Decimal("20.000"),
        dose_unit="mg",
        start_date=today - dt.timedelta(days=30),
        regimen_kind="daily",
        times_of_day=["08:00", "20:00"],
    )
    doses(med, [today - dt.timedelta(days=84), today - dt.timedelta(days=56)])
    doses(med, [today - dt.timedelta(days=28)], status="skipped")
    daily_diary(patient, today - dt.timedelta(days=20), today - dt.timedelta(days=1), lambda d: 4)
    SymptomEntry.objects.create(
        patient=patient,
        occurred_at=NOW - dt.timedelta(hours=3),
        symptom=Symptom.objects.get(code="gi.nausea"),
        severity=6,
        note='=HYPERLINK("http://evil")',
    )
    heat = TriggerExposure.objects.create(
        patient=patient,
        occurred_at=NOW - dt.timedelta(days=3, hours=1),
        trigger=Trigger.objects.get(code="trigger.temperature.heat"),
        detail="+sauna",
    )
    episode = AnaphylaxisEpisode.objects.create(
        patient=patient, onset_at=NOW - dt.timedelta(days=3), findings=["resp.wheeze"], grade=2
    )
    episode.suspected_exposures.add(heat)
    AnaphylaxisEpisode.objects.create(patient=patient, onset_at=NOW - dt.timedelta(days=40))
    # One blood draw, three results logged a minute apart (exports list them by sample time).
    for minute, (analyte, value) in enumerate(
        (("tryptase", "23.5"), ("kit_d816v", "0.8"), ("total_ige", "310"))
    ):
        LabResult.objects.create(
            patient=patient,
            analyte=analyte,
            value=Decimal(value),
            sampled_at=NOW - dt.timedelta(days=10) + dt.timedelta(minutes=minute),
        )


def test_overview(world, client_for) -> None:
    _record(world.patient)
    url = reverse("clinic-overview", kwargs={"patient_pk": world.patient.pk})
    answer = client_for(world.clinician).get(url)
    assert answer.status_code == 200, answer.data
    body = answer.data
    assert len(body["burden"]["dates"]) == 181
    assert body["burden"]["domains"]["skin"][-2] == 4
    assert body["burden"]["domains"]["gastrointestinal"][-1] == 6
    assert body["qol"]["values"][-1] == 60
    per_state = {key: sum(d[key] for d in body["doses"]) for key in ("taken", "missed", "skipped")}
    assert per_state["taken"] == 2 and per_state["skipped"] == 1
    assert [e["grade"] for e in body["episodes"]] == [None, 2]
    assert body["labs"]["tryptase"][0]["value"] == Decimal("23.500")
    assert {f["code"] for f in body["flags"]} >= {"recent_anaphylaxis", "pens_missing"}
    assert body["medications"][0]["regimen"] == "every 4 weeks from the last dose"
    assert AuditEvent.objects.filter(resource="clinic-overview", actor=world.clinician).exists()
    too_long = client_for(world.clinician).get(url, {"from": "2020-01-01"})
    assert too_long.status_code == 400


def _csv(client, patient, kind: str) -> list[list[str]]:
    answer = client.get(
        reverse("clinic-export-csv", kwargs={"patient_pk": patient.pk, "kind": kind})
    )
    assert answer.status_code == 200
    assert answer["Content-Disposition"].startswith("attachment;")
    assert answer["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(answer.content.decode())))


def test_csv_exports(world, client_for) -> None:
    _record(world.patient)
    client = client_for(world.clinician)
    symptoms = _csv(client, world.patient, "symptoms")
    assert symptoms[0][:3] == ["id", "occurred_at", "symptom"]
    assert len(symptoms) == 1 + 20 + 1
    nausea = symptoms[-1]
    assert nausea[1] == "2026-03-02T08:00:00+01:00"  # Europe/Rome, with its offset
    assert nausea[-1] == '\'=HYPERLINK("http://evil")'  # never a formula
    assert _csv(client, world.patient, "triggers")[1][5] == "'+sauna"
    episodes = _csv(client, world.patient, "episodes")
    assert episodes[-1][7] == "Heat"
    assert len(_csv(client, world.patient, "check-ins")) == 21
    assert [row[2] for row in _csv(client, world.patient, "labs")[1:]] == [
        "tryptase",
        "kit_d816v",
        "total_ige",
    ]
    dose_rows = _csv(client, world.patient, "doses")
    assert [row[3] for row in dose_rows[1:]] == ["taken", "taken", "skipped"]
    missing = client.get(f"/api/v1/patients/{world.patient.pk}/export/passwords.csv")
    assert missing.status_code == 404
    assert set(
        AuditEvent.objects.filter(resource="export").values_list("object_id", flat=True)
    ) == {"symptoms", "triggers", "episodes", "check-ins", "labs", "doses"}


def test_fhir_bundle_validates(world, client_for) -> None:
    world.patient.sm_subtype = SMSubtype.INDOLENT
    world.patient.save(update_fields=["sm_subtype"])
    _record(world.patient)
    answer = client_for(world.owner).get(
        reverse("clinic-export-fhir", kwargs={"patient_pk": world.patient.pk})
    )
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/fhir+json")
    text = answer.content.decode()
    # No number, and no number inside a text, in exponent form ("1.5E+2", "2E+1").
    number_tokens: list[str] = []
    json.loads(text, parse_float=number_tokens.append, parse_int=number_tokens.append)
    assert number_tokens and not [n for n in number_tokens if "e" in n.lower()]
    assert not [t for t in _texts(json.loads(text)) if re.search(r"\d[eE][+-]?\d", t)]
    raw = json.loads(text)
    bundle = Bundle.model_validate(raw)
    assert bundle.type == "collection"
    # Round trip: read back into the models and written out again, the same document.
    assert json.loads(bundle.model_dump_json(exclude_none=True)) == raw
    counts: dict[str, int] = {}
    for entry in bundle.entry or []:
        assert entry.resource is not None
        kind = entry.resource.get_resource_type()
        counts[kind] = counts.get(kind, 0) + 1
    # 21 symptom entries + 20 check-ins + 3 labs + 2 episodes; 2 medications; 3 doses; heat,
    # suspected once.
    assert counts == {
        "Patient": 1,
        "Condition": 1,
        "Observation": 46,
        "MedicationStatement": 2,
        "MedicationAdministration": 3,
        "AllergyIntolerance": 1,
    }
    by_type: dict[str, list] = {}
    for entry in raw["entry"]:
        by_type.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    condition = by_type["Condition"][0]
    assert condition["code"]["text"] == "Indolent systemic mastocytosis"
    assert condition["code"]["coding"] == [
        {
            "system": "http://hl7.org/fhir/sid/icd-10-cm",
            "code": "D47.02",
            "display": "Systemic mastocytosis",
        }
    ]
    assert condition["subject"] == {"reference": f"urn:uuid:{world.patient.pk}"}
    dosages = {r["medicationCodeableConcept"]["text"]: r for r in by_type["MedicationStatement"]}
    assert dosages["Omalizumab"]["dosage"][0]["text"].startswith("150 mg every 4 weeks")
    assert dosages["Famotidine"]["dosage"][0]["text"].startswith("20 mg ")
    assert dosages["Omalizumab"]["medicationCodeableConcept"]["coding"] == [
        {"system": "http://www.whocc.no/atc", "code": "R03DX05"}
    ]
    statuses = sorted(r["status"] for r in by_type["MedicationAdministration"])
    assert statuses == ["completed", "completed", "not-done"]
    skipped = next(r for r in by_type["MedicationAdministration"] if r["status"] == "not-done")
    assert skipped["statusReason"]
    allergy = by_type["AllergyIntolerance"][0]
    assert allergy["reaction"][0]["severity"] == "moderate"
    units = {o["valueQuantity"]["code"] for o in by_type["Observation"] if "valueQuantity" in o}
    assert units == {"ng/mL", "%", "[IU]/mL"}
    loinc = {
        c["code"]
        for o in by_type["Observation"]
        for c in o["code"].get("coding", [])
        if c["system"] == "http://loinc.org"
    }
    assert loinc == {"21582-2", "19113-0"}
    kit = next(o for o in by_type["Observation"] if o["code"]["text"] == "KIT D816V allele burden")
    assert kit["valueQuantity"]["value"] == 0.8
    assert all(c["system"] != "http://loinc.org" for c in kit["code"]["coding"])  # none verified
    grades = sorted(
        (
            o.get("valueInteger")
            for o in by_type["Observation"]
            if o["code"]["text"].startswith("Anaphylaxis")
        ),
        key=str,
    )
    assert grades == [2, None]


def _texts(node, key: str = "") -> list[str]:
    """Every string of a JSON document but ids and references (UUIDs hold hex digits)."""
    if isinstance(node, dict):
        return [t for k, v in node.items() for t in _texts(v, k)]
    if isinstance(node, list):
        return [t for v in node for t in _texts(v, key)]
    if isinstance(node, str) and key not in {"id", "reference", "fullUrl"}:
        return [node]
    return []


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("150", "150"),
        ("150.000", "150"),
        ("20", "20"),
        ("0.150", "0.15"),
        ("1000", "1000"),
        ("2.5", "2.5"),
    ],
)
def test_plain_decimal(value: str, text: str) -> None:
    from apps.clinic.exports import plain_decimal

    assert plain_decimal(Decimal(value)) == text


def test_every_subtype_has_a_condition(world) -> None:
    from fhir.resources.R4B.condition import Condition

    from apps.clinic.exports import fhir_bundle

    for subtype in SMSubtype:
        world.patient.sm_subtype = subtype
        bundle = fhir_bundle(world.patient, now=NOW)
        condition = next(
            e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Condition"
        )
        Condition.model_validate(condition)
        codes = [c["code"] for c in condition["code"].get("coding", [])]
        assert codes or subtype == SMSubtype.UNKNOWN, subtype


def test_clinical_notes_belong_to_their_author(world, client_for) -> None:
    colleague = enable_totp(UserFactory(email="colleague@example.org"))
    from apps.careteam.models import Membership, Role

    Membership.objects.create(patient=world.patient, user=colleague, role=Role.CLINICIAN)
    url = reverse("clinical-note-list", kwargs={"patient_pk": world.patient.pk})
    mine = client_for(world.clinician).post(
        url, {"visit_date": "2026-03-01", "text": "Reviewed the diary."}, format="json"
    )
    assert mine.status_code == 201, mine.data
    assert mine.data["author"] == "Dr Dana"
    detail = reverse(
        "clinical-note-detail", kwargs={"patient_pk": world.patient.pk, "pk": mine.data["id"]}
    )
    other = client_for(colleague)
    assert other.get(detail).status_code == 200  # colleagues read each other's notes
    assert other.patch(detail, {"text": "Mine now."}, format="json").status_code == 403
    assert other.delete(detail).status_code == 403
    assert ClinicalNote.objects.get().text == "Reviewed the diary."
    assert client_for(world.owner).get(url).status_code == 404  # clinicians only
    refused = client_for(world.clinician).post(url, {"text": "x", "author": "me"}, format="json")
    assert refused.status_code == 400


def test_list_of_another_clinician(world, client_for) -> None:
    other = enable_totp(UserFactory(email="else@example.org"))
    patient_of(other, "Theirs")
    answer = client_for(world.clinician).get(reverse("clinic-patient-list"))
    assert [r["display_name"] for r in answer.data["results"]] == ["Sam"]
