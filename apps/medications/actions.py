"""The dose reminder's "I took it" button, performed on the server
(POST /api/v1/notifications/{id}/actions/took-it; see apps.notifications.actions).

The service worker logs the dose itself when it can (through its offline outbox); this is the
same thing for any other client, and for a worker that has the connection but not the data."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from rest_framework.exceptions import ValidationError

from apps.careteam.access import Capability
from apps.careteam.models import Role
from apps.notifications.actions import register_action, require_capability

from . import services
from .models import DoseLog, DoseStatus, GivenBy, Location, Medication, ReminderStep

# One dose per notification, however often its button is pressed (uuid5 of the notification).
_DOSE_IDS = uuid.UUID("0b7a4c1e-5d0e-4b8f-9a53-6f3c2d1e8a40")


def _occurrence(source_key: str) -> tuple[str, str]:
    # dose:<medication_id>:<cycle> (models.source_key; before cycles: the due moment, ISO 8601)
    kind, _, rest = source_key.partition(":")
    medication_id, _, cycle = rest.partition(":")
    if kind != "dose" or not medication_id or not cycle:
        raise ValidationError({"action": [gettext("This notification is not about a dose.")]})
    return medication_id, cycle


def _due_of(medication: Medication, cycle: str) -> datetime | None:
    """When the dose the notification is about was due (None: the server matches it)."""
    try:
        return datetime.fromisoformat(cycle)  # a notification sent before cycles existed
    except ValueError:
        due: datetime | None = (
            ReminderStep.objects.filter(medication=medication, cycle=cycle)
            .order_by("-fire_at")
            .values_list("due_at", flat=True)
            .first()
        )
        return due


def took_it(notification: Any, user: Any) -> dict[str, Any]:
    membership = require_capability(notification, user, Capability.LOG_DOSE)
    medication_id, cycle = _occurrence(notification.source_key)
    medication = Medication.objects.filter(pk=medication_id, patient=membership.patient).first()
    if medication is None:
        raise ValidationError(
            {"action": [gettext("This medication is no longer on the patient's list.")]}
        )
    if medication.paused_at is not None:
        raise ValidationError({"action": [gettext("This medication is paused.")]})
    dose_id = uuid.uuid5(_DOSE_IDS, str(notification.pk))
    dose = DoseLog.objects.filter(pk=dose_id).first()
    if dose is None:
        dose = services.dose_create(
            fields={
                "id": dose_id,
                "patient": membership.patient,
                "medication": medication,
                "status": DoseStatus.TAKEN,
                "taken_at": timezone.now(),
                "scheduled_for": _due_of(medication, cycle),
                "given_by": GivenBy.CAREGIVER
                if membership.role == Role.CAREGIVER
                else GivenBy.PATIENT,
                "location": Location.HOME,
                "injection_site": services.suggested_injection_site(medication) or "",
                "created_by": user,
            },
            digest="",
        )
    return {
        "dose": {
            "id": str(dose.pk),
            "medication": str(medication.pk),
            "taken_at": dose.taken_at.isoformat(),
        }
    }


def register() -> None:
    register_action(
        "took-it", took_it, resolves=True, needs=Capability.LOG_DOSE, audited_as=("create", "dose")
    )
    # Opens the day's symptom check-in in the app.
    register_action("check_in", None, resolves=False, needs=Capability.WRITE_DIARY)
