"""The missed-dose pipeline: every minute, fire the reminder steps whose time has come.

Beat enqueues `scan_due_reminders` every minute. The scan claims pending steps with
`SELECT … FOR UPDATE SKIP LOCKED` in batches, so two beats or many workers never claim the same
step; in the same transaction it marks them fired and calls `notifications.notify` for each
recipient (an inbox item plus one delivery per channel, enqueued when the transaction commits).
A step of a dose that was meanwhile logged, paused or moved is cancelled instead. A reminder a
backlog would send later than its cut-off is marked `skipped_late`; escalations are always sent.
A worker that dies mid-batch rolls its transaction back: the steps stay pending for the next
tick (and the task is redelivered: acks_late + reject_on_worker_lost).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from apps.careteam.models import Membership
from apps.core.i18n import in_language, language_of
from apps.notifications import services as notifications

from . import messages, services
from .models import DoseLog, Medication, MedicationAlertFlag, ReminderStep, StepStatus
from .policy import StepKind

log = logging.getLogger(__name__)

BATCH_SIZE = 200
# A step whose sending raised is tried again this much later, so one bad row can never stop the
# scan (it would otherwise roll its whole batch back every minute).
RETRY_FAILED_AFTER = timedelta(minutes=5)
CATEGORIES = {
    StepKind.HEADS_UP: "dose_reminder",
    StepKind.REMINDER: "dose_reminder",
    StepKind.MISSED: "dose_overdue",
    StepKind.OVERDUE: "dose_overdue",
    StepKind.ESCALATION: "dose_overdue",
    StepKind.URGENT: "dose_overdue",
    StepKind.RELAPSE_WATCH: "relapse_watch",
}


@dataclass
class ScanResult:
    fired: int = 0
    notified: int = 0
    skipped_late: int = 0
    cancelled: int = 0
    failed: int = 0
    batches: int = 0


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def scan_due_reminders() -> int:
    return scan_due_steps().fired


def scan_due_steps(
    *, now: datetime | None = None, batch_size: int = BATCH_SIZE, max_batches: int | None = None
) -> ScanResult:
    """Claims and fires due steps until none is left (or `max_batches`)."""
    result = ScanResult()
    while max_batches is None or result.batches < max_batches:
        moment = now or timezone.now()
        with transaction.atomic():
            claimed, to_replan = _fire_batch(moment, batch_size, result)
        result.batches += 1
        for medication_id in to_replan:
            _replan_after_firing(medication_id, moment)
        if claimed < batch_size:
            break
    return result


def _replan_after_firing(medication_id: Any, now: datetime) -> None:
    """Plans the next occurrence of a fixed schedule once the current one has started firing.
    Its own transaction: the claimed steps are committed and unlocked before this waits for the
    medication's lock, so a concurrent dose log can never deadlock with the scan."""
    try:
        with transaction.atomic():
            medication = Medication.objects.select_for_update(no_key=True).get(pk=medication_id)
            services.medication_replan(medication=medication, now=now)
    except Medication.DoesNotExist:
        return
    except Exception:  # one bad medication must not stop the pipeline; logged for operators
        log.exception("could not replan medication %s after firing", medication_id)


def _fire_batch(now: datetime, batch_size: int, result: ScanResult) -> tuple[int, set[Any]]:
    steps = list(
        ReminderStep.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("medication__patient")
        .filter(status=StepStatus.PENDING, fire_at__lte=now)
        .order_by("fire_at")[:batch_size]
    )
    if not steps:
        return 0, set()
    patient_ids = {step.medication.patient_id for step in steps}
    team: dict[tuple[Any, str], list[Any]] = defaultdict(list)
    for membership in (
        Membership.objects.active()
        .filter(patient_id__in=patient_ids, user__is_active=True)
        .select_related("user")
        .order_by("created_at")
    ):
        team[(membership.patient_id, membership.role)].append(membership.user)
    fixed = [s for s in steps if not s.medication.regimen().counts_from_last_dose]
    answered = set(
        DoseLog.objects.filter(
            medication_id__in={s.medication_id for s in fixed},
            scheduled_for__in={s.due_at for s in fixed},
            deleted_at__isnull=True,
        ).values_list("medication_id", "scheduled_for")
    )
    to_replan: set[Any] = set()
    failed: list[Any] = []
    to_fire: list[tuple[ReminderStep, list[notifications.Notice]]] = []
    for step in steps:
        medication = step.medication
        if _is_stale(step, answered):
            step.status = StepStatus.CANCELLED
            step.recipients = 0
            result.cancelled += 1
            if medication.planned_time_zone != medication.patient.time_zone:
                to_replan.add(medication.pk)
            continue
        step.fired_at = now
        cutoff = step.late_cutoff_minutes
        if cutoff is not None and now - step.fire_at > timedelta(minutes=cutoff):
            step.status = StepStatus.SKIPPED_LATE
            result.skipped_late += 1
            continue
        try:
            to_fire.append((step, _notices(step, team, now)))
        except Exception:  # one bad step must not sink the batch
            log.exception("reminder step %s failed; retrying in %s", step.pk, RETRY_FAILED_AFTER)
            failed.append(step.pk)
            result.failed += 1
    failed += _fire_all(to_fire, team, now, result)
    to_replan |= {
        step.medication_id
        for step in fixed
        if step.status != StepStatus.CANCELLED and step.pk not in failed
    }
    # One UPDATE per outcome (bulk_update's CASE over every row costs more than the scan).
    outcomes: dict[tuple[str, int], list[Any]] = defaultdict(list)
    for step in steps:
        if step.pk not in failed:
            outcomes[(step.status, step.recipients)].append(step.pk)
    if failed:
        ReminderStep.objects.filter(pk__in=failed).update(fire_at=now + RETRY_FAILED_AFTER)
    for (status, recipients), ids in outcomes.items():
        ReminderStep.objects.filter(pk__in=ids).update(
            status=status, recipients=recipients, fired_at=now
        )
    return len(steps), to_replan


