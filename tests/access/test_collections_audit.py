"""Reads across patients are audited like reads of one (issue 13, finding 12)."""

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
