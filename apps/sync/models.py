"""What an offline phone needs to catch up exactly: a versioned record with a tombstone, and a
per-patient feed of changes in commit order."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.core.models import PublicModel


class SyncedModel(PublicModel):
    """A patient record that phones create offline and sync later.

    `id` may be chosen by the client (a UUID made on the phone), so a create replayed from the
    outbox is recognised. `version` goes up on every change; updates must name the version they
    saw (If-Match), so an edit made on stale data is refused rather than silently winning.
    Deleting leaves a tombstone (`deleted_at`) that the change feed hands to other devices.
    """

    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # SHA-256 of the create request's canonical body: a replay with the same body answers with
    # the stored record, the same id with another body answers 409.
    create_digest = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        abstract = True


class Change(models.Model):
    """One create, update or delete of a synced record, in the order the patient's writes
    committed (apps.sync.services.record_change serialises them per patient).

    Read by GET /api/v1/patients/{id}/changes?since=<seq>.
    """

    seq = models.BigAutoField(primary_key=True)
    patient = models.ForeignKey("careteam.Patient", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)  # the registry name, e.g. "symptom"
    object_id = models.UUIDField()
    deleted = models.BooleanField(default=False)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["patient", "seq"], name="change_patient_seq"),
            # "is there a later change of this record?" — keeps each record once in the feed.
            models.Index(fields=["object_id", "seq"], name="change_object_seq"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind} {self.object_id}{' (deleted)' if self.deleted else ''}"


class IdempotentRequest(models.Model):
    """A write sent with an `Idempotency-Key` header, and the answer it got, so that a phone
    which never saw the answer can send the same write again and get the same answer."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=128)
    request_digest = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_answer_per_idempotency_key")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key} -> {self.status_code}"
