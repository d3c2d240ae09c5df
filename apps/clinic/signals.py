"""Model signals that keep each patient's triage (apps.clinic.triage) current: every save or
delete of a record the triage reads refreshes that patient's row in the same transaction.

Writes that bypass signals have their own hook (apps.clinic.hooks): medication_replan's
`update` of the next due date, MedicationAlertFlag's bulk writes (its manager), and the
acknowledgement's `update` of every copy of an alert.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save

from apps.careteam.models import Patient
from apps.diary.models import AnaphylaxisEpisode, DailyCheckIn, SymptomEntry, TriggerExposure
from apps.epinephrine.models import AutoInjector
from apps.medications.models import DoseLog, Medication, MedicationAlertFlag
from apps.notifications.models import Notification

from .hooks import patient_changed

WATCHED: tuple[type[Any], ...] = (
    DoseLog,
    Medication,
    MedicationAlertFlag,
    SymptomEntry,
    DailyCheckIn,
    TriggerExposure,
    AnaphylaxisEpisode,
    AutoInjector,
)


def _saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        patient_changed(instance.patient_id)


def _deleted(sender: Any, instance: Any, origin: Any = None, **kwargs: Any) -> None:
    # A record deleted as part of deleting its patient (or account): no row to keep.
    origin_model = origin.model if isinstance(origin, QuerySet) else type(origin)
    if origin_model in WATCHED:
        patient_changed(instance.patient_id)


def _notification_saved(
    sender: Any, instance: Notification, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    # Only an acknowledgement changes the triage (who acknowledged the urgent alert).
    if raw or instance.patient_id is None or instance.acknowledged_at is None:
        return
    if update_fields is None or "acknowledged_at" in update_fields:
        patient_changed(instance.patient_id)


def _patient_saved(
    sender: Any, instance: Patient, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    # A new patient gets their row; a zone change moves every local day of it.
    if raw or (update_fields is not None and "time_zone" not in update_fields):
        return
    patient_changed(instance.pk)


def connect() -> None:
    for model in WATCHED:
        post_save.connect(_saved, sender=model, dispatch_uid=f"triage-save-{model.__name__}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"triage-del-{model.__name__}")
    post_save.connect(_notification_saved, sender=Notification, dispatch_uid="triage-ack")
    post_save.connect(_patient_saved, sender=Patient, dispatch_uid="triage-patient")
