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

from apps.clinic.hooks import patient_changed
from apps.notifications import services as notifications
from apps.sync import services as sync_services

from .models import (
    DoseLog,
    DoseStatus,
    Medication,
    MedicationAlertFlag,
    ReminderStep,
    StepStatus,
    legacy_source_key,
    next_injection_site,
    source_key,
)
from .policy import Policy, StepSpec
from .schedule import (
    Regimen,
    Unit,
    local_to_utc,
    next_due_after_last_dose,
    occurrences,
    shift_local,
)

DOSE_KIND = "dose"  # the sync kind of DoseLog (api.DoseViewSet)
# At most this many occurrences are planned ahead of "now" in one replan (a bound, not a rule).
_MAX_PLANNED_OCCURRENCES = 200


# --- medications ----------------------------------------------------------------------------


@transaction.atomic
def medication_create(
    *,
    patient: Any,
    created_by: Any,
    last_dose_at: datetime | None = None,
    last_dose_injection_site: str = "",
    given_by: str = "patient",
    **fields: Any,
) -> Medication:
    """Adds a medication. `last_dose_at` (a regimen counted from the last dose) logs that dose,
    which anchors the cycle: the next one is due counted from it."""
    medication = Medication.objects.create(patient=patient, created_by=created_by, **fields)
    if last_dose_at is not None:
        dose_create(
            fields={
                "patient": patient,
                "medication": medication,
                "taken_at": last_dose_at,
                "given_by": given_by,
                "injection_site": last_dose_injection_site or "",
                "created_by": created_by,
            },
            digest="",
        )
    else:
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


def _last_given(medication_id: Any, before: datetime | None = None) -> DoseLog | None:
    """The last dose actually given (before `before`): the start of the current cycle."""
    found = DoseLog.objects.filter(
        medication_id=medication_id, status=DoseStatus.TAKEN, deleted_at__isnull=True
    )
    if before is not None:
        found = found.filter(taken_at__lt=before)
    return found.order_by("-taken_at", "-created_at").first()


def cycle_after(dose: DoseLog | None) -> str:
    """The cycle of a regimen counted from the last dose: the dose it follows."""
    return f"after-{dose.pk}" if dose is not None else "first"


def cycle_on(regimen: Regimen, zone: ZoneInfo, due: datetime) -> str:
    """The cycle of a fixed schedule's occurrence: its local date and slot of the day, so a zone
    move or a dose-time edit keeps it (08:00 → 09:00 is still the first dose of 1 June)."""
    local_due = due.astimezone(zone)
    at = local_due.time().replace(second=0, microsecond=0)
    times = sorted(regimen.times)
    slot = str(times.index(at)) if at in times and regimen.unit != Unit.HOURS else f"{at:%H%M}"
    return f"on-{local_due.date().isoformat()}-{slot}"


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
    """The occurrence a dose logged without `scheduled_for` answers.

    Counted from the last dose: the occurrence due after the dose given before this one, so a
    backdated dose lands on its own cycle, not on today's. The first dose answers the start-date
    occurrence if it was given from that day on, within half an interval; otherwise (given
    before the start date, e.g. the last dose entered when adding the medication) it is the
    anchor and answers the occurrence of its own local day. Otherwise: the nearest open
    occurrence within half the gap between doses (an extra dose matches nothing)."""
    regimen = medication.regimen()
    if not regimen.is_scheduled:
        return None
    zone = medication.zone()
    half = regimen.typical_gap / 2
    if regimen.counts_from_last_dose:
        previous = _last_given(medication.pk, before=taken_at)
        if previous is not None:
            if previous == _last_given(medication.pk) and medication.next_dose_due_at:
                return medication.next_dose_due_at  # the open cycle: when it was really due
            return next_due_after_last_dose(regimen, zone, previous.taken_at)
        # The start date as entered: the first dose may be older than the record.
        given_on = taken_at.astimezone(zone).date()
        first = local_to_utc(medication.start_date, regimen.preferred_time, zone)
        if given_on >= medication.start_date and taken_at - first <= half:
            return first
        return local_to_utc(given_on, regimen.preferred_time, zone)
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


def _cycles_of(medication: Medication, dues: Iterable[datetime | None]) -> set[str]:
    """The cycles a dose write may close: the current one of a regimen counted from the last
    dose, or the occurrences the dose answers (before and after the write)."""
    regimen = medication.regimen()
    if not regimen.is_scheduled:
        return set()
    if regimen.counts_from_last_dose:
        return {cycle_after(_last_given(medication.pk))}
    zone = medication.zone()
    return {cycle_on(regimen, zone, due) for due in dues if due is not None}


