"""Missed-dose steps as a kind of the one alert pipeline (apps.alerts).

The domain rules of a `ReminderStep` stay here: a step is stale when its medication is paused,
was planned in another zone, or its dose was meanwhile logged; a reminder later than its
cut-off is dropped (escalations never are); the urgent step raises the clinician's flag; a fixed
schedule plans its next occurrence once the current one has fired. apps.alerts claims, resolves
recipients and sends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence
from typing import Any

from django.db.models import QuerySet

from apps.alerts import registry
from apps.alerts.registry import CANCELLED, SKIPPED_LATE, Envelope

from . import messages, services
from .models import DoseLog, Medication, MedicationAlertFlag, ReminderStep
from .policy import StepKind

KIND = "dose_step"
CATEGORIES = {
    StepKind.HEADS_UP: "dose_reminder",
    StepKind.REMINDER: "dose_reminder",
    StepKind.MISSED: "dose_overdue",
    StepKind.OVERDUE: "dose_overdue",
    StepKind.ESCALATION: "dose_overdue",
    StepKind.URGENT: "dose_overdue",
    StepKind.RELAPSE_WATCH: "relapse_watch",
}


class DoseSteps:
    kind = KIND

    def outbox(self) -> QuerySet[ReminderStep]:
        return ReminderStep.objects.select_related("medication__patient")

    def patient(self, row: ReminderStep) -> Any:
        return row.medication.patient

    def prepare(self, rows: Sequence[ReminderStep], now: dt.datetime) -> set[tuple[Any, Any]]:
        """(medication, occurrence) of the batch's fixed-schedule doses already answered."""
        fixed = [s for s in rows if not s.medication.regimen().counts_from_last_dose]
        if not fixed:
            return set()
        return set(
            DoseLog.objects.filter(
                medication_id__in={s.medication_id for s in fixed},
                scheduled_for__in={s.due_at for s in fixed},
                deleted_at__isnull=True,
            ).values_list("medication_id", "scheduled_for")
        )

    def check(
        self, row: ReminderStep, context: set[tuple[Any, Any]], now: dt.datetime
    ) -> str | None:
        if _is_stale(row, context):
            return CANCELLED
        cutoff = row.late_cutoff_minutes
        if cutoff is not None and now - row.fire_at > dt.timedelta(minutes=cutoff):
            return SKIPPED_LATE
        return None

    def audience(self, row: ReminderStep) -> Sequence[str]:
        return list(row.audience)

    def envelope(self, row: ReminderStep) -> Envelope:
        # The key is the identity of the event, not its time: a replanned step is the same one.
        return Envelope(
            category=CATEGORIES.get(row.kind, "dose_reminder"),
            urgency=row.urgency,
            dedupe_key=f"{row.source_key}:{row.name}",
            source_key=row.source_key,
        )

    def render(
        self, row: ReminderStep, now: dt.datetime, *, role: str, reader_zone: str | None
    ) -> messages.Text:
        return messages.for_step(row, now, role=role, reader_zone=reader_zone)

    def sent(self, rows: Sequence[ReminderStep], context: Any, now: dt.datetime) -> None:
        """The urgent step raises the clinician dashboard's flag (MedicationAlertFlag)."""
        flags = [
            MedicationAlertFlag(
                medication=step.medication,
                due_at=step.due_at,
                patient=step.medication.patient,
                raised_at=now,
            )
            for step in rows
            if step.flag_clinician
        ]
        if flags:
            MedicationAlertFlag.objects.bulk_create(flags, ignore_conflicts=True)

    def replan_key(self, row: ReminderStep) -> Hashable | None:
        medication = row.medication
        if row.status == CANCELLED:
            # Planned in the old zone: replanned right after this batch.
            moved = medication.planned_time_zone != medication.patient.time_zone
            return medication.pk if moved else None
        # A fixed schedule plans its next occurrence once the current one has started firing.
        return None if medication.regimen().counts_from_last_dose else medication.pk

    def replan(self, key: Any, now: dt.datetime) -> None:
        """Waits for the medication's lock (the batch's rows are committed and unlocked)."""
        medication = Medication.objects.select_for_update(no_key=True).filter(pk=key).first()
        if medication is not None:
            services.medication_replan(medication=medication, now=now)

    def zone_changed(self, patient: Any) -> None:
        services.patient_zone_changed(patient_id=patient.pk)


def _is_stale(step: ReminderStep, answered: set[tuple[Any, Any]]) -> bool:
    medication = step.medication
    if medication.paused_at is not None:
        return True
    if medication.planned_time_zone != medication.patient.time_zone:
        return True  # planned in the old zone: replanned right after this batch
    if medication.regimen().counts_from_last_dose:
        return medication.next_dose_due_at != step.due_at
    return (medication.pk, step.due_at) in answered


def register() -> None:
    registry.register(DoseSteps())
