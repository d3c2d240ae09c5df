"""Writes with rules: medications, their regimens and pauses, the dose log, and (re)planning
the reminder steps that follow from them — always in the writer's transaction, so a logged dose
and the cancellation of its reminders commit together."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from apps.notifications import services as notifications
from apps.sync import services as sync_services

from .models import (
    DoseLog,
    DoseStatus,
    Medication,
    MedicationAlertFlag,
    ReminderStep,
    StepStatus,
    next_injection_site,
    source_key,
)
from .policy import Policy, StepSpec
from .schedule import Regimen, next_due_after_last_dose, occurrences, shift_local

DOSE_KIND = "dose"  # the sync kind of DoseLog (api.DoseViewSet)
# At most this many occurrences are planned ahead of "now" in one replan (a bound, not a rule).
_MAX_PLANNED_OCCURRENCES = 200


# --- medications ----------------------------------------------------------------------------


@transaction.atomic
def medication_create(*, patient: Any, created_by: Any, **fields: Any) -> Medication:
    medication = Medication.objects.create(patient=patient, created_by=created_by, **fields)
    medication_replan(medication=medication)
    medication.refresh_from_db()
    return medication


@transaction.atomic
def medication_update(*, medication: Medication, **fields: Any) -> Medication:
    for name, value in fields.items():
        setattr(medication, name, value)
    if fields:
        medication.save(update_fields=[*fields, "updated_at"])
    medication_replan(medication=medication)
    medication.refresh_from_db()
    return medication


@transaction.atomic
def medication_pause(*, medication: Medication) -> Medication:
    if medication.paused_at is None:
        medication.paused_at = timezone.now()
        medication.save(update_fields=["paused_at", "updated_at"])
        medication_replan(medication=medication)
    return medication


@transaction.atomic
def medication_resume(*, medication: Medication) -> Medication:
    if medication.paused_at is not None:
        medication.paused_at = None
        medication.save(update_fields=["paused_at", "updated_at"])
        medication_replan(medication=medication)
    return medication


def patient_zone_changed(*, patient_id: Any) -> None:
    """Every wall-clock time of the patient's schedules now means another UTC moment."""
    with transaction.atomic():
        for medication in Medication.objects.filter(patient_id=patient_id).select_related(
            "patient"
        ):
            if medication.planned_time_zone != medication.patient.time_zone:
                medication_replan(medication=medication)


# --- doses ------------------------------------------------------------------------------------


def last_taken_at(medication_id: Any) -> datetime | None:
    found: datetime | None = DoseLog.objects.filter(
        medication_id=medication_id, status=DoseStatus.TAKEN, deleted_at__isnull=True
    ).aggregate(latest=Max("taken_at"))["latest"]
    return found


def suggested_injection_site(medication: Medication) -> str | None:
    if not medication.is_injection:
        return None
    last = (
        DoseLog.objects.filter(medication=medication, deleted_at__isnull=True)
        .exclude(injection_site="")
        .order_by("-taken_at")
        .values_list("injection_site", flat=True)
        .first()
    )
    return next_injection_site(last)


def match_occurrence(medication: Medication, taken_at: datetime) -> datetime | None:
    """The occurrence a dose logged without `scheduled_for` answers: the pending one for a
    regimen counted from the last dose; otherwise the nearest open occurrence within half the
    gap between doses (an extra dose matches nothing)."""
    regimen = medication.regimen()
    if not regimen.is_scheduled:
        return None
    zone = medication.zone()
    if regimen.counts_from_last_dose:
        return next_due_after_last_dose(regimen, zone, last_taken_at(medication.pk))
    half = regimen.typical_gap / 2
    candidates = list(occurrences(regimen, zone, taken_at - half, taken_at + half))
    if not candidates:
        return None
    answered = set(
        DoseLog.objects.filter(
            medication=medication, deleted_at__isnull=True, scheduled_for__in=candidates
        ).values_list("scheduled_for", flat=True)
    )
    open_ones = [due for due in candidates if due not in answered] or candidates
    return min(open_ones, key=lambda due: abs(due - taken_at))


def _locked(medication: Medication) -> Medication:
    """Serialises writes that replan one medication (two phones logging the same dose)."""
    # NO KEY UPDATE: the scan may meanwhile insert rows pointing at this medication (an alert
    # flag) without waiting for us, so it never holds a claimed step while waiting on this lock.
    return (
        Medication.objects.select_for_update(no_key=True, of=("self",))
        .select_related("patient")
        .get(pk=medication.pk)
    )


