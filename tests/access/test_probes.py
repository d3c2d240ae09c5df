"""What a caregiver or clinician sees across patients is audited, and another patient's record id
tells a probe nothing (issue 13, findings 12 and 13)."""

from __future__ import annotations

import pytest

from apps.audit.models import AuditEvent
from tests.factories import World

pytestmark = pytest.mark.django_db


def test_the_patients_list_audits_what_a_clinician_saw(world: World, client_for) -> None:
    """Issue 13, finding 12: the clinician's patient list wrote no audit event."""
    assert client_for(world.clinician).get("/api/v1/patients/").status_code == 200
    event = AuditEvent.objects.get()
    assert (event.patient_id, event.actor, event.actor_role, event.action, event.resource) == (
        world.patient.pk,
        world.clinician,
        "clinician",
        "read",
        "patient-list",
    )
    assert client_for(world.owner).get("/api/v1/patients/").status_code == 200
    assert AuditEvent.objects.count() == 1  # an owner's own reads are not audited


def test_another_patients_record_id_tells_a_probe_nothing(world: World, client_for) -> None:
    """Issue 13, finding 13: an id of another patient's record answered 409 to any body, so a
    junk body probed whether the id existed without writing anything."""
    from apps.diary.models import Symptom, SymptomEntry

    theirs = SymptomEntry.objects.create(
        patient=world.strangers_patient,
        occurred_at=world.patient.created_at,
        symptom=Symptom.objects.get(code="skin.flushing"),
        severity=2,
    )
    client = client_for(world.owner)
    url = f"/api/v1/patients/{world.patient.pk}/symptom-entries/"
    junk = {"severity": "x"}
    taken = client.post(url, {"id": str(theirs.pk), **junk}, format="json")
    free = client.post(url, {"id": "0b6f2d3e-9c1a-4f5e-8d7c-2a1b3c4d5e6f", **junk}, format="json")
    assert (taken.status_code, taken.json()["fields"]) == (free.status_code, free.json()["fields"])
    assert taken.status_code == 400
    valid = {"symptom": "skin.flushing", "severity": 3, "occurred_at": "2025-01-01T10:00:00Z"}
    conflict = client.post(url, {"id": str(theirs.pk), **valid}, format="json")
    assert conflict.status_code == 409 and conflict.json()["code"] == "conflict"
    assert SymptomEntry.objects.filter(patient=world.patient).count() == 0


def test_the_clinic_list_and_the_cohort_audit_the_patients_they_show(
    world: World, client_for
) -> None:
    import datetime as dt

    from apps.medications import services as medication_services

    medication_services.medication_create(
        patient=world.patient,
        created_by=world.owner,
        name="Omalizumab",
        route="subcutaneous",
        start_date=dt.date(2025, 1, 1),
        regimen_kind="interval",
        interval=4,
        interval_unit="weeks",
    )
    client = client_for(world.clinician)
    assert client.get("/api/v1/clinic/patients/").status_code == 200
    cohort = client.get("/api/v1/clinic/response-cohort?drug=Omalizumab")
    assert cohort.status_code == 200 and cohort.json()["total"] == 1
    in_cohort = AuditEvent.objects.get(resource="clinic-response-cohort")
    assert (in_cohort.patient_id, in_cohort.actor) == (world.patient.pk, world.clinician)
    listed = AuditEvent.objects.get(resource="clinic-patient-list")
    assert (listed.patient_id, listed.actor, listed.actor_role) == (
        world.patient.pk,
        world.clinician,
        "clinician",
    )
