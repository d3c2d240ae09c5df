from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request

from apps.careteam.access import Capability, PatientScopedMixin, capabilities_of
from apps.careteam.models import Role

from . import words
from .models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    summary = serializers.SerializerMethodField(
        help_text='The event in words, in the active language ("Looked at the clinic overview").'
    )
    ip_address = serializers.SerializerMethodField(
        help_text="The caller's address; shown to owners only (null for clinicians)."
    )

    class Meta:
        model = AuditEvent
        fields = (
            "id",
            "created_at",
            "actor_label",
            "actor_role",
            "action",
            "resource",
            "object_id",
            "summary",
            "ip_address",
        )
        read_only_fields = fields

    def get_summary(self, event: AuditEvent) -> str:
        return words.summary(event)

    def get_ip_address(self, event: AuditEvent) -> str | None:
        return event.ip_address if self.context.get("full_trail") else None


@extend_schema(tags=["audit"])
@extend_schema_view(
    list=extend_schema(
        summary="Who saw or changed this record",
        description=(
            "Every read or write of this patient's data by a caregiver, a clinician or a first "
            "responder using the emergency card, newest first, for owners. A clinician sees the "
            "clinical part of the trail only (which clinician opened what, and when), without "
            "the family's reads or IP addresses. Caregivers: 404."
        ),
    )
)
class AuditEventViewSet(PatientScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = AuditEventSerializer
    queryset = AuditEvent.objects.all()
    read_capability = Capability.VIEW_AUDIT
    write_capability = None
    audit_resource = "audit"

    def _full_trail(self) -> bool:
        return Capability.VIEW_AUDIT in capabilities_of(self.my_membership.role)

    def required_capability(self, request: Request) -> Capability | None:
        # Decided per role: the whole trail, or else its clinical part (a role with neither: 404).
        membership = self.membership
        if membership is not None and Capability.VIEW_AUDIT not in capabilities_of(membership.role):
            return Capability.VIEW_CLINICAL_AUDIT
        return Capability.VIEW_AUDIT

    def get_queryset(self) -> QuerySet[AuditEvent]:
        queryset = super().get_queryset()
        if not self._full_trail():
            queryset = queryset.filter(actor_role=Role.CLINICIAN)
        return queryset

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "full_trail": self._full_trail()}