@transaction.atomic
def dose_create(*, fields: dict[str, Any], digest: str) -> DoseLog:
    medication = _locked(fields["medication"])
    if "scheduled_for" not in fields or fields["scheduled_for"] is None:
        fields["scheduled_for"] = match_occurrence(medication, fields["taken_at"])
    dose: DoseLog = sync_services.synced_create(
        kind=DOSE_KIND, model=DoseLog, fields=fields, digest=digest
    )
    medication_replan(medication=medication, touched=[dose.scheduled_for])
    return dose


@transaction.atomic
def dose_update(*, dose: DoseLog, fields: dict[str, Any]) -> DoseLog:
    medication = _locked(dose.medication)
    before = dose.scheduled_for
    if "taken_at" in fields and "scheduled_for" not in fields:
        # Moving the time of a dose may make it answer another occurrence.
        fields["scheduled_for"] = match_occurrence(medication, fields["taken_at"])
    dose = sync_services.synced_update(kind=DOSE_KIND, instance=dose, fields=fields)
    medication_replan(medication=medication, touched=[before, dose.scheduled_for])
    return dose


@transaction.atomic
def dose_delete(*, dose: DoseLog) -> None:
    medication = _locked(dose.medication)
    sync_services.synced_delete(kind=DOSE_KIND, instance=dose)
    medication_replan(medication=medication, touched=[dose.scheduled_for])


# --- planning ---------------------------------------------------------------------------------


def open_occurrences(
    medication: Medication, regimen: Regimen, zone: ZoneInfo, policy: Policy, now: datetime
) -> list[datetime]:
    """The occurrences that may still have a step to fire, oldest first: for a regimen counted
    from the last dose, the one pending occurrence; otherwise every occurrence not answered by
    a dose whose steps may still be running, up to the first open one after `now`."""
    if not regimen.is_scheduled or medication.paused_at is not None:
        return []
    if regimen.counts_from_last_dose:
        due = next_due_after_last_dose(regimen, zone, last_taken_at(medication.pk))
        return [due] if due is not None else []
    # Doses due before the medication was added were never expected of anyone.
    since = max(now - timedelta(days=policy.longest_after_due_days + 1), medication.created_at)
    answered = set(
        DoseLog.objects.filter(
            medication=medication, deleted_at__isnull=True, scheduled_for__gte=since
        ).values_list("scheduled_for", flat=True)
    )
    found: list[datetime] = []
    start = since
    horizon = now + timedelta(days=400)
    while start < horizon and len(found) < _MAX_PLANNED_OCCURRENCES:
        end = start + timedelta(days=8)
        for due in occurrences(regimen, zone, start, end):
            if due in answered:
                continue
            found.append(due)
            if due > now:
                return found
        start = end
    return found


_SPEC_FIELDS = ("kind", "audience", "urgency", "late_cutoff_minutes", "flag_clinician")


def _spec_fields(spec: StepSpec) -> dict[str, Any]:
    return {
        "kind": spec.kind,
        "audience": list(spec.audience),
        "urgency": spec.urgency,
        "late_cutoff_minutes": spec.late_cutoff_minutes,
        "flag_clinician": spec.flag_clinician,
    }


