"""What the clinic adds to a patient's record: the clinician's own notes. Everything else the
clinician dashboard shows is read from the other apps (apps.clinic.selectors)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.core.models import PublicModel


class ClinicalNote(PublicModel):
    """A clinician's note about a visit. Read and written by clinicians only
    (access.READ_CLINICAL_NOTES / WRITE_CLINICAL_NOTES); only its author changes or deletes it."""

    patient = models.ForeignKey("careteam.Patient", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text too, so a note still names its author after their account is deleted.
    author_label = models.CharField(max_length=254)
    visit_date = models.DateField()
    text = models.TextField(max_length=10000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-visit_date", "-created_at")
        indexes = [models.Index(fields=["patient", "-created_at"], name="note_patient_recent")]

    def __str__(self) -> str:
        return f"note on {self.visit_date} by {self.author_label}"
