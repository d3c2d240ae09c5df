"""Keeps planned reminders in step with the patient's time zone."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from apps.careteam.models import Patient


@receiver(post_save, sender=Patient, dispatch_uid="medications_replan_on_zone_change")
def replan_on_time_zone_change(sender: Any, instance: Patient, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if kwargs.get("created") or (update_fields is not None and "time_zone" not in update_fields):
        return
    from .services import patient_zone_changed

    patient_zone_changed(patient_id=instance.pk)
