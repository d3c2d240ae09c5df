from django.db import models
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.serializers import (
    OncePerRequestDateTimeField,
    ReadPlanMixin,
    StrictModelSerializer,
    StrictSerializer,
    TimeZoneField,
)
from apps.core.validators import BIRTH_DATE

from .models import Invitation, InvitationStatus, Membership, Patient, Role


class EmergencyContactSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120)
    relation = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    phone = serializers.RegexField(
        r"^\+?[0-9 ()\-.]{3,32}$",
        max_length=32,
        error_messages={
            "invalid": gettext_lazy("Enter a phone number: digits, spaces, +, -, ( ).")
        },
    )


class PatientSerializer(ReadPlanMixin, StrictModelSerializer):
    """GET /patients/ is the hottest list: its fields are built once per class (ReadPlanMixin)."""

    serializer_field_mapping = {
        **StrictModelSerializer.serializer_field_mapping,
        models.DateTimeField: OncePerRequestDateTimeField,
    }
    time_zone = TimeZoneField(help_text="IANA zone; schedules and local days are counted in it.")
    emergency_contacts = EmergencyContactSerializer(many=True, required=False, max_length=10)  # type: ignore[call-arg]
    my_role = serializers.SerializerMethodField(help_text="Your role on this patient's care team.")

    class Meta:
        model = Patient
        fields = (
            "id",
            "display_name",
            "date_of_birth",
            "sm_subtype",
            "kit_d816v_status",
            "time_zone",
            "emergency_contacts",
            "my_role",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "created_at", "updated_at")
        extra_kwargs = {"date_of_birth": {"validators": [BIRTH_DATE]}}

    @extend_schema_field(serializers.ChoiceField(choices=Role.choices))
    def get_my_role(self, patient: Patient) -> str | None:
        # Annotated by the list/detail queryset; set by the create view for a new record.
        return getattr(patient, "my_role", None)


class MemberUserSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    display_name = serializers.CharField(read_only=True)
    email = serializers.EmailField(read_only=True)


class MembershipSerializer(StrictModelSerializer):
    user = MemberUserSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ("id", "user", "role", "created_at")
        read_only_fields = ("id", "user", "created_at")


class InvitationSerializer(StrictModelSerializer):
    status = serializers.ChoiceField(choices=InvitationStatus.choices, read_only=True)
    invited_by = MemberUserSerializer(read_only=True)

    class Meta:
        model = Invitation
        fields = ("id", "email", "role", "status", "invited_by", "created_at", "expires_at")
        read_only_fields = ("id", "status", "invited_by", "created_at", "expires_at")


class InvitationCodeSerializer(StrictSerializer):
    code = serializers.CharField(max_length=64, help_text="The code from the invitation email.")


class InvitationPreviewSerializer(serializers.Serializer):
    patient_display_name = serializers.CharField(source="patient.display_name")
    role = serializers.ChoiceField(choices=Role.choices)
    invited_by = serializers.CharField(source="invited_by.display_name", allow_null=True)
    expires_at = serializers.DateTimeField()


class AcceptedSerializer(serializers.Serializer):
    patient = PatientSerializer(read_only=True)
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)
