"""Epinephrine readiness: the patient's auto-injectors, the daily carry check, what happened
after a pen was used, and the reminders planned from them.

Every "local day" here is a day in the patient's IANA time zone. A pen's expiry is a calendar
date: it counts as expired from the start of the local day after it (`AutoInjector.status_on`),
whatever its stored state says.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.alerts.defaults import CARRY_AGAIN_AFTER_MINUTES, EXPIRY_REMINDER_DAYS
from apps.core.models import PublicModel
from apps.sync.models import SyncedModel


class PenDose(models.TextChoices):
    # The doses auto-injectors come in (mg of epinephrine).
    JUNIOR = "0.15", "0.15 mg"
    ADULT = "0.3", "0.3 mg"
    HIGH = "0.5", "0.5 mg"


class PenState(models.TextChoices):
    IN_USE = "in_use", "In use"
    USED = "used", "Used"
    EXPIRED = "expired", "Expired"
    DISCARDED = "discarded", "Discarded"


# The states people may set; `used` comes only from logging a use (services.pen_use).
SETTABLE_PEN_STATES = [choice for choice in PenState.choices if choice[0] != PenState.USED]

# The two-pen rule: a patient should carry at least this many unexpired pens.
PENS_NEEDED = 2


class AutoInjector(SyncedModel):
    """One epinephrine auto-injector the patient has. Added offline like the diary (apps.sync)."""

    patient = models.ForeignKey("careteam.Patient", on_delete=models.CASCADE, related_name="+")
    brand = models.CharField(max_length=80, blank=True)
    dose_mg = models.CharField(max_length=4, choices=PenDose.choices)
    lot = models.CharField(max_length=40, blank=True)
    expires_on = models.DateField()
    location = models.CharField(max_length=120, blank=True)  # where it is kept: "school bag"
    # Set by people; a pen past its expiry date is shown as expired even if nobody marked it.
    state = models.CharField(max_length=10, choices=PenState.choices, default=PenState.IN_USE)
    used_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ("expires_on", "id")
        indexes = [models.Index(fields=["patient", "expires_on"], name="pen_patient_expiry")]

    def __str__(self) -> str:
        return f"{self.brand or 'pen'} {self.dose_mg} mg, expires {self.expires_on}"

    def status_on(self, today: dt.date) -> str:
        """The state people see on the patient's local day `today`."""
        if self.state == PenState.IN_USE and self.expires_on < today:
            return PenState.EXPIRED
        return self.state

    def is_ready_on(self, today: dt.date) -> bool:
        return self.deleted_at is None and self.status_on(today) == PenState.IN_USE


