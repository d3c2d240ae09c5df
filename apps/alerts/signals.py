"""Keeps every planned alert in step with the patient's time zone: one hook for every kind."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from apps.careteam.models import Patient

from . import registry


@receiver(post_save, sender=Patient, dispatch_uid="alerts_replan_on_zone_change")
def replan_on_time_zone_change(sender: Any, instance: Patient, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if kwargs.get("created") or (update_fields is not None and "time_zone" not in update_fields):
        return
    for handler in registry.handlers():
        handler.zone_changed(instance)
