"""A patient's record for other systems: CSV per kind of record, and a FHIR R4 Bundle.

CSV: one header row; times in the patient's zone with their offset (2026-01-31T08:00:00+01:00);
a cell starting with = + - @ (or a tab / carriage return) is prefixed with a quote so that a
spreadsheet shows it as text instead of running it as a formula (CSV injection).

FHIR (R4; validated in tests with fhir.resources' R4B models, which R4 documents also satisfy
for the resources used here): a `collection` Bundle holding the Patient; an Observation per
symptom entry (severity 0–10 as valueInteger, the symptom as code text), per check-in (QoL VAS
0–100, overall severity as a component) and per lab result (UCUM units); a MedicationStatement
per medication; a MedicationAdministration per dose (`completed` when taken, `not-done` with a
statusReason when skipped); and an AllergyIntolerance per trigger suspected in an anaphylaxis
episode, with one reaction per episode, its severity mapped from the Brown grade. An episode
with no suspected trigger has nothing to be intolerant *of*, so it is not exported as one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
import zoneinfo
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from apps.careteam.models import Patient
from apps.core.localtime import local_moment
from apps.diary.models import (
    LAB_UNITS,
    AnaphylaxisEpisode,
    DailyCheckIn,
    LabAnalyte,
    LabResult,
    SymptomEntry,
    TriggerCategory,
    TriggerExposure,
)
from apps.medications.models import DoseLog, DoseStatus, Medication

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MASTLINE_SYSTEM = "https://mastline.org/fhir/CodeSystem"
UCUM = "http://unitsofmeasure.org"
UCUM_CODES = {"ng/mL": "ng/mL", "%": "%", "IU/mL": "[IU]/mL"}
GRADE_SEVERITY = {1: "mild", 2: "moderate", 3: "severe"}
TRIGGER_CATEGORY_FHIR = {
    TriggerCategory.FOOD: "food",
    TriggerCategory.DRINK: "food",
    TriggerCategory.MEDICATION: "medication",
    TriggerCategory.PROCEDURE: "medication",
    TriggerCategory.INSECT_STING: "biologic",
}


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _local(moment: dt.datetime | None, zone: zoneinfo.ZoneInfo) -> str:
    return local_moment(moment, zone).isoformat() if moment is not None else ""


def _live(model: type[Any], patient: Patient) -> Any:
    return model.objects.filter(patient=patient, deleted_at__isnull=True)


def _symptoms(patient: Patient, zone: zoneinfo.ZoneInfo) -> Iterable[list[Any]]:
    yield ["id", "occurred_at", "symptom", "name", "domain", "severity", "duration_minutes",
           "body_areas", "note"]  # fmt: skip
    for e in _live(SymptomEntry, patient).select_related("symptom").order_by("occurred_at", "id"):
        yield [e.pk, _local(e.occurred_at, zone), e.symptom.code, e.symptom.name,
               e.symptom.domain, e.severity, e.duration_minutes or "", ";".join(e.body_areas),
               e.note]  # fmt: skip


def _check_ins(patient: Patient, zone: zoneinfo.ZoneInfo) -> Iterable[list[Any]]:
    yield ["id", "local_date", "overall_severity", "quality_of_life", "note"]
    for c in _live(DailyCheckIn, patient).order_by("local_date"):
        yield [c.pk, c.local_date.isoformat(), c.overall_severity, c.quality_of_life, c.note]


def _triggers(patient: Patient, zone: zoneinfo.ZoneInfo) -> Iterable[list[Any]]:
    yield ["id", "occurred_at", "trigger", "name", "category", "detail", "note"]
    for x in _live(TriggerExposure, patient).select_related("trigger").order_by("occurred_at"):
        yield [x.pk, _local(x.occurred_at, zone), x.trigger.code, x.trigger.name,
               x.trigger.category, x.detail, x.note]  # fmt: skip


def _episodes(patient: Patient, zone: zoneinfo.ZoneInfo) -> Iterable[list[Any]]:
    yield ["id", "onset_at", "grade", "findings", "epinephrine_doses", "emergency_visit",
           "hospital_admission", "suspected_triggers", "note"]  # fmt: skip
    episodes = (
        _live(AnaphylaxisEpisode, patient)
        .prefetch_related("suspected_exposures__trigger")
        .order_by("onset_at")
    )
    for e in episodes:
        triggers = sorted(
            x.trigger.name for x in e.suspected_exposures.all() if x.deleted_at is None
        )
        yield [e.pk, _local(e.onset_at, zone), e.grade or "", ";".join(e.findings),
               e.epinephrine_doses, e.emergency_visit, e.hospital_admission,
               ";".join(triggers), e.note]  # fmt: skip


def _labs(patient: Patient, zone: zoneinfo.ZoneInfo) -> Iterable[list[Any]]:
    yield ["id", "sampled_at", "analyte", "value", "unit", "is_baseline", "activation", "note"]
    for lab in _live(LabResult, patient).order_by("sampled_at", "analyte", "id"):
        yield [lab.pk, _local(lab.sampled_at, zone), lab.analyte, lab.value, lab.unit,
               lab.is_baseline, lab.activation, lab.note]  # fmt: skip


def _doses(patient: Patient, zone: zoneinfo.ZoneInfo) -> Iterable[list[Any]]:
    yield ["id", "taken_at", "medication", "status", "skip_reason", "scheduled_for",
           "given_by", "location", "injection_site", "note"]  # fmt: skip
    for d in _live(DoseLog, patient).select_related("medication").order_by("taken_at"):
        yield [d.pk, _local(d.taken_at, zone), d.medication.name, d.status, d.skip_reason,
               _local(d.scheduled_for, zone), d.given_by, d.location, d.injection_site,
               d.note]  # fmt: skip


CSV_KINDS: dict[str, Callable[[Patient, zoneinfo.ZoneInfo], Iterable[list[Any]]]] = {
    "symptoms": _symptoms,
    "check-ins": _check_ins,
    "triggers": _triggers,
    "episodes": _episodes,
    "labs": _labs,
    "doses": _doses,
}


def csv_text(patient: Patient, kind: str) -> str:
    zone = zoneinfo.ZoneInfo(patient.time_zone)
    out = io.StringIO()
    writer = csv.writer(out)
    for row in CSV_KINDS[kind](patient, zone):
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


# --- FHIR -----------------------------------------------------------------------------------------


def _ref(resource_id: Any) -> dict[str, str]:
    return {"reference": f"urn:uuid:{resource_id}"}


def _text(text: str, code: str | None = None, system: str = MASTLINE_SYSTEM) -> dict[str, Any]:
    concept: dict[str, Any] = {"text": text}
    if code:
        concept["coding"] = [{"system": system, "code": code, "display": text}]
    return concept


def _number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def fhir_bundle(patient: Patient, *, now: dt.datetime) -> dict[str, Any]:
    zone = zoneinfo.ZoneInfo(patient.time_zone)
    subject = _ref(patient.pk)
    resources: list[dict[str, Any]] = []
    patient_resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": str(patient.pk),
        "name": [{"text": patient.display_name}],
    }
    if patient.date_of_birth:
        patient_resource["birthDate"] = patient.date_of_birth.isoformat()
    resources.append(patient_resource)

    for e in _live(SymptomEntry, patient).select_related("symptom"):
        resources.append(
            {
                "resourceType": "Observation",
                "id": str(e.pk),
                "status": "final",
                "category": [_text("Symptom", "symptom")],
                "code": _text(e.symptom.name, e.symptom.code),
                "subject": subject,
                "effectiveDateTime": _local(e.occurred_at, zone),
                "valueInteger": e.severity,
                **({"note": [{"text": e.note}]} if e.note else {}),
            }
        )
    for c in _live(DailyCheckIn, patient):
        resources.append(
            {
                "resourceType": "Observation",
                "id": str(c.pk),
                "status": "final",
                "code": _text("Quality of life, visual analogue scale 0–100", "qol_vas"),
                "subject": subject,
                "effectiveDateTime": c.local_date.isoformat(),
                "valueInteger": c.quality_of_life,
                "component": [
                    {
                        "code": _text("Overall severity 0–10", "overall_severity"),
                        "valueInteger": c.overall_severity,
                    }
                ],
            }
        )
    for lab in _live(LabResult, patient):
        unit = LAB_UNITS[LabAnalyte(lab.analyte)]
        resources.append(
            {
                "resourceType": "Observation",
                "id": str(lab.pk),
                "status": "final",
                "category": [
                    {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                "code": "laboratory",
                            }
                        ]
                    }
                ],
                "code": _text(LabAnalyte(lab.analyte).label, lab.analyte),
                "subject": subject,
                "effectiveDateTime": _local(lab.sampled_at, zone),
                "valueQuantity": {
                    "value": _number(lab.value),
                    "unit": unit,
                    "system": UCUM,
                    "code": UCUM_CODES[unit],
                },
            }
        )

    medications = list(Medication.objects.filter(patient=patient))
    today = now.astimezone(zone).date()
    for med in medications:
        ended = med.end_date is not None and med.end_date < today
        period: dict[str, str] = {"start": med.start_date.isoformat()}
        if med.end_date:
            period["end"] = med.end_date.isoformat()
        resources.append(
            {
                "resourceType": "MedicationStatement",
                "id": str(med.pk),
                "status": "completed" if ended else ("on-hold" if med.paused_at else "active"),
                "medicationCodeableConcept": _text(med.name),
                "subject": subject,
                "effectivePeriod": period,
                "dosage": [{"text": _dosage_text(med)}],
            }
        )
    for d in _live(DoseLog, patient).select_related("medication"):
        administration: dict[str, Any] = {
            "resourceType": "MedicationAdministration",
            "id": str(d.pk),
            "status": "completed" if d.status == DoseStatus.TAKEN else "not-done",
            "medicationCodeableConcept": _text(d.medication.name),
            "subject": subject,
            "effectiveDateTime": _local(d.taken_at, zone),
            "supportingInformation": [_ref(d.medication_id)],
        }
        if d.status == DoseStatus.SKIPPED:
            administration["statusReason"] = [{"text": d.skip_reason or "Skipped"}]
        if d.injection_site:
            administration["dosage"] = {"site": {"text": d.get_injection_site_display()}}
        resources.append(administration)

    reactions: dict[Any, dict[str, Any]] = {}
    for episode in _live(AnaphylaxisEpisode, patient).prefetch_related(
        "suspected_exposures__trigger"
    ):
        reaction: dict[str, Any] = {
            "manifestation": [_text("Anaphylaxis", "anaphylaxis")],
            "onset": _local(episode.onset_at, zone),
        }
        if episode.grade in GRADE_SEVERITY:
            reaction["severity"] = GRADE_SEVERITY[episode.grade]
        for exposure in episode.suspected_exposures.all():
            if exposure.deleted_at is not None:
                continue
            trigger = exposure.trigger
            allergy = reactions.setdefault(
                trigger.pk,
                {
                    "resourceType": "AllergyIntolerance",
                    # One per patient and trigger, stable across exports.
                    "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{patient.pk}:allergy:{trigger.pk}")),
                    "clinicalStatus": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                                "code": "active",
                            }
                        ]
                    },
                    "verificationStatus": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
                                "code": "unconfirmed",
                            }
                        ]
                    },
                    "code": _text(trigger.name, trigger.code),
                    "patient": subject,
                    "reaction": [],
                },
            )
            category = TRIGGER_CATEGORY_FHIR.get(trigger.category)
            if category:
                allergy["category"] = [category]
            allergy["reaction"].append(reaction)
    resources.extend(reactions.values())

    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": now.isoformat(),
        "entry": [
            {
                "fullUrl": f"urn:uuid:{resource['id']}",
                "resource": resource,
            }
            for resource in resources
        ],
    }


def _dosage_text(med: Medication) -> str:
    from .selectors import regimen_summary

    dose = f"{med.dose.normalize()} {med.dose_unit} " if med.dose is not None else ""
    return f"{dose}{regimen_summary(med)}".strip()
