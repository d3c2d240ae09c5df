"""Model signals that keep the stored diary days (apps.diary.days) current: every save or delete
of a diary record recomputes the day it was on and the day it is on now, in the same
transaction — whichever path wrote it (the API, a sync replay, the demo loader, a test).

Bulk writes send no signals: the records' queryset refreshes their days itself
(models.DiaryRecordQuerySet). A custom symptom moved to another domain moves its entries' peaks;
a patient's new time zone moves every local day.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save, pre_save

from apps.careteam.models import Patient

from . import days
from .models import Symptom, SymptomEntry


def _before(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    # Where the record was before this save: moving it to another day empties that one.
    if not raw and not instance._state.adding:
        instance.__dict__["_diary_day_before"] = days.placed_in_database(sender, [instance.pk])


def _saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return  # fixtures: reconciliation builds their days
    before = instance.__dict__.pop("_diary_day_before", [])
    days.records_changed([*before, *days.placed(sender, [instance])])


def _deleted(sender: Any, instance: Any, origin: Any = None, **kwargs: Any) -> None:
    # A record deleted as part of deleting its patient (or account): its days go with them.
    origin_model = origin.model if isinstance(origin, QuerySet) else type(origin)
    if origin_model in days.DAY_FIELD:
        days.records_changed(days.placed(sender, [instance]))


def _symptom_before(sender: Any, instance: Symptom, raw: bool = False, **kwargs: Any) -> None:
    if not raw and not instance._state.adding:
        instance.__dict__["_domain_before"] = (
            Symptom.objects.filter(pk=instance.pk).values_list("domain", flat=True).first()
        )


def _symptom_saved(sender: Any, instance: Symptom, raw: bool = False, **kwargs: Any) -> None:
    before = instance.__dict__.pop("_domain_before", None)
    if raw or before is None or before == instance.domain:
        return
    entries = SymptomEntry.objects.filter(symptom=instance, deleted_at__isnull=True)
    days.records_changed(entries.values_list("patient_id", "occurred_at"))


def _patient_before(
    sender: Any, instance: Patient, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    if raw or instance._state.adding:
        return
    if update_fields is not None and "time_zone" not in update_fields:
        return
    instance.__dict__["_time_zone_before"] = (
        Patient.objects.filter(pk=instance.pk).values_list("time_zone", flat=True).first()
    )


def _patient_saved(sender: Any, instance: Patient, raw: bool = False, **kwargs: Any) -> None:
    before = instance.__dict__.pop("_time_zone_before", None)
    if not raw and before is not None and before != instance.time_zone:
        days.rebuild(instance)


def connect() -> None:
    for model in days.DAY_FIELD:
        uid = f"diary-days-{model.__name__}"
        pre_save.connect(_before, sender=model, dispatch_uid=f"{uid}-before")
        post_save.connect(_saved, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"{uid}-delete")
    pre_save.connect(_symptom_before, sender=Symptom, dispatch_uid="diary-days-symptom-before")
    post_save.connect(_symptom_saved, sender=Symptom, dispatch_uid="diary-days-symptom")
    pre_save.connect(_patient_before, sender=Patient, dispatch_uid="diary-days-zone-before")
    post_save.connect(_patient_saved, sender=Patient, dispatch_uid="diary-days-zone")
