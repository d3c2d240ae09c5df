"""The write rules every synced record follows (used by SyncedViewSetMixin and by services
that create records on a user's behalf, e.g. an episode opened by logging a pen as used)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .models import Change, SyncedModel


def canonical_digest(data: Any) -> str:
    encoded = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def lock_patient_feed(patient_id: Any) -> None:
    """Hold the patient's feed until commit, so sequence numbers follow commit order (and, for
    apps.diary.days, so two writes of the same day recompute it one after the other).

    Without it, two writes could take seq 10 and 11 and commit as 11 then 10; a phone reading in
    between would move its cursor past 10 and never see it. SQLite runs one writer at a time
    already; PostgreSQL takes a transaction-scoped advisory lock keyed by the patient.
    """
    lock_patients([patient_id])


def lock_patients(patient_ids: Iterable[Any]) -> None:
    """lock_patient_feed for several patients at once, in one query and in one order (the lock
    keys ascending), so two transactions locking overlapping sets cannot deadlock."""
    if connection.vendor != "postgresql":
        return
    keys = sorted(
        {
            int.from_bytes(hashlib.sha256(str(pid).encode()).digest()[:8], "big", signed=True)
            for pid in patient_ids
        }
    )
    if keys:
        with connection.cursor() as cursor:
            # unnest yields the sorted array in its order; count() makes every lock be taken.
            cursor.execute(
                "SELECT count(pg_advisory_xact_lock(key)) FROM unnest(%s::bigint[]) AS key", [keys]
            )


def record_change(*, kind: str, patient_id: Any, object_id: Any, deleted: bool = False) -> Change:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_change must run inside the write's transaction")
    lock_patient_feed(patient_id)
    return Change.objects.create(
        patient_id=patient_id, kind=kind, object_id=object_id, deleted=deleted
    )


@transaction.atomic
def synced_create(
    *, kind: str, model: type[SyncedModel], fields: dict[str, Any], digest: str = ""
) -> Any:
    instance = model(**fields, create_digest=digest)
    instance.save(force_insert=True)
    record_change(kind=kind, patient_id=instance.patient_id, object_id=instance.pk)  # type: ignore[attr-defined]
    return instance


@transaction.atomic
def synced_update(*, kind: str, instance: SyncedModel, fields: dict[str, Any]) -> Any:
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.version += 1
    instance.save(update_fields=[*fields, "version", "updated_at"])
    record_change(kind=kind, patient_id=instance.patient_id, object_id=instance.pk)  # type: ignore[attr-defined]
    return instance


@transaction.atomic
def synced_delete(*, kind: str, instance: SyncedModel) -> None:
    if instance.deleted_at is not None:
        return  # deleting twice is the same as deleting once
    instance.deleted_at = timezone.now()
    instance.version += 1
    instance.save(update_fields=["deleted_at", "version", "updated_at"])
    record_change(kind=kind, patient_id=instance.patient_id, object_id=instance.pk, deleted=True)  # type: ignore[attr-defined]
