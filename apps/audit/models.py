from django.conf import settings
from django.db import models

from apps.core.models import PublicModel


class AuditEvent(PublicModel):
    """One read or write of a patient's data by someone other than an owner.

    Written by apps.careteam.access for every patient-scoped request; listed to owners.
    Rows are never updated; they go when the patient record is deleted.
    """

    patient = models.ForeignKey("careteam.Patient", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text too, so the trail still names a person after their account is deleted.
    actor_label = models.CharField(max_length=254)
    actor_role = models.CharField(max_length=16, blank=True)
    action = models.CharField(
        max_length=12
    )  # read / create / update / delete / view_card / acknowledge / remind_later
    resource = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["patient", "-created_at"], name="audit_patient_recent")]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.action} {self.resource} {self.object_id}"