@transaction.atomic
def dose_create(*, fields: dict[str, Any], digest: str) -> DoseLog:
    medication = _locked(fields["medication"])
    if "scheduled_for" not in fields or fields["scheduled_for"] is None:
        fields["scheduled_for"] = match_occurrence(medication, fields["taken_at"])
    before = _cycles_of(medication, [fields["scheduled_for"]])
    dose: DoseLog = sync_services.synced_create(
        kind=DOSE_KIND, model=DoseLog, fields=fields, digest=digest
    )
    medication_replan(medication=medication, touched=before)
    return dose


@transaction.atomic
def dose_update(*, dose: DoseLog, fields: dict[str, Any]) -> DoseLog:
    medication = _locked(dose.medication)
    before = dose.scheduled_for
    if "taken_at" in fields and "scheduled_for" not in fields:
        # Moving the time of a dose may make it answer another occurrence.
        fields["scheduled_for"] = match_occurrence(medication, fields["taken_at"])
    touched = _cycles_of(medication, [before, fields.get("scheduled_for")])
    dose = sync_services.synced_update(kind=DOSE_KIND, instance=dose, fields=fields)
    medication_replan(medication=medication, touched=touched)
    return dose


@transaction.atomic
def dose_delete(*, dose: DoseLog) -> None:
    medication = _locked(dose.medication)
    touched = _cycles_of(medication, [dose.scheduled_for])
    sync_services.synced_delete(kind=DOSE_KIND, instance=dose)
    medication_replan(medication=medication, touched=touched)


# --- planning ---------------------------------------------------------------------------------


def open_occurrences(
    medication: Medication, regimen: Regimen, zone: ZoneInfo, policy: Policy, now: datetime
) -> list[tuple[str, datetime]]:
    """The (cycle, due moment) of the occurrences that may still have a step to fire, oldest
    first: for a regimen counted from the last dose, the one pending occurrence; otherwise every
    occurrence not answered by a dose whose steps may still be running, up to the first open one
    after `now`. The due moment is the one the regimen gives now (in the current zone, at the
    current dose time)."""
    if not regimen.is_scheduled or medication.paused_at is not None:
        return []
    if regimen.counts_from_last_dose:
        last = _last_given(medication.pk)
        due = next_due_after_last_dose(regimen, zone, last.taken_at if last else None)
        return [(cycle_after(last), due)] if due is not None else []
    # Doses due before the medication was added were never expected of anyone.
    since = max(now - timedelta(days=policy.longest_after_due_days + 1), medication.created_at)
    answered = set(
        DoseLog.objects.filter(
            medication=medication, deleted_at__isnull=True, scheduled_for__gte=since
        ).values_list("scheduled_for", flat=True)
    )
    found: list[tuple[str, datetime]] = []
    start = since
    horizon = now + timedelta(days=400)
    while start < horizon and len(found) < _MAX_PLANNED_OCCURRENCES:
        end = start + timedelta(days=8)
        for due in occurrences(regimen, zone, start, end):
            if due in answered:
                continue
            found.append((cycle_on(regimen, zone, due), due))
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


def _really_due(rows: Iterable[ReminderStep], due: datetime, now: datetime) -> datetime:
    """When the dose of a cycle was really due: once the planned due moment has passed, a later
    edit (dose time, zone) moves the steps still to come but not the moment the dose was missed
    at — unless the edit makes it not yet due."""
    latest = max(rows, key=lambda row: row.fire_at, default=None)  # the last planned
    planned = latest.due_at if latest is not None else None
    if planned is not None and planned <= now and due <= now:
        return planned
    return due


