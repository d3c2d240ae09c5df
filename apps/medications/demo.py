"""Demo medications: Leo on omalizumab every 4 weeks (last dose about 20 days ago), cetirizine
twice a day and an epinephrine auto-injector as needed; Alex on H1 and H2 antihistamines and
montelukast. Fixed ids: loading twice changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from apps.ops.demo import Demo, demo_id

from . import services
from .models import DoseLog, Medication


def _medication(demo: Demo, patient_key: str, key: str, **fields: Any) -> Medication:
    found = Medication.objects.filter(pk=demo_id(f"medication:{patient_key}:{key}")).first()
    if found is not None:
        return found
    medication = Medication.objects.create(
        id=demo_id(f"medication:{patient_key}:{key}"),
        patient=demo.patients[patient_key],
        created_by=demo.users.get("maria" if patient_key == "leo" else "alex"),
        start_date=timezone.localdate() - timedelta(days=200),
        **fields,
    )
    services.medication_replan(medication=medication)
    return medication


def load(demo: Demo) -> None:
    omalizumab = _medication(
        demo,
        "leo",
        "omalizumab",
        name="Omalizumab",
        drug_class="anti_ige",
        route="subcutaneous",
        dose="150",
        dose_unit="mg",
        prescribed_by="Dr Sofia Lindqvist",
        regimen_kind="interval",
        interval=4,
        interval_unit="weeks",
        interval_anchor="last_dose",
        times_of_day=["09:00"],
    )
    dose_id = demo_id("dose:leo:omalizumab:last")
    if not DoseLog.objects.filter(pk=dose_id).exists():
        services.dose_create(
            fields={
                "id": dose_id,
                "patient": demo.patients["leo"],
                "medication": omalizumab,
                "taken_at": timezone.now() - timedelta(days=20),
                "given_by": "clinic",
                "location": "clinic",
                "injection_site": "thigh_left",
                "created_by": demo.users["drlind"],
            },
            digest="",
        )
    _medication(
        demo,
        "leo",
        "cetirizine",
        name="Cetirizine",
        drug_class="h1_antihistamine",
        dose="5",
        dose_unit="mg",
        regimen_kind="daily",
        times_of_day=["08:00", "20:00"],
    )
    _medication(
        demo,
        "leo",
        "epinephrine",
        name="Epinephrine auto-injector",
        drug_class="epinephrine",
        route="intramuscular",
        dose="0.15",
        dose_unit="mg",
        regimen_kind="as_needed",
    )
    _medication(
        demo,
        "alex",
        "fexofenadine",
        name="Fexofenadine",
        drug_class="h1_antihistamine",
        dose="180",
        dose_unit="mg",
        regimen_kind="daily",
        times_of_day=["08:00"],
    )
    _medication(
        demo,
        "alex",
        "famotidine",
        name="Famotidine",
        drug_class="h2_antihistamine",
        dose="20",
        dose_unit="mg",
        regimen_kind="daily",
        times_of_day=["08:00", "20:00"],
    )
    _medication(
        demo,
        "alex",
        "montelukast",
        name="Montelukast",
        drug_class="leukotriene_modifier",
        dose="10",
        dose_unit="mg",
        regimen_kind="daily",
        times_of_day=["21:00"],
    )
