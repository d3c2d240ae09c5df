"""Reads worth a name: a period's dose occurrences with their state, adherence, and the
upcoming doses of the calendar feed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q

from .models import DoseLog, DoseStatus, Medication, RegimenKind
from .policy import StepKind
from .schedule import local_to_utc, next_due_after_last_dose, occurrences, shift_local


class OccurrenceState:
    TAKEN = "taken"
    TAKEN_LATE = "taken_late"
    SKIPPED = "skipped"
    MISSED = "missed"
    DUE = "due"
    UPCOMING = "upcoming"


@dataclass
class Occurrence:
    medication_id: Any
    due_at: datetime
    state: str
    dose_id: Any = None
    taken_at: datetime | None = None


@dataclass
class Adherence:
    medication_id: Any
    name: str
    taken: int = 0
    taken_late: int = 0
    skipped: int = 0
    missed: int = 0

    @property
    def rate(self) -> float | None:
        counted = self.taken + self.taken_late + self.skipped + self.missed
        return round((self.taken + self.taken_late) / counted, 3) if counted else None


@dataclass
class Schedule:
    occurrences: list[Occurrence] = field(default_factory=list)
    adherence: list[Adherence] = field(default_factory=list)


def missed_after(medication: Medication, due: datetime, zone: ZoneInfo) -> datetime:
    """When an occurrence with no dose counts as missed: the first missed/overdue step of its
    policy (2 hours for a daily pill, the 3-day grace for a 4-weekly injection). A dose given
    after that moment is "taken late"."""
    for step in medication.policy().steps:
        if step.kind in (StepKind.MISSED, StepKind.OVERDUE):
            return shift_local(due, zone, days=step.days, minutes=step.minutes)
    return due + medication.regimen().typical_gap / 2


def _state(
    medication: Medication, due: datetime, dose: DoseLog | None, zone: ZoneInfo, now: datetime
) -> str:
    if dose is not None:
        if dose.status == DoseStatus.SKIPPED:
            return OccurrenceState.SKIPPED
        if dose.taken_at > missed_after(medication, due, zone):
            return OccurrenceState.TAKEN_LATE
        return OccurrenceState.TAKEN
    if due > now:
        return OccurrenceState.UPCOMING
    if now > missed_after(medication, due, zone):
        return OccurrenceState.MISSED
    return OccurrenceState.DUE


def patient_schedule(*, patient: Any, start: date, end: date, now: datetime) -> Schedule:
    """Every scheduled dose of the patient's medications due in [start, end] (local dates)."""
    zone = ZoneInfo(patient.time_zone)
    medications = list(
        Medication.objects.filter(patient=patient)
        .exclude(regimen_kind=RegimenKind.AS_NEEDED)
        .select_related("patient")
    )
    return _schedule(
        medications,
        start_utc=local_to_utc(start, time(0), zone),
        end_utc=local_to_utc(end + timedelta(days=1), time(0), zone),
        now=now,
    )


def adherence(
    patients: Sequence[Any], *, start: datetime, end: datetime, now: datetime
) -> dict[Any, float | None]:
    """Per patient, the share of the doses due in [start, end) and already decided (taken, taken
    late, skipped or missed: `_state`) that were taken — the one adherence rule, for the
    medication screens and the clinician's list alike. Two queries for all the patients."""
    result: dict[Any, float | None] = {p.pk: None for p in patients}
    if not patients:
        return result
    by_id = {p.pk: p for p in patients}
    medications = list(
        Medication.objects.filter(patient_id__in=list(by_id)).exclude(
            regimen_kind=RegimenKind.AS_NEEDED
        )
    )
    for medication in medications:
        medication.patient = by_id[medication.patient_id]  # no extra query for the zone
    totals: dict[Any, Adherence] = {}
    schedule = _schedule(medications, start_utc=start, end_utc=end, now=now)
    patient_of = {m.pk: m.patient_id for m in medications}
    for item in schedule.adherence:
        total = totals.setdefault(patient_of[item.medication_id], Adherence(None, ""))
        total.taken += item.taken
        total.taken_late += item.taken_late
        total.skipped += item.skipped
        total.missed += item.missed
    for patient_id, total in totals.items():
        result[patient_id] = total.rate
    return result


