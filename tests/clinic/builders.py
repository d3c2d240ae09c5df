"""Synthetic diary data for the clinic tests: bulk-created, so a cohort builds in a moment (a
bulk write sends no model signal: each builder then refreshes the patient's stored triage, as
the services' writes do)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from apps.careteam.models import Membership, Role
from apps.clinic.hooks import patient_changed
from apps.diary.models import DailyCheckIn, Symptom, SymptomEntry
from apps.medications.models import CatalogueDrug, DoseLog, Medication
from tests.factories import MembershipFactory, PatientFactory


def patient_of(clinician: Any, name: str, **fields: Any) -> Any:
    patient = PatientFactory(display_name=name, **fields)
    MembershipFactory(patient=patient, user=clinician, role=Role.CLINICIAN)
    return patient


def omalizumab(patient: Any, start: dt.date, **fields: Any) -> Medication:
    drug = CatalogueDrug.objects.get(name="Omalizumab")
    return Medication.objects.create(
        patient=patient,
        catalogue=drug,
        name="Omalizumab",
        drug_class=drug.drug_class,
        route="subcutaneous",
        start_date=start,
        regimen_kind="interval",
        interval=4,
        interval_unit="weeks",
        interval_anchor="last_dose",
        times_of_day=["09:00"],
        **fields,
    )


def daily_diary(
    patient: Any,
    first: dt.date,
    last: dt.date,
    severity: Callable[[dt.date], int | None],
    *,
    symptom: str = "skin.flushing",
    qol: Callable[[dt.date], int] | None = None,
    check_ins: bool = True,
) -> None:
    """One symptom entry (at local noon) and one check-in per day of [first, last]; a day whose
    severity is None gets nothing."""
    zone = ZoneInfo(patient.time_zone)
    code = Symptom.objects.get(code=symptom, patient=None)
    entries: list[SymptomEntry] = []
    check_in_rows: list[DailyCheckIn] = []
    day = first
    while day <= last:
        value = severity(day)
        if value is not None:
            at = dt.datetime.combine(day, dt.time(12), tzinfo=zone)
            entries.append(
                SymptomEntry(patient=patient, occurred_at=at, symptom=code, severity=value)
            )
            check_in_rows.append(
                DailyCheckIn(
                    patient=patient,
                    local_date=day,
                    overall_severity=value,
                    quality_of_life=qol(day) if qol else 100 - 10 * value,
                )
            )
        day += dt.timedelta(days=1)
    SymptomEntry.objects.bulk_create(entries, batch_size=1000)
    if check_ins:
        DailyCheckIn.objects.bulk_create(check_in_rows, batch_size=1000)
    patient_changed(patient.pk)


def doses(medication: Medication, days: list[dt.date], status: str = "taken") -> None:
    zone = ZoneInfo(medication.patient.time_zone)
    DoseLog.objects.bulk_create(
        DoseLog(
            patient=medication.patient,
            medication=medication,
            status=status,
            taken_at=dt.datetime.combine(day, dt.time(9), tzinfo=zone),
        )
        for day in days
    )
    patient_changed(medication.patient_id)


def revoke(patient: Any, user: Any, at: dt.datetime) -> None:
    Membership.objects.filter(patient=patient, user=user).update(revoked_at=at)
