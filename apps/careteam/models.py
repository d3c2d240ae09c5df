"""A patient record, the people who share it, and invitations to join them.

The patient is not a user: a child has no account, and one record is shared by several accounts
(both parents, a partner, a haematologist). Who may do what is decided in `access.py`.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.core.models import PublicModel


class SMSubtype(models.TextChoices):
    # WHO / ICC categories named in the product brief; MCAS and cutaneous mastocytosis share the
    # same tracking needs, so they are first-class choices too.
    INDOLENT = "ISM", "Indolent systemic mastocytosis"
    BONE_MARROW = "BMM", "Bone-marrow mastocytosis"
    SMOLDERING = "SSM", "Smoldering systemic mastocytosis"
    AGGRESSIVE = "ASM", "Aggressive systemic mastocytosis"
    WITH_AHN = "SM-AHN", "SM with an associated haematologic neoplasm"
    LEUKAEMIA = "MCL", "Mast cell leukaemia"
    CUTANEOUS = "CM", "Cutaneous mastocytosis"
    MCAS = "MCAS", "Mast cell activation syndrome"
    UNKNOWN = "unknown", "Not yet classified"


class KitStatus(models.TextChoices):
    POSITIVE = "positive", "KIT D816V detected"
    NEGATIVE = "negative", "KIT D816V not detected"
    NOT_TESTED = "not_tested", "Not tested"
    UNKNOWN = "unknown", "Unknown"


class Patient(PublicModel):
    display_name = models.CharField(max_length=120)
    date_of_birth = models.DateField(null=True, blank=True)
    sm_subtype = models.CharField(
        max_length=8, choices=SMSubtype.choices, default=SMSubtype.UNKNOWN
    )
    kit_d816v_status = models.CharField(
        max_length=12, choices=KitStatus.choices, default=KitStatus.UNKNOWN
    )
    # Every schedule and "local day" of this patient is expanded in this IANA zone.
    time_zone = models.CharField(max_length=64, default="UTC")
    # [{"name", "relation", "phone"}], validated by PatientSerializer; shown on the emergency card.
    emergency_contacts = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("display_name", "id")

    def __str__(self) -> str:
        return self.display_name

    @property
    def zone(self) -> ZoneInfo:
        """The patient's IANA zone: every schedule and local day is counted in it."""
        return ZoneInfo(self.time_zone)

    def local_today(self, now: dt.datetime | None = None) -> dt.date:
        """The patient's calendar date at `now` (default: this moment)."""
        return (now or timezone.now()).astimezone(self.zone).date()


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    CAREGIVER = "caregiver", "Caregiver"
    CLINICIAN = "clinician", "Clinician"


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(revoked_at__isnull=True)


class Membership(PublicModel):
    """One account's access to one patient. Revoking keeps the row (the audit trail names it)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ("created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "user"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_membership_per_user_and_patient",
            )
        ]
        indexes = [
            # Read on every patient-scoped request (access.resolve_membership).
            models.Index(fields=["user", "patient"], name="membership_user_patient"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.patient} ({self.role})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class InvitationStatus(models.TextChoices):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REVOKED = "revoked"
    EXPIRED = "expired"


class Invitation(PublicModel):
    """An offer to join a care team, sent by email with a one-time code that expires."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # SHA-256 of the code; the code itself is only ever in the email.
    code_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.email} → {self.patient} ({self.role})"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return InvitationStatus.ACCEPTED
        if self.declined_at:
            return InvitationStatus.DECLINED
        if self.revoked_at:
            return InvitationStatus.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING
