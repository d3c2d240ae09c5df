"""A patient's record for other systems: CSV per kind of record, and a FHIR R4 Bundle.

CSV: one header row; times in the patient's zone with their offset (2026-01-31T08:00:00+01:00);
a cell starting with = + - @ (or a tab / carriage return) is prefixed with a quote so that a
spreadsheet shows it as text instead of running it as a formula (CSV injection).

FHIR (R4; validated in tests with fhir.resources' R4B models, which R4 documents also satisfy
for the resources used here; served as application/fhir+json): a `collection` Bundle holding the
Patient; a Condition for the mastocytosis diagnosis and subtype; an Observation per
symptom entry (severity 0–10 as valueInteger, the symptom as code text), per check-in (QoL VAS
0–100, overall severity as a component) and per lab result (UCUM units); a MedicationStatement
per medication; a MedicationAdministration per dose (`completed` when taken, `not-done` with a
statusReason when skipped); an Observation per anaphylaxis episode (the Brown grade as its
value when known); and an AllergyIntolerance per trigger suspected in an anaphylaxis episode,
with one reaction per episode, its severity mapped from the Brown grade. An episode with no
suspected trigger has nothing to be intolerant *of*, so it is an Observation only.

Standard codes (ICD-10-CM / ICD-10 for the diagnosis, LOINC for labs, ATC for medications) are
added only where a verified code exists; everything else is text plus Mastline's own code
system. docs/fhir.md lists each code and its source. Numbers are JSON numbers, never in
exponent form; dose amounts in text are plain decimals ("150 mg", "0.15 mg").
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

from apps.careteam.models import Patient, SMSubtype
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
LOINC = "http://loinc.org"
ICD10_CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
ATC = "http://www.whocc.no/atc"

# Sources: docs/fhir.md. A subtype or drug missing here is exported as text only.
SUBTYPE_CODES: dict[str, list[tuple[str, str, str]]] = {
    SMSubtype.INDOLENT: [(ICD10_CM, "D47.02", "Systemic mastocytosis")],
    SMSubtype.BONE_MARROW: [(ICD10_CM, "D47.02", "Systemic mastocytosis")],
    SMSubtype.SMOLDERING: [(ICD10_CM, "D47.02", "Systemic mastocytosis")],
    SMSubtype.WITH_AHN: [(ICD10_CM, "D47.02", "Systemic mastocytosis")],
    SMSubtype.AGGRESSIVE: [(ICD10_CM, "C96.21", "Aggressive systemic mastocytosis")],
    SMSubtype.LEUKAEMIA: [(ICD10, "C94.3", "Mast cell leukaemia")],
    SMSubtype.CUTANEOUS: [(ICD10_CM, "D47.01", "Cutaneous mastocytosis")],
    SMSubtype.MCAS: [(ICD10_CM, "D89.40", "Mast cell activation, unspecified")],
}
LAB_LOINC: dict[str, str] = {
    LabAnalyte.TRYPTASE: "21582-2",
    LabAnalyte.TOTAL_IGE: "19113-0",
    # KIT D816V allele burden: no verified LOINC code for the quantitative allele fraction.
}
# ATC (WHO Collaborating Centre for Drug Statistics Methodology), by catalogue drug name.
DRUG_ATC: dict[str, str] = {
    "Cetirizine": "R06AE07",
    "Levocetirizine": "R06AE09",
    "Loratadine": "R06AX13",
    "Desloratadine": "R06AX27",
    "Fexofenadine": "R06AX26",
    "Hydroxyzine": "N05BB01",
    "Famotidine": "A02BA03",
    "Cimetidine": "A02BA01",
    "Montelukast": "R03DC03",
    "Oral cromolyn sodium": "A07EB01",
    "Omeprazole": "A02BC01",
    "Esomeprazole": "A02BC05",
    "Pantoprazole": "A02BC02",
    "Prednisone": "H02AB07",
    "Prednisolone": "H02AB06",
    "Omalizumab": "R03DX05",
    "Epinephrine auto-injector": "C01CA24",
    "Alendronate": "M05BA04",
    "Zoledronic acid": "M05BA08",
    "Pamidronate": "M05BA03",
}
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
    return moment.astimezone(zone).isoformat() if moment is not None else ""


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


def _instant(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    """Local time with its offset, UTC written as "Z" (as FHIR tools write it back)."""
    text = moment.astimezone(zone).isoformat()
    return text[: -len("+00:00")] + "Z" if text.endswith("+00:00") else text


def _ref(resource_id: Any) -> dict[str, str]:
    return {"reference": f"urn:uuid:{resource_id}"}


def _text(text: str, code: str | None = None, system: str = MASTLINE_SYSTEM) -> dict[str, Any]:
    concept: dict[str, Any] = {"text": text}
    if code:
        concept["coding"] = [{"system": system, "code": code, "display": text}]
    return concept


def _number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def plain_decimal(value: Decimal) -> str:
    """150.000 → "150", 0.150 → "0.15": never "1.5E+2" (Decimal.normalize's exponent form)."""
    return format(value.normalize(), "f")


def _coded(text: str, codings: Iterable[tuple[str, str, str | None]]) -> dict[str, Any]:
    concept: dict[str, Any] = {"text": text}
    coding = [
        {"system": system, "code": code, **({"display": display} if display else {})}
        for system, code, display in codings
    ]
    if coding:
        concept["coding"] = coding
    return concept


def _medication_concept(med: Medication) -> dict[str, Any]:
    name = med.catalogue.name if med.catalogue_id and med.catalogue else med.name
    atc = DRUG_ATC.get(name)
    return _coded(med.name, [(ATC, atc, None)] if atc else [])


def _condition(patient: Patient, subject: dict[str, str]) -> dict[str, Any]:
    label = SMSubtype(patient.sm_subtype).label
    text = (
        "Mastocytosis, subtype not yet classified"
        if patient.sm_subtype == SMSubtype.UNKNOWN
        else str(label)
    )
    return {
        "resourceType": "Condition",
        # One per patient, stable across exports.
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{patient.pk}:condition:mastocytosis")),
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                        "code": "problem-list-item",
                    }
                ]
            }
        ],
        "code": _coded(text, SUBTYPE_CODES.get(patient.sm_subtype, [])),
        "subject": subject,
    }


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
    resources.append(_condition(patient, subject))

    for e in _live(SymptomEntry, patient).select_related("symptom"):
        resources.append(
            {
                "resourceType": "Observation",
                "id": str(e.pk),
                "status": "final",
                "category": [_text("Symptom", "symptom")],
                "code": _text(e.symptom.name, e.symptom.code),
                "subject": subject,
                "effectiveDateTime": _instant(e.occurred_at, zone),
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
                "code": _coded(
                    str(LabAnalyte(lab.analyte).label),
                    [(MASTLINE_SYSTEM, lab.analyte, None)]
                    + ([(LOINC, LAB_LOINC[lab.analyte], None)] if lab.analyte in LAB_LOINC else []),
                ),
                "subject": subject,
                "effectiveDateTime": _instant(lab.sampled_at, zone),
                "valueQuantity": {
                    "value": _number(lab.value),
                    "unit": unit,
                    "system": UCUM,
                    "code": UCUM_CODES[unit],
                },
            }
        )

    medications = list(Medication.objects.filter(patient=patient).select_related("catalogue"))
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
                "medicationCodeableConcept": _medication_concept(med),
                "subject": subject,
                "effectivePeriod": period,
                "dosage": [{"text": _dosage_text(med)}],
            }
        )
    for d in _live(DoseLog, patient).select_related("medication__catalogue"):
        administration: dict[str, Any] = {
            "resourceType": "MedicationAdministration",
            "id": str(d.pk),
            "status": "completed" if d.status == DoseStatus.TAKEN else "not-done",
            "medicationCodeableConcept": _medication_concept(d.medication),
            "subject": subject,
            "effectiveDateTime": _instant(d.taken_at, zone),
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
        episode_observation: dict[str, Any] = {
            "resourceType": "Observation",
            "id": str(episode.pk),
            "status": "final",
            "category": [_text("Anaphylaxis episode", "anaphylaxis")],
            "code": _text("Anaphylaxis episode, Brown grade 1–3", "anaphylaxis_grade"),
            "subject": subject,
            "effectiveDateTime": _instant(episode.onset_at, zone),
        }
        if episode.grade:
            episode_observation["valueInteger"] = episode.grade
        else:
            episode_observation["dataAbsentReason"] = {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/data-absent-reason",
                        "code": "unknown",
                    }
                ]
            }
        resources.append(episode_observation)
        reaction: dict[str, Any] = {
            "manifestation": [_text("Anaphylaxis", "anaphylaxis")],
            "onset": _instant(episode.onset_at, zone),
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
        "timestamp": _instant(now, zoneinfo.ZoneInfo("UTC")),
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

    dose = f"{plain_decimal(med.dose)} {med.dose_unit} " if med.dose is not None else ""
    return f"{dose}{regimen_summary(med)}".strip()
