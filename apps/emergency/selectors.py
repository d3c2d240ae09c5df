"""The emergency card as it is shown: assembled from the patient record, the diary and the
medication list, plus the patient's own words (EmergencyCard)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from apps.careteam.models import KitStatus, Patient, SMSubtype
from apps.core.localtime import local_day
from apps.diary.models import LabAnalyte, LabResult, Trigger, TriggerExposure
from apps.medications.models import Medication, RegimenKind, Route

from .models import EmergencyCard


def baseline_tryptase(patient: Patient) -> LabResult | None:
    """The latest tryptase marked as baseline, or failing that the latest not drawn during an
    episode (an acute value is not the patient's baseline)."""
    found = LabResult.objects.filter(
        patient=patient, analyte=LabAnalyte.TRYPTASE, deleted_at__isnull=True
    ).order_by("-sampled_at", "-id")
    return found.filter(is_baseline=True).first() or found.filter(episode__isnull=True).first()


def card_for(patient: Patient, now: dt.datetime | None = None) -> dict[str, Any]:
    today = patient.local_today(now)
    card = EmergencyCard.objects.filter(patient=patient).first() or EmergencyCard(patient=patient)
    medicines = [
        {
            "name": m.name,
            "dose": f"{m.dose.normalize():f} {m.dose_unit}".strip() if m.dose is not None else "",
            "route": Route(m.route).label,
            "as_needed": m.regimen_kind == RegimenKind.AS_NEEDED,
        }
        for m in Medication.objects.filter(patient=patient, paused_at__isnull=True)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .order_by("name", "id")
    ]
    logged = TriggerExposure.objects.filter(patient=patient, deleted_at__isnull=True).values(
        "trigger_id"
    )
    triggers = list(
        Trigger.objects.filter(pk__in=logged, deleted_at__isnull=True)
        .order_by("name")
        .values_list("name", flat=True)
    )
    tryptase = baseline_tryptase(patient)
    return {
        "patient_name": patient.display_name,
        "date_of_birth": patient.date_of_birth,
        "diagnosis": SMSubtype(patient.sm_subtype).label,
        "sm_subtype": patient.sm_subtype,
        "diagnosis_note": card.diagnosis_note,
        "kit_d816v": KitStatus(patient.kit_d816v_status).label,
        "baseline_tryptase": None
        if tryptase is None
        else {
            "value": f"{tryptase.value.normalize():f}",
            "unit": tryptase.unit,
            "sampled_on": local_day(tryptase.sampled_at, patient.zone),
        },
        "medicines": medicines,
        "known_triggers": [*triggers, *(t for t in card.extra_triggers if t not in triggers)],
        "extra_triggers": list(card.extra_triggers),
        "drug_intolerances": list(card.drug_intolerances),
        "action_plan": card.action_plan,
        "emergency_contacts": list(patient.emergency_contacts or []),
        "updated_at": card.updated_at,
    }
