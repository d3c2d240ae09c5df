"""Pen expiry reminders and the daily carry check as a kind of the one alert pipeline
(apps.alerts).

The domain rules of a `Reminder` stay here: an expiry reminder is stale once the pen is used,
discarded, deleted or its expiry date changed; a carry check once it is answered or turned off;
a row planned in another zone is replanned instead of sent (except the second prompt, which is
"N minutes after the first", not a wall time); a carry check whose local day is over is dropped;
once the first prompt is sent, its second one is queued for later that day and the next day's
is planned. apps.alerts claims, resolves recipients and sends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from apps.alerts import registry
from apps.alerts.defaults import EPINEPHRINE_AUDIENCE
from apps.alerts.registry import CANCELLED, FIRED, SKIPPED_LATE, Envelope
from apps.careteam.models import Patient
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
)

KIND = "epinephrine"


@dataclass
class Batch:
    carry_settings: dict[Any, CarryCheckSettings]
    answered: set[tuple[Any, dt.date]]


class EpinephrineReminders:
    kind = KIND

    def outbox(self) -> QuerySet[Reminder]:
        return Reminder.objects.select_related("patient", "pen")

    def patient(self, row: Reminder) -> Patient:
        return row.patient

    def prepare(self, rows: Sequence[Reminder], now: dt.datetime) -> Batch:
        carry = [row for row in rows if row.pen_id is None]
        if not carry:
            return Batch({}, set())
        patient_ids = {row.patient_id for row in carry}
        return Batch(
            carry_settings={
                s.patient_id: s
                for s in CarryCheckSettings.objects.filter(patient_id__in=patient_ids)
            },
            answered=set(
                CarryCheck.objects.filter(
                    patient_id__in=patient_ids, local_date__in={row.local_date for row in carry}
                ).values_list("patient_id", "local_date")
            ),
        )

    def check(self, row: Reminder, context: Batch, now: dt.datetime) -> str | None:
        patient = row.patient
        moved = row.planned_time_zone != patient.time_zone
        if row.pen is not None:
            pen = row.pen
            live = pen.deleted_at is None and pen.state == PenState.IN_USE
            if moved or not live or pen.expires_on != row.local_date:
                return CANCELLED
            return None
        found = context.carry_settings.get(patient.pk)
        again = row.kind == ReminderKind.CARRY_AGAIN
        if (
            found is None
            or not found.enabled
            or (patient.pk, row.local_date) in context.answered
            or (moved and not again)
        ):
            return CANCELLED
        if patient.local_today(now) != row.local_date:
            # The day is over: asking now about a day long gone helps nobody.
            return SKIPPED_LATE
        return None

    def audience(self, row: Reminder) -> Sequence[str]:
        return EPINEPHRINE_AUDIENCE

    def envelope(self, row: Reminder) -> Envelope:
        if row.pen is not None:
            days = EXPIRY_DAYS[row.kind]
            return Envelope(
                category="pen_expiry",
                urgency=Urgency.HIGH if row.kind == ReminderKind.EXPIRY_0 else Urgency.NORMAL,
                dedupe_key=f"pen:{row.pen.pk}:expiry:{row.pen.expires_on.isoformat()}:{days}",
                source_key=row.source_key,
            )
        again = row.kind == ReminderKind.CARRY_AGAIN
        return Envelope(
            category="carry_check",
            urgency=Urgency.NORMAL,
            dedupe_key=(
                f"carry:{row.patient_id}:{row.local_date.isoformat()}:"
                f"{'again' if again else 'first'}"
            ),
            source_key=row.source_key,
        )

    def render(
        self, row: Reminder, now: dt.datetime, *, role: str, reader_zone: str | None
    ) -> messages.Text:
        name = row.patient.display_name
        if row.pen is not None:
            pen = row.pen
            return messages.expiry(name, pen.brand, pen.expires_on, EXPIRY_DAYS[row.kind])
        again = row.kind == ReminderKind.CARRY_AGAIN
        return messages.carry_check(name, row.local_date, again=again)

    def sent(self, rows: Sequence[Reminder], context: Batch, now: dt.datetime) -> None:
        """The unanswered check is asked once more later the same local day — never tomorrow."""
        for row in rows:
            found = context.carry_settings.get(row.patient_id)
            if row.kind != ReminderKind.CARRY_FIRST or found is None:
                continue
            again_at = now + dt.timedelta(minutes=found.again_after_minutes)
            if again_at.astimezone(row.patient.zone).date() != row.local_date:
                continue
            Reminder.objects.get_or_create(
                patient=row.patient,
                pen=None,
                kind=ReminderKind.CARRY_AGAIN,
                local_date=row.local_date,
                defaults={"fire_at": again_at, "planned_time_zone": row.patient.time_zone},
            )

    def replan_key(self, row: Reminder) -> Hashable | None:
        if row.pen_id is not None:
            return ("pen", row.pen_id) if row.status == CANCELLED else None
        if row.status == FIRED and row.kind == ReminderKind.CARRY_AGAIN:
            return None
        return ("carry", row.patient_id)  # cancelled, too late, or the next day's prompt

    def replan(self, key: Any, now: dt.datetime) -> None:
        what, object_id = key
        if what == "pen":
            pen = AutoInjector.objects.filter(pk=object_id).first()
            if pen is not None:
                services.pen_replan(pen=pen)
            return
        patient = Patient.objects.filter(pk=object_id).first()
        if patient is not None:
            services.carry_replan(patient=patient)

    def zone_changed(self, patient: Any) -> None:
        services.patient_zone_changed(patient=patient)


def register() -> None:
    registry.register(EpinephrineReminders())