def medication_replan(
    *,
    medication: Medication,
    now: datetime | None = None,
    touched: Iterable[datetime | None] = (),
) -> list[datetime]:
    """Brings the medication's pending reminder steps in line with its regimen, policy, pause,
    the patient's zone and the dose log; returns the open occurrences.

    - a step of an open occurrence whose time is to come is pending at its (re)computed time;
    - a pending step of an occurrence that is no longer open (the dose was logged, the regimen
      changed, the medication was paused) is cancelled, and so are notifications already sent
      about it (`cancel_for_source`: an in-flight delivery sends nothing stale);
    - steps already fired stay as they are (the history of what was sent);
    - a step whose time passed before it could be planned (a dose logged as missed long ago, a
      new medication) is not sent retroactively, except the most recent escalation — an
      overdue injection is announced once even then — and the most recent reminder still within
      its late cut-off.
    """
    now = now or timezone.now()
    medication = Medication.objects.select_related("patient").get(pk=medication.pk)
    zone = medication.zone()
    regimen = medication.regimen()
    policy = medication.policy()
    dues = open_occurrences(medication, regimen, zone, policy, now)
    due_set = set(dues)

    desired: dict[tuple[datetime, str], tuple[StepSpec, datetime]] = {}
    for due in dues:
        for spec in policy.steps:
            for name, day in spec.occurrences():
                desired[(due, name)] = (
                    spec,
                    shift_local(due, zone, days=day, minutes=spec.minutes),
                )

    existing = {
        (row.due_at, row.name): row
        for row in ReminderStep.objects.filter(medication=medication).filter(
            Q(status=StepStatus.PENDING) | Q(due_at__in=dues)
        )
    }
    to_create: list[ReminderStep] = []
    to_update: list[ReminderStep] = []
    for due in dues:
        latest_done = max(
            (r.fire_at for (d, _), r in existing.items() if d == due and r.fire_at <= now),
            default=None,
        )
        catch_up = _catch_up(desired, existing, due, now, latest_done)
        for (d, name), (spec, fire_at) in desired.items():
            if d != due:
                continue
            row = existing.get((d, name))
            if row is None:
                if fire_at > now or name in catch_up:
                    to_create.append(
                        ReminderStep(
                            medication=medication,
                            due_at=due,
                            name=name,
                            fire_at=fire_at,
                            **_spec_fields(spec),
                        )
                    )
            elif row.status == StepStatus.PENDING or (
                row.status == StepStatus.CANCELLED and fire_at > now
            ):
                # A reopened occurrence (its dose deleted) or a moved one (zone, regimen).
                changed = row.status != StepStatus.PENDING or row.fire_at != fire_at
                for attr, value in _spec_fields(spec).items():
                    changed = changed or getattr(row, attr) != value
                    setattr(row, attr, value)
                if changed:
                    row.status = StepStatus.PENDING
                    row.fire_at = fire_at
                    to_update.append(row)

    stale = [
        row.pk
        for key, row in existing.items()
        if row.status == StepStatus.PENDING and key not in desired
    ]
    if stale:
        ReminderStep.objects.filter(pk__in=stale, status=StepStatus.PENDING).update(
            status=StepStatus.CANCELLED
        )
    if to_update:
        ReminderStep.objects.bulk_update(to_update, ["status", "fire_at", *_SPEC_FIELDS])
    if to_create:
        ReminderStep.objects.bulk_create(to_create, ignore_conflicts=True)

    closed = {row.due_at for key, row in existing.items() if key not in desired}
    closed |= {d for d in touched if d is not None}
    if regimen.counts_from_last_dose and medication.next_dose_due_at is not None:
        closed.add(medication.next_dose_due_at)  # the occurrence a new dose just answered
    for due in sorted(closed - due_set):
        notifications.cancel_for_source(source_key=source_key(medication.pk, due))
    MedicationAlertFlag.objects.filter(medication=medication, cleared_at__isnull=True).exclude(
        due_at__in=dues
    ).update(cleared_at=now)

    if regimen.counts_from_last_dose:
        next_due = dues[0] if dues else None
    else:
        next_due = next((d for d in dues if d > now), None)
    Medication.objects.filter(pk=medication.pk).update(
        next_dose_due_at=next_due, planned_time_zone=medication.patient.time_zone
    )
    return dues


def _catch_up(
    desired: dict[tuple[datetime, str], tuple[StepSpec, datetime]],
    existing: dict[tuple[datetime, str], ReminderStep],
    due: datetime,
    now: datetime,
    latest_done: datetime | None,
) -> set[str]:
    """Names of past steps of one occurrence still worth sending now (see medication_replan)."""
    missed = [
        (fire_at, name, spec)
        for (d, name), (spec, fire_at) in desired.items()
        if d == due
        and fire_at <= now
        and (d, name) not in existing
        and (latest_done is None or fire_at > latest_done)
    ]
    chosen: set[str] = set()
    escalations = [m for m in missed if m[2].late_cutoff_minutes is None]
    if escalations:
        chosen.add(max(escalations, key=lambda m: m[0])[1])
    reminders = [m for m in missed if m[2].late_cutoff_minutes is not None]
    if reminders:
        fire_at, name, spec = max(reminders, key=lambda m: m[0])
        if now - fire_at <= timedelta(minutes=spec.late_cutoff_minutes or 0):
            chosen.add(name)
    return chosen
