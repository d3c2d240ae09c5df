"""The emergency card: what a first responder needs to know about the patient, and the
revocable links that show it without signing in.

Most of the card is assembled when it is shown (selectors.card_for) from the patient record, the
diary and the medication list; only what exists nowhere else is stored here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.models import PublicModel


class EmergencyCard(models.Model):
    """The patient's own words on the card. No row: an empty card (everything else is still
    assembled from the record)."""

    patient = models.OneToOneField(
        "careteam.Patient", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # e.g. "Indolent systemic mastocytosis, diagnosed 2019 (bone marrow biopsy)".
    diagnosis_note = models.CharField(max_length=300, blank=True)
    # The anaphylaxis action plan in the patient's or clinician's words.
    action_plan = models.TextField(blank=True, max_length=4000)
    # Free text lists (strings), shown as written.
    drug_intolerances = models.JSONField(default=list, blank=True)
    extra_triggers = models.JSONField(default=list, blank=True)
    # The owner's own words in other languages, never machine-translated:
    # {"de": {"action_plan": "...", "diagnosis_note": "...", "relations": {"mother": "Mutter"}}}.
    # `relations` gives a contact's relation (as written on the record) in that language. A
    # language without an entry shows the words above, marked with the language they are in.
    translations = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"emergency card of {self.patient_id}"


class CardShareLink(PublicModel):
    """A secret URL (/card/<token>) that shows the card to anyone holding it.

    Only the SHA-256 of the token is stored; the URL and its QR code are shown once, when the
    link is made. Revoked or past `expires_at`, it answers the same 404 as a token that never
    existed.
    """

    patient = models.ForeignKey("careteam.Patient", on_delete=models.CASCADE, related_name="+")
    label = models.CharField(max_length=80, blank=True)  # "wallet card", "school nurse"
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_viewed_at = models.DateTimeField(null=True, blank=True)
    views = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(
                fields=["patient", "-created_at"],
                name="card_link_live",
                condition=Q(revoked_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"card link {self.label or self.pk} of {self.patient_id}"