def _schedule(
    medications: list[Medication], *, start_utc: datetime, end_utc: datetime, now: datetime
) -> Schedule:
    """The occurrences due in [start_utc, end_utc) of these medications (their `patient`
    loaded), with their state and each medication's adherence: one query for the doses."""
    from_last_dose = [m for m in medications if m.regimen().counts_from_last_dose]
    doses = list(
        DoseLog.objects.filter(medication__in=medications, deleted_at__isnull=True).filter(
            Q(scheduled_for__gte=start_utc, scheduled_for__lt=end_utc)
            | Q(medication__in=from_last_dose, status=DoseStatus.TAKEN, taken_at__lt=end_utc)
        )
    )
    answered: dict[tuple[Any, datetime], DoseLog] = {}
    last_taken: dict[Any, datetime] = {}
    for dose in doses:
        if dose.scheduled_for is not None:
            answered.setdefault((dose.medication_id, dose.scheduled_for), dose)
        if dose.status == DoseStatus.TAKEN and (
            dose.medication_id not in last_taken or dose.taken_at > last_taken[dose.medication_id]
        ):
            last_taken[dose.medication_id] = dose.taken_at

    schedule = Schedule()
    for medication in medications:
        zone = ZoneInfo(medication.patient.time_zone)
        adherence = Adherence(medication.pk, medication.name)
        regimen = medication.regimen()
        if regimen.counts_from_last_dose:
            dues = sorted(
                {
                    d.scheduled_for
                    for d in doses
                    if d.medication_id == medication.pk
                    and d.scheduled_for is not None
                    and start_utc <= d.scheduled_for < end_utc
                }
            )
            pending = next_due_after_last_dose(regimen, zone, last_taken.get(medication.pk))
            if pending is not None and start_utc <= pending < end_utc and pending not in dues:
                dues.append(pending)
        else:
            dues = list(occurrences(regimen, zone, start_utc, end_utc))
        for due in dues:
            answer = answered.get((medication.pk, due))
            if answer is None and medication.paused_at is not None and due >= medication.paused_at:
                continue  # nothing is expected of a paused medication
            state = _state(medication, due, answer, zone, now)
            schedule.occurrences.append(
                Occurrence(
                    medication.pk,
                    due,
                    state,
                    answer.pk if answer else None,
                    answer.taken_at if answer else None,
                )
            )
            if state in (
                OccurrenceState.TAKEN,
                OccurrenceState.TAKEN_LATE,
                OccurrenceState.SKIPPED,
                OccurrenceState.MISSED,
            ):
                setattr(adherence, state, getattr(adherence, state) + 1)
        schedule.adherence.append(adherence)
    schedule.occurrences.sort(key=lambda o: (o.due_at, str(o.medication_id)))
    return schedule


def upcoming_doses(
    *, patient: Any, now: datetime, days: int = 60
) -> list[tuple[Medication, datetime]]:
    """The doses to come (and an overdue long-interval one) for the calendar feed."""
    zone = ZoneInfo(patient.time_zone)
    until = now + timedelta(days=days)
    found: list[tuple[Medication, datetime]] = []
    for medication in Medication.objects.filter(patient=patient, paused_at__isnull=True).exclude(
        regimen_kind=RegimenKind.AS_NEEDED
    ):
        regimen = medication.regimen()
        if regimen.counts_from_last_dose:
            if medication.next_dose_due_at is not None and medication.next_dose_due_at < until:
                found.append((medication, medication.next_dose_due_at))
            continue
        found.extend((medication, due) for due in occurrences(regimen, zone, now, until))
    found.sort(key=lambda item: item[1])
    return found
