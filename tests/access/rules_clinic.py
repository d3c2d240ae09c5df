"""The clinician dashboard.

Across patients (`clinic-…` routes without a patient in the URL): every signed-in person gets 200,
scoped to the patients on whose care team they are an active *clinician* — an owner, caregiver,
stranger or revoked member who is nobody's clinician gets an empty list (tests/clinic checks
the contents). The cohort needs `drug`, which the matrix cannot send: 400 for everyone signed in.

One patient: the overview, the response report and the exports are READ_DIARY (owner,
caregiver, clinician); the response report needs `medication` (a query parameter the matrix
cannot send), so team members get 400 once access is granted, outsiders 404. Clinical notes are
clinicians only (owners and caregivers lack READ_CLINICAL_NOTES: 404).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from apps.clinic.models import ClinicalNote
from tests.factories import World

from .matrix import Rule, everyone, expect, no_kwargs

reader = expect(owner=200, caregiver=200, clinician=200)
anyone_signed_in = everyone(200, anonymous=401)


def _note_kwargs(world: World, persona: str) -> dict[str, Any]:
    note = ClinicalNote.objects.create(
        patient=world.patient,
        author=world.clinician,
        author_label="Dr Dana",
        visit_date=dt.date(2026, 1, 10),
        text="Stable.",
    )
    return {"patient_pk": world.patient.pk, "pk": note.pk}


def _csv_kwargs(world: World, persona: str) -> dict[str, Any]:
    return {"patient_pk": world.patient.pk, "kind": "symptoms"}


RULES = [
    Rule("clinic-patient-list", "GET", anyone_signed_in, no_kwargs),
    Rule("clinic-response-cohort", "GET", everyone(400, anonymous=401), no_kwargs),
    Rule("clinic-overview", "GET", reader),
    Rule("clinic-response", "GET", expect(owner=400, caregiver=400, clinician=400)),
    Rule("clinic-export-csv", "GET", reader, _csv_kwargs),
    Rule("clinic-export-fhir", "GET", reader),
    Rule("clinical-note-list", "GET", expect(owner=404, caregiver=404, clinician=200)),
    Rule(
        "clinical-note-list",
        "POST",
        expect(owner=404, caregiver=404, clinician=201),
        body=lambda w, p: {"visit_date": "2026-01-10", "text": "Reviewed the diary."},
    ),
    Rule(
        "clinical-note-detail", "GET", expect(owner=404, caregiver=404, clinician=200), _note_kwargs
    ),
    Rule(
        "clinical-note-detail",
        "PATCH",
        expect(owner=404, caregiver=404, clinician=200),
        _note_kwargs,
        body=lambda w, p: {"text": "Amended."},
    ),
    Rule(
        "clinical-note-detail",
        "DELETE",
        expect(owner=404, caregiver=404, clinician=204),
        _note_kwargs,
    ),
]
