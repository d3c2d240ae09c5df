"""What the API shows and accepts for the emergency card and its share links."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from apps.careteam.serializers import EmergencyContactSerializer
from apps.core.serializers import StrictModelSerializer, StrictSerializer
from apps.core.validators import PLANNED_DATE

from .models import CardShareLink


class BaselineTryptaseSerializer(StrictSerializer):
    value = serializers.CharField()
    unit = serializers.CharField()
    sampled_on = serializers.DateField()


class CardMedicineSerializer(StrictSerializer):
    name = serializers.CharField()
    dose = serializers.CharField(help_text="e.g. `10 mg`; empty when not recorded.")
    route = serializers.CharField()
    as_needed = serializers.BooleanField()


class EmergencyCardSerializer(StrictSerializer):
    """The card as shown to the care team and, through a share link, to first responders."""

    patient_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    diagnosis = serializers.CharField(help_text="The SM subtype, in words.")
    sm_subtype = serializers.CharField()
    diagnosis_note = serializers.CharField(allow_blank=True)
    kit_d816v = serializers.CharField(help_text="KIT D816V status, in words.")
    baseline_tryptase = BaselineTryptaseSerializer(allow_null=True)
    medicines = CardMedicineSerializer(many=True, help_text="Current medicines.")
    known_triggers = serializers.ListField(
        child=serializers.CharField(),
        help_text="Triggers logged in the diary, then the ones written on the card.",
    )
    extra_triggers = serializers.ListField(child=serializers.CharField())
    drug_intolerances = serializers.ListField(child=serializers.CharField())
    action_plan = serializers.CharField(allow_blank=True)
    emergency_contacts = EmergencyContactSerializer(many=True)
    updated_at = serializers.DateTimeField(allow_null=True)


class EmergencyCardUpdateSerializer(StrictSerializer):
    diagnosis_note = serializers.CharField(max_length=300, allow_blank=True, required=False)
    action_plan = serializers.CharField(
        max_length=4000,
        allow_blank=True,
        required=False,
        help_text="The anaphylaxis action plan, in the patient's or clinician's words.",
    )
    drug_intolerances = serializers.ListField(
        child=serializers.CharField(max_length=120), max_length=30, required=False
    )
    extra_triggers = serializers.ListField(
        child=serializers.CharField(max_length=120),
        max_length=30,
        required=False,
        help_text="Known triggers not (yet) in the diary.",
    )


class CardLinkSerializer(StrictModelSerializer):
    active = serializers.SerializerMethodField()
    expires_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="Optional; the link stops working then.",
        validators=[PLANNED_DATE],
    )

    class Meta:
        model = CardShareLink
        fields: tuple[str, ...] = (
            "id",
            "label",
            "created_at",
            "expires_at",
            "revoked_at",
            "active",
            "last_viewed_at",
            "views",
        )
        read_only_fields: tuple[str, ...] = (
            "id",
            "created_at",
            "revoked_at",
            "last_viewed_at",
            "views",
        )

    def get_active(self, link: CardShareLink) -> bool:
        expired = link.expires_at is not None and link.expires_at <= timezone.now()
        return link.revoked_at is None and not expired

    def validate_expires_at(self, value: Any) -> Any:
        if value is not None and value <= timezone.now():
            raise serializers.ValidationError("This time has passed.")
        return value


class CardLinkCreatedSerializer(CardLinkSerializer):
    url = serializers.CharField(
        read_only=True, help_text="The link. Shown once: only a hash of it is kept."
    )
    qr_svg = serializers.CharField(
        read_only=True, help_text="A QR code of `url`, as an SVG document. Shown once."
    )

    class Meta(CardLinkSerializer.Meta):
        fields = (*CardLinkSerializer.Meta.fields, "url", "qr_svg")
        read_only_fields = (*CardLinkSerializer.Meta.read_only_fields, "url", "qr_svg")