def medication_replan(
    *,
    medication: Medication,
    now: datetime | None = None,
    touched: Iterable[str] = (),
) -> list[datetime]:
    """Brings the medication's pending reminder steps in line with its regimen, policy, pause,
    the patient's zone and the dose log; returns when the open occurrences are due.

    A step is (medication, cycle, name) — see `ReminderStep`. So:
    - a pending step of an open cycle moves to its (re)computed time;
    - a pending step of a cycle that is no longer open (a dose was logged, the regimen changed,
      the medication was paused) is cancelled; only when a dose closed it (`touched`: the cycles
      a dose write may close) are the notifications already sent about it resolved
      (`cancel_for_source`: an in-flight delivery sends nothing stale);
    - steps already fired stay as they are (the history of what was sent), and are never made
      again;
    - a cancelled step of a cycle open again (its dose deleted, the medication resumed) is
      pending again if its time is to come;
    - a step whose time passed before it could be planned or while it was cancelled is not
      sent retroactively, except the most recent escalation — an overdue injection is announced
      once even then — and the most recent reminder still within its late cut-off.
    """
    now = now or timezone.now()
    medication = Medication.objects.select_related("patient").get(pk=medication.pk)
    zone = medication.zone()
    regimen = medication.regimen()
    policy = medication.policy()
    planned = open_occurrences(medication, regimen, zone, policy, now)
    cycles = {cycle for cycle, _ in planned}

    rows = list(
        ReminderStep.objects.filter(medication=medication).filter(
            Q(status=StepStatus.PENDING)
            | Q(cycle__in=cycles)
            # Rows planned before cycles existed (migration 0003): adopted by due moment.
            | Q(
                cycle__startswith="legacy-",
                due_at__in=[due for _, due in planned]
                + [d for d in [medication.next_dose_due_at] if d is not None],
            )
        )
    )
    legacy_due = {(cycle, due) for cycle, due in planned}
    if regimen.counts_from_last_dose and medication.next_dose_due_at is not None and planned:
        legacy_due.add((planned[0][0], medication.next_dose_due_at))
    existing: dict[tuple[str, str], ReminderStep] = {}
    to_update: list[ReminderStep] = []
    for found in rows:
        if found.cycle.startswith("legacy-"):
            for cycle, due in legacy_due:
                if found.due_at == due and (cycle, found.name) not in existing:
                    found.cycle = cycle
                    to_update.append(found)  # adopted, whatever its status
                    break
        existing.setdefault((found.cycle, found.name), found)

    to_create: list[ReminderStep] = []
    dues: list[datetime] = []
    desired: set[tuple[str, str]] = set()
    for cycle, computed_due in planned:
        mine = {name: row for (c, name), row in existing.items() if c == cycle}
        due = _really_due(mine.values(), computed_due, now)
        dues.append(due)
        wanted = {
            name: (spec, shift_local(computed_due, zone, days=day, minutes=spec.minutes))
            for spec in policy.steps
            for name, day in spec.occurrences()
        }
        desired |= {(cycle, name) for name in wanted}
        caught_up = _catch_up(wanted, mine, now)
        for name, (spec, fire_at) in wanted.items():
            row = mine.get(name)
            if row is None:
                if fire_at <= now and name not in caught_up:
                    continue
                row = ReminderStep(medication=medication, cycle=cycle, name=name)
                to_create.append(row)
            elif row.status == StepStatus.CANCELLED and (fire_at > now or name in caught_up):
                pass  # a cycle open again (its dose deleted, the medication resumed)
            elif row.status != StepStatus.PENDING:
                continue  # sent, or dropped as late: history
            before = [row.status, row.fire_at, row.due_at, *map(row.__dict__.get, _SPEC_FIELDS)]
            row.status, row.fire_at, row.due_at = StepStatus.PENDING, fire_at, due
            for attr, value in _spec_fields(spec).items():
                setattr(row, attr, value)
            after = [row.status, row.fire_at, row.due_at, *map(row.__dict__.get, _SPEC_FIELDS)]
            if row.pk is not None and before != after and row not in to_update:
                to_update.append(row)

    stale = [
        row.pk
        for key, row in existing.items()
        if row.status == StepStatus.PENDING and key not in desired and row.pk is not None
    ]
    if stale:
        ReminderStep.objects.filter(pk__in=stale, status=StepStatus.PENDING).update(
            status=StepStatus.CANCELLED
        )
    if to_update:
        ReminderStep.objects.bulk_update(
            to_update, ["cycle", "status", "fire_at", "due_at", *_SPEC_FIELDS]
        )
    if to_create:
        ReminderStep.objects.bulk_create(to_create, ignore_conflicts=True)

    touched = set(touched)
    # Only a dose resolves what was sent: a zone move, an edit or a pause closes nothing.
    closed = sorted(touched - cycles)
    for cycle in closed:
        notifications.cancel_for_source(source_key=source_key(medication.pk, cycle))
    if closed:
        # What was sent before cycles existed names the due moment (migration 0003).
        legacy = {row.due_at for (c, _), row in existing.items() if c in closed}
        if regimen.counts_from_last_dose and medication.next_dose_due_at is not None:
            legacy.add(medication.next_dose_due_at)  # as it was before this replan
        for due in sorted(legacy - set(dues)):
            notifications.cancel_for_source(source_key=legacy_source_key(medication.pk, due))
    if touched:
        # A dose deleted or moved: what was said about the cycles open again is open again.
        for cycle in sorted(cycles - touched):
            notifications.reopen_for_source(source_key=source_key(medication.pk, cycle))
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
    patient_changed(medication.patient_id)  # the stored triage (apps.clinic.triage)
    return dues


def _catch_up(
    wanted: dict[str, tuple[StepSpec, datetime]],
    mine: dict[str, ReminderStep],
    now: datetime,
) -> set[str]:
    """Names of past steps of one cycle still worth sending now (see medication_replan): never
    made, or cancelled while the cycle was closed, and later than anything sent of the cycle."""
    latest_done = max(
        (
            row.fire_at
            for row in mine.values()
            if row.status != StepStatus.CANCELLED and row.fire_at <= now
        ),
        default=None,
    )
    missed = [
        (fire_at, name, spec)
        for name, (spec, fire_at) in wanted.items()
        if fire_at <= now
        and (name not in mine or mine[name].status == StepStatus.CANCELLED)
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
