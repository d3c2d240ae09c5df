"""Expiry reminders and the daily carry check: every minute, fire the reminders whose time has
come.

Beat enqueues `scan_due_epinephrine_reminders` every minute. The scan claims pending `Reminder`
rows with `SELECT … FOR UPDATE SKIP LOCKED` in batches, so two beats or many workers never claim
the same row; in the same transaction it marks them fired and calls `notifications.notify` for
each recipient (idempotent per recipient and dedupe key; delivery is enqueued on commit). A
reminder that is no longer wanted (pen used or discarded, check answered, settings changed) is
cancelled instead. After a daily prompt fires, its "once more" prompt is queued for later the
same local day and the next day's prompt is planned.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from apps.careteam.models import Patient
from apps.notifications import services as notifications
from apps.notifications.models import Urgency

from . import messages, services
from .models import (
    EXPIRY_DAYS,
    AutoInjector,
    CarryCheck,
    CarryCheckSettings,
    PenState,
    Reminder,
    ReminderKind,
    ReminderStatus,
)

log = logging.getLogger(__name__)

BATCH_SIZE = 200
# A reminder whose sending raised is tried again this much later, so one bad row can never stop
# the scan (it would otherwise roll its whole batch back every minute).
RETRY_FAILED_AFTER = dt.timedelta(minutes=5)


@dataclass
class ScanResult:
    fired: int = 0
    notified: int = 0
    cancelled: int = 0
    skipped_late: int = 0
    failed: int = 0
    batches: int = 0


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def scan_due_epinephrine_reminders() -> int:
    return scan_due_reminders().fired


def scan_due_reminders(
    *, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE
) -> ScanResult:
    result = ScanResult()
    while True:
        moment = now or timezone.now()
        with transaction.atomic():
            claimed, replan = _fire_batch(moment, batch_size, result)
        result.batches += 1
        for kind, object_id in sorted(replan, key=str):
            _replan(kind, object_id)
        if claimed < batch_size:
            return result


def _replan(kind: str, object_id: Any) -> None:
    """Its own transaction, after the batch committed: one bad record never stops the loop."""
    try:
        with transaction.atomic():
            if kind == "pen":
                services.pen_replan(pen=AutoInjector.objects.get(pk=object_id))
            else:
                services.carry_replan(patient=Patient.objects.get(pk=object_id))
    except (AutoInjector.DoesNotExist, Patient.DoesNotExist):
        return
    except Exception:  # logged for operators; the next tick tries again
        log.exception("could not replan epinephrine reminders of %s %s", kind, object_id)


def _fire_batch(
    now: dt.datetime, batch_size: int, result: ScanResult
) -> tuple[int, set[tuple[str, Any]]]:
    rows = list(
        Reminder.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("patient", "pen")
        .filter(status=ReminderStatus.PENDING, fire_at__lte=now)
        .order_by("fire_at")[:batch_size]
    )
    if not rows:
        return 0, set()
    patient_ids = {row.patient_id for row in rows}
    team = services.owners_and_caregivers(patient_ids)
    carry_settings = {
        s.patient_id: s for s in CarryCheckSettings.objects.filter(patient_id__in=patient_ids)
    }
    answered = set(
        CarryCheck.objects.filter(
            patient_id__in=patient_ids, local_date__in={row.local_date for row in rows}
        ).values_list("patient_id", "local_date")
    )
    replan: set[tuple[str, Any]] = set()
    for row in rows:
        try:
            with transaction.atomic():  # a savepoint: one bad row must not sink the batch
                _process(row, now, team, carry_settings, answered, replan, result)
        except Exception:
            # Tried again a little later; the rest of the batch goes out now.
            log.exception(
                "epinephrine reminder %s failed; retrying in %s", row.pk, RETRY_FAILED_AFTER
            )
            Reminder.objects.filter(pk=row.pk).update(fire_at=now + RETRY_FAILED_AFTER)
            result.failed += 1
    return len(rows), replan


def _process(
    row: Reminder,
    now: dt.datetime,
    team: dict[Any, list[tuple[Any, str]]],
    carry_settings: dict[Any, CarryCheckSettings],
    answered: set[tuple[Any, dt.date]],
    replan: set[tuple[str, Any]],
    result: ScanResult,
) -> None:
    patient = row.patient
    moved = row.planned_time_zone != patient.time_zone
    if row.pen is not None:
        pen = row.pen
        live = pen.deleted_at is None and pen.state == PenState.IN_USE
        if moved or not live or pen.expires_on != row.local_date:
            _cancel(row, result)
            replan.add(("pen", pen.pk))
            return
        text = messages.expiry(
            patient.display_name, pen.brand, pen.expires_on, EXPIRY_DAYS[row.kind]
        )
        urgency = Urgency.HIGH if row.kind == ReminderKind.EXPIRY_0 else Urgency.NORMAL
        dedupe = f"pen:{pen.pk}:expiry:{pen.expires_on.isoformat()}:{EXPIRY_DAYS[row.kind]}"
        _fire(row, team, now, result, "pen_expiry", urgency, dedupe, text)
        return

    found = carry_settings.get(patient.pk)
    again = row.kind == ReminderKind.CARRY_AGAIN
    if (
        found is None
        or not found.enabled
        or (patient.pk, row.local_date) in answered
        or (moved and not again)
    ):
        _cancel(row, result)
        replan.add(("carry", patient.pk))
        return
    if patient.local_today(now) != row.local_date:
        # The day is over: asking now about a day long gone helps nobody.
        row.status = ReminderStatus.SKIPPED_LATE
        row.fired_at = now
        row.save(update_fields=["status", "fired_at"])
        result.skipped_late += 1
        replan.add(("carry", patient.pk))
        return
    text = messages.carry_check(patient.display_name, row.local_date, again=again)
    dedupe = f"carry:{patient.pk}:{row.local_date.isoformat()}:{'again' if again else 'first'}"
    _fire(row, team, now, result, "carry_check", Urgency.NORMAL, dedupe, text)
    if not again:
        _queue_again(row, found, now)
        replan.add(("carry", patient.pk))


def _cancel(row: Reminder, result: ScanResult) -> None:
    row.status = ReminderStatus.CANCELLED
    row.save(update_fields=["status"])
    result.cancelled += 1


def _fire(
    row: Reminder,
    team: dict[Any, list[tuple[Any, str]]],
    now: dt.datetime,
    result: ScanResult,
    category: str,
    urgency: str,
    dedupe_key: str,
    text: messages.Text,
) -> None:
    recipients = team.get(row.patient_id, [])
    for user, _role in recipients:
        notifications.notify(
            recipient=user,
            patient=row.patient,
            category=category,
            urgency=urgency,
            dedupe_key=dedupe_key,
            source_key=row.source_key,
            title=text.title,
            body=text.body,
            url=text.url,
            actions=text.actions,
        )
    row.status = ReminderStatus.FIRED
    row.fired_at = now
    row.recipients = len(recipients)
    row.save(update_fields=["status", "fired_at", "recipients"])
    result.fired += 1
    result.notified += len(recipients)


def _queue_again(row: Reminder, found: CarryCheckSettings, now: dt.datetime) -> None:
    """The unanswered check is asked once more later the same local day — never tomorrow."""
    again_at = now + dt.timedelta(minutes=found.again_after_minutes)
    if again_at.astimezone(row.patient.zone).date() != row.local_date:
        return
    Reminder.objects.get_or_create(
        patient=row.patient,
        pen=None,
        kind=ReminderKind.CARRY_AGAIN,
        local_date=row.local_date,
        defaults={"fire_at": again_at, "planned_time_zone": row.patient.time_zone},
    )
