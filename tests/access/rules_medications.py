"""Medications: owners and caregivers manage them and log doses; clinicians read everything and
log doses given at the clinic; everyone on the team may keep a calendar feed of their own."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from apps.medications import services
from apps.medications.models import DoseLog, Medication
from tests.factories import World

from .matrix import Rule, expect

reader = expect(owner=200, caregiver=200, clinician=200)
manager = expect(owner=200, caregiver=200, clinician=403)


def _medication(world: World) -> Medication:
    return services.medication_create(
        patient=world.patient,
        created_by=world.owner,
        name="Omalizumab",
        route="subcutaneous",
        start_date=dt.date(2025, 1, 1),
        regimen_kind="interval",
        interval=4,
        interval_unit="weeks",
        interval_anchor="last_dose",
        times_of_day=["09:00"],
    )


def _medication_kwargs(world: World, persona: str) -> dict[str, Any]:
    return {"patient_pk": world.patient.pk, "pk": _medication(world).pk}


def _clinic_dose(world: World) -> DoseLog:
    return services.dose_create(
        fields={
            "patient": world.patient,
            "medication": _medication(world),
            "taken_at": timezone.now() - dt.timedelta(hours=2),
            "location": "clinic",
            "given_by": "clinic",
            "injection_site": "abdomen_left",
            "created_by": world.clinician,
        },
        digest="",
    )


def _dose_kwargs(world: World, persona: str) -> dict[str, Any]:
    return {"patient_pk": world.patient.pk, "pk": _clinic_dose(world).pk}


def _dose_body(world: World, persona: str) -> dict[str, Any]:
    return {
        "medication": str(_medication(world).pk),
        "taken_at": (timezone.now() - dt.timedelta(minutes=30)).isoformat(),
        "location": "clinic",
        "injection_site": "thigh_right",
    }


def _dose_put_body(world: World, persona: str) -> dict[str, Any]:
    dose = DoseLog.objects.get()
    return {
        "version": dose.version,
        "medication": str(dose.medication_id),
        "taken_at": dose.taken_at.isoformat(),
        "location": "clinic",
        "note": "corrected",
    }


RULES = [
    Rule("medication-list", "GET", reader),
    Rule(
        "medication-list",
        "POST",
        expect(owner=201, caregiver=201, clinician=403),
        body=lambda w, p: {
            "name": "Cetirizine",
            "start_date": "2025-01-01",
            "regimen_kind": "daily",
            "times_of_day": ["08:00", "20:00"],
        },
    ),
    Rule("medication-detail", "GET", reader, _medication_kwargs),
    Rule(
        "medication-detail",
        "PATCH",
        manager,
        _medication_kwargs,
        body=lambda w, p: {"times_of_day": ["10:00"]},
    ),
    Rule("medication-pause", "POST", manager, _medication_kwargs),
    Rule("medication-resume", "POST", manager, _medication_kwargs),
    Rule("medication-catalogue", "GET", reader),
    Rule("medication-schedule", "GET", reader),
    Rule("medication-calendar-feed", "GET", reader),
    Rule("medication-calendar-feed", "POST", expect(owner=201, caregiver=201, clinician=201)),
    Rule("medication-calendar-feed", "DELETE", expect(owner=204, caregiver=204, clinician=204)),
    Rule("dose-list", "GET", reader),
    Rule(
        "dose-list",
        "POST",
        expect(owner=201, caregiver=201, clinician=201),
        body=_dose_body,
        note="a clinic-given dose; a home dose by a clinician is 403 (tests/medications)",
    ),
    Rule("dose-detail", "GET", reader, _dose_kwargs),
    Rule("dose-detail", "PUT", reader, _dose_kwargs, body=_dose_put_body),
    Rule(
        "dose-detail",
        "PATCH",
        reader,
        _dose_kwargs,
        body=lambda w, p: {"version": 1, "note": "site was sore"},
    ),
    Rule("dose-detail", "DELETE", expect(owner=204, caregiver=204, clinician=204), _dose_kwargs),
]