def _is_stale(step: ReminderStep, answered: set[tuple[Any, Any]]) -> bool:
    medication = step.medication
    if medication.paused_at is not None:
        return True
    if medication.planned_time_zone != medication.patient.time_zone:
        return True  # planned in the old zone: replanned right after this batch
    if medication.regimen().counts_from_last_dose:
        return medication.next_dose_due_at != step.due_at
    return (medication.pk, step.due_at) in answered


def _recipients(
    step: ReminderStep, team: dict[tuple[Any, str], list[Any]]
) -> list[tuple[Any, str]]:
    found: dict[Any, tuple[Any, str]] = {}
    for role in step.audience:
        for user in team.get((step.medication.patient_id, role), []):
            found.setdefault(user.pk, (user, role))
    return list(found.values())


def _notices(
    step: ReminderStep, team: dict[tuple[Any, str], list[Any]], now: datetime
) -> list[notifications.Notice]:
    """One inbox item per recipient. The key is the identity of the event, not its time
    (ReminderStep): a replanned step is the same one. Words and buttons fit the reader's role,
    language and zone (messages.for_step), rendered once per kind of reader."""
    texts: dict[tuple[str, str, str], messages.Text] = {}
    notices = []
    for user, role in _recipients(step, team):
        reader = (role, user.time_zone, language_of(user))
        if reader not in texts:
            with in_language(reader[2]):
                texts[reader] = messages.for_step(step, now, role=role, reader_zone=user.time_zone)
        text = texts[reader]
        notices.append(
            notifications.Notice(
                recipient=user,
                patient=step.medication.patient,
                category=CATEGORIES.get(step.kind, "dose_reminder"),
                urgency=step.urgency,
                dedupe_key=f"{step.source_key}:{step.name}",
                source_key=step.source_key,
                title=text.title,
                body=text.body,
                url=text.url,
                actions=text.actions,
            )
        )
    return notices


def _flags(steps: list[ReminderStep], now: datetime) -> list[MedicationAlertFlag]:
    return [
        MedicationAlertFlag(
            medication=step.medication,
            due_at=step.due_at,
            patient=step.medication.patient,
            raised_at=now,
        )
        for step in steps
        if step.flag_clinician
    ]


def _fire_all(
    to_fire: list[tuple[ReminderStep, list[notifications.Notice]]],
    team: dict[tuple[Any, str], list[Any]],
    now: datetime,
    result: ScanResult,
) -> list[Any]:
    """Sends the batch's steps together (a few queries, whatever their number); if that fails,
    one by one, so one bad step cannot stop the others. Returns the ids of the failed ones."""
    if not to_fire:
        return []
    try:
        with transaction.atomic():  # a savepoint
            notifications.notify_many([n for _, notices in to_fire for n in notices])
            MedicationAlertFlag.objects.bulk_create(
                _flags([s for s, _ in to_fire], now), ignore_conflicts=True
            )
    except Exception:
        log.exception("a batch of %s reminder steps failed; sending them one by one", len(to_fire))
    else:
        for step, notices in to_fire:
            step.recipients = len(notices)
            step.status = StepStatus.FIRED
            result.fired += 1
            result.notified += step.recipients
        return []
    failed: list[Any] = []
    for step, notices in to_fire:
        try:
            with transaction.atomic():  # a savepoint: one bad step must not sink the batch
                notifications.notify_many(notices)
                MedicationAlertFlag.objects.bulk_create(_flags([step], now), ignore_conflicts=True)
        except Exception:
            log.exception("reminder step %s failed; retrying in %s", step.pk, RETRY_FAILED_AFTER)
            failed.append(step.pk)
            result.failed += 1
            continue
        step.recipients = len(notices)
        step.status = StepStatus.FIRED
        result.fired += 1
        result.notified += step.recipients
    return failed
