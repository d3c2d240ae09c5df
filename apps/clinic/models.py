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


class PatientTriage(models.Model):
    """A patient's triage for the clinician's patient list, kept current by the writes that
    change it (apps.clinic.triage: what is stored, what is computed when the list is read)."""

    patient = models.OneToOneField(
        "careteam.Patient", on_delete=models.CASCADE, primary_key=True, related_name="triage"
    )
    computed_at = models.DateTimeField()
    # compute_flags' inputs, time-independent: injections, recent episode onsets, pen expiry
    # dates, daily peaks of the worsening window, last activity (apps.clinic.triage.gather).
    facts = models.JSONField(default=dict)
    # The moments at which each flag starts (or stops) holding; the list compares them with
    # the request's `now` in SQL to sort by urgency and filter by flag.
    open_alert = models.BooleanField(default=False)
    overdue_at = models.DateTimeField(null=True)
    relapse_at = models.DateTimeField(null=True)
    anaphylaxis_until = models.DateTimeField(null=True)
    pens_missing_from = models.DateTimeField(null=True)
    worsening_from = models.DateTimeField(null=True)
    worsening_until = models.DateTimeField(null=True)
    last_activity_at = models.DateTimeField(null=True)
    last_injection_at = models.DateTimeField(null=True)
    last_injection_day = models.DateField(null=True)  # local day, for the urgency tie-break
    # When time alone changes the facts beyond what the moments express (a medication's end
    # date, a second run of worsening days): the row is recomputed after it.
    stale_after = models.DateTimeField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["stale_after"], name="triage_stale_after"),
            models.Index(fields=["-last_activity_at"], name="triage_last_activity"),
        ]

    def __str__(self) -> str:
        return f"triage of {self.patient_id} at {self.computed_at}"
