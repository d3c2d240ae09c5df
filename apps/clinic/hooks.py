"""The write side of the stored triage (apps.clinic.triage), importable from any app without an
import cycle: the heavy module is imported when a write happens.

* `patient_changed(patient_id)`: the one-line hook of a service whose write bypasses model
  signals (a queryset `update`).
* `TriageQuerySet`: the manager of a model whose rows are also written in bulk
  (`bulk_create`, `update`) — MedicationAlertFlag, raised by the alert scans in bulk.
"""

from __future__ import annotations

from typing import Any

from django.db import models


def patient_changed(patient_id: Any) -> None:
    """Recompute the patient's triage now, in the caller's transaction."""
    from apps.clinic import triage

    triage.refresh(patient_id)


def patients_changed(patient_ids: Any) -> None:
    from apps.clinic import triage

    triage.refresh_ids(patient_ids)


class TriageQuerySet(models.QuerySet[Any]):
    """A queryset of rows with a `patient_id` whose bulk writes refresh those patients' triage."""

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        created = super().bulk_create(objs, *args, **kwargs)
        patients_changed({obj.patient_id for obj in created})
        return created

    def update(self, **kwargs: Any) -> int:
        ids = set(self.values_list("patient_id", flat=True))
        count = super().update(**kwargs)
        if count:
            patients_changed(ids)
        return count