class PenUse(PublicModel):
    """A pen was used: the record of the epinephrine dose and what was opened from it.

    `dose_log` is set when the patient has an epinephrine medication in apps.medications (the
    dose is then in the dose log too); otherwise this row is the only record of the dose."""

    patient = models.ForeignKey("careteam.Patient", on_delete=models.CASCADE, related_name="+")
    pen = models.OneToOneField(AutoInjector, on_delete=models.CASCADE, related_name="use")
    used_at = models.DateTimeField()
    dose_mg = models.CharField(max_length=4, choices=PenDose.choices)
    episode = models.ForeignKey(
        "diary.AnaphylaxisEpisode", null=True, on_delete=models.SET_NULL, related_name="pen_uses"
    )
    dose_log = models.ForeignKey(
        "medications.DoseLog", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("-used_at", "id")

    def __str__(self) -> str:
        return f"{self.pen_id} used at {self.used_at:%Y-%m-%d %H:%M}"


class CarryCheckSettings(models.Model):
    """When the patient is asked every day whether their pens are with them (one row per
    patient; no row means no daily check)."""

    patient = models.OneToOneField(
        "careteam.Patient", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    enabled = models.BooleanField(default=True)
    local_time = models.TimeField()  # e.g. 08:00, when the patient usually leaves home
    # An unanswered check is asked once more this long after the first prompt, the same day.
    again_after_minutes = models.PositiveIntegerField(default=CARRY_AGAIN_AFTER_MINUTES)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"carry check of {self.patient_id} at {self.local_time:%H:%M}"


class CarryCheck(PublicModel):
    """The answer to one local day's carry check: how many pens the patient has with them.
    One per patient and day; answering again updates it (services.carry_check_answer)."""

    patient = models.ForeignKey("careteam.Patient", on_delete=models.CASCADE, related_name="+")
    local_date = models.DateField()
    pens_with_me = models.PositiveSmallIntegerField()
    answered_at = models.DateTimeField()
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("-local_date",)
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "local_date"], name="one_carry_check_per_patient_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.local_date}: {self.pens_with_me} pen(s)"


class ReminderKind(models.TextChoices):
    EXPIRY_30 = "expiry_30", "30 days before a pen expires"
    EXPIRY_7 = "expiry_7", "7 days before a pen expires"
    EXPIRY_0 = "expiry_0", "The day a pen expires"
    CARRY_FIRST = "carry_first", "The daily carry check"
    CARRY_AGAIN = "carry_again", "The carry check, asked once more"


# Days before the expiry date each reminder is sent (apps/alerts/defaults.py), by kind.
EXPIRY_KINDS: dict[int, str] = dict(
    zip(
        EXPIRY_REMINDER_DAYS,
        (ReminderKind.EXPIRY_30, ReminderKind.EXPIRY_7, ReminderKind.EXPIRY_0),
        strict=True,
    )
)
EXPIRY_DAYS: dict[str, int] = {kind: days for days, kind in EXPIRY_KINDS.items()}


class ReminderStatus(models.TextChoices):
    PENDING = "pending"
    FIRED = "fired"
    CANCELLED = "cancelled"  # answered, pen used or discarded, or the plan changed
    SKIPPED_LATE = "skipped_late"  # a carry check whose day was over before it could be sent


class Reminder(models.Model):
    """One planned expiry reminder or carry check — the outbox of this app.

    Planned by services.pen_replan / services.carry_replan; claimed and fired by
    the one alert pipeline (apps.alerts.tasks.scan_due_alerts, beat, every minute; the rules of
    this kind: apps.epinephrine.alerts) through the partial index on
    `fire_at` of pending rows. Recipients are resolved when it fires.
    """

    id = models.BigAutoField(primary_key=True)
    patient = models.ForeignKey("careteam.Patient", on_delete=models.CASCADE, related_name="+")
    pen = models.ForeignKey(
        AutoInjector, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=12, choices=ReminderKind.choices)
    # The local day it is about: the pen's expiry date, or the day of the carry check.
    local_date = models.DateField()
    fire_at = models.DateTimeField()
    # The zone `fire_at` was computed in; a mismatch at fire time means replan instead.
    planned_time_zone = models.CharField(max_length=64)
    status = models.CharField(
        max_length=12, choices=ReminderStatus.choices, default=ReminderStatus.PENDING
    )
    fired_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pen", "kind", "local_date"],
                condition=Q(pen__isnull=False),
                name="one_expiry_reminder_per_pen_kind_date",
            ),
            models.UniqueConstraint(
                fields=["patient", "kind", "local_date"],
                condition=Q(pen__isnull=True),
                name="one_carry_reminder_per_patient_kind_date",
            ),
        ]
        indexes = [
            # Read by apps.alerts.tasks.scan_due_alerts every minute: pending rows now due.
            models.Index(
                fields=["fire_at"],
                name="epi_reminder_pending_fire_at",
                condition=Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.local_date} ({self.status})"

    @property
    def source_key(self) -> str:
        if self.pen_id is not None:
            return pen_source_key(self.pen_id)
        return carry_source_key(self.patient_id, self.local_date)


def pen_source_key(pen_id: object) -> str:
    """Names one pen for the notifications layer: used or discarded → its reminders resolve."""
    return f"pen:{pen_id}"


def carry_source_key(patient_id: object, local_date: dt.date) -> str:
    """Names one day's carry check: an answer resolves its prompts."""
    return f"carry:{patient_id}:{local_date.isoformat()}"
