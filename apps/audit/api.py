from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from apps.careteam.access import Capability, PatientScopedMixin

from .models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
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
            "ip_address",
        )
        read_only_fields = fields


@extend_schema(tags=["audit"])
@extend_schema_view(
    list=extend_schema(
        summary="Who saw or changed this record",
        description=(
            "Every read or write of this patient's data by a caregiver, a clinician or a "
            "first responder using the emergency card, newest first. Owners only."
        ),
    )
)
class AuditEventViewSet(PatientScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = AuditEventSerializer
    queryset = AuditEvent.objects.all()
    read_capability = Capability.VIEW_AUDIT
    write_capability = None
    audit_resource = "audit"
