"""Patients, their care team and invitations."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.authentication import request_user
from apps.core.throttling import SettingsScopedRateThrottle

from . import services
from .access import Capability, PatientScopedMixin
from .models import Invitation, Membership, Patient
from .serializers import (
    AcceptedSerializer,
    InvitationCodeSerializer,
    InvitationPreviewSerializer,
    InvitationSerializer,
    MembershipSerializer,
    PatientSerializer,
)


def patients_of(user: Any) -> QuerySet[Patient]:
    """The patients whose care team the user is on, each annotated with the user's role."""
    role = Membership.objects.active().filter(patient=OuterRef("pk"), user=user).values("role")[:1]
    return Patient.objects.annotate(my_role=Subquery(role)).filter(my_role__isnull=False)


@extend_schema(tags=["patients"])
@extend_schema_view(
    list=extend_schema(
        summary="Your patients",
        description="Every patient whose care team you are on, with your role.",
    ),
    create=extend_schema(summary="Create a patient record", description="You become its owner."),
    retrieve=extend_schema(summary="A patient record"),
    partial_update=extend_schema(summary="Edit a patient record", description="Owners only."),
    destroy=extend_schema(
        summary="Delete a patient record",
        description="Owners only. Deletes the record and everything logged for it, for good.",
    ),
)
class PatientViewSet(
    PatientScopedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PatientSerializer
    patient_url_kwarg = "pk"
    read_capability = Capability.VIEW_PATIENT
    write_capability = Capability.EDIT_PATIENT
    audit_resource = "patient"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    pagination_class = None  # a person is on a handful of care teams

    def get_queryset(self) -> QuerySet[Patient]:
        return patients_of(self.request.user)

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        patient = services.patient_create(owner=request_user(self.request), **data)
        patient.my_role = "owner"  # type: ignore[attr-defined]
        serializer.instance = patient

    def perform_update(self, serializer: Any) -> None:
        services.patient_update(patient=serializer.instance, **serializer.validated_data)


@extend_schema(tags=["care team"])
@extend_schema_view(
    list=extend_schema(
        summary="The care team", description="Everyone with access to this patient, and their role."
    ),
    partial_update=extend_schema(
        summary="Change a member's role",
        description="Owners only. The last owner cannot be demoted.",
    ),
    destroy=extend_schema(
        summary="Revoke a member's access",
        description="Owners only. Takes effect on their next request. The last owner cannot be removed.",
    ),
)
class MembershipViewSet(
    PatientScopedMixin,
    mixins.ListModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = MembershipSerializer
    queryset = Membership.objects.active().select_related("user")
    read_capability = Capability.VIEW_PATIENT
    write_capability = Capability.MANAGE_CARE_TEAM
    action_capabilities = {"leave": Capability.VIEW_PATIENT}
    audit_resource = "membership"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    pagination_class = None

    def get_serializer_class(self) -> type:
        return MembershipSerializer

    def perform_update(self, serializer: Any) -> None:
        role = serializer.validated_data.get("role")
        if role is not None:
            services.membership_change_role(membership=serializer.instance, role=role)

    def perform_destroy(self, instance: Membership) -> None:
        services.membership_revoke(membership=instance, by=request_user(self.request))

    @extend_schema(
        summary="Leave this care team",
        description="Removes your own access. The last owner cannot leave.",
        request=None,
        responses={204: OpenApiResponse(description="You no longer have access.")},
    )
    @action(detail=False, methods=["post"])
    def leave(self, request: Request, patient_pk: str) -> Response:
        services.membership_revoke(membership=self.my_membership, by=request_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["care team"])
@extend_schema_view(
    list=extend_schema(summary="Invitations sent for this patient", description="Owners only."),
    create=extend_schema(
        summary="Invite someone to the care team",
        description=(
            "Owners only. Emails a one-time code that expires (7 days by default). A new invitation "
            "to the same address replaces a pending one."
        ),
    ),
    destroy=extend_schema(
        summary="Withdraw an invitation", description="Its code stops working at once."
    ),
)
class InvitationViewSet(
    PatientScopedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = InvitationSerializer
    queryset = Invitation.objects.select_related("invited_by")
    read_capability = Capability.MANAGE_CARE_TEAM
    write_capability = Capability.MANAGE_CARE_TEAM
    audit_resource = "invitation"
    pagination_class = None

    def perform_create(self, serializer: Any) -> None:
        invitation, _code = services.invitation_create(
            patient=self.patient, invited_by=request_user(self.request), **serializer.validated_data
        )
        serializer.instance = invitation

    def perform_destroy(self, instance: Invitation) -> None:
        services.invitation_revoke(invitation=instance)


class InvitationCodeView(APIView):
    throttle_classes = [SettingsScopedRateThrottle]
    throttle_scope = "invitation_code"

    def _code(self, request: Request) -> str:
        data = InvitationCodeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data["code"]


class InvitationPreviewView(InvitationCodeView):
    @extend_schema(
        tags=["care team"],
        summary="See an invitation before answering it",
        request=InvitationCodeSerializer,
        responses=InvitationPreviewSerializer,
    )
    def post(self, request: Request) -> Response:
        invitation = services.invitation_preview(
            code=self._code(request), user=request_user(request)
        )
        return Response(InvitationPreviewSerializer(invitation).data)


class InvitationAcceptView(InvitationCodeView):
    @extend_schema(
        tags=["care team"],
        summary="Accept an invitation",
        description="The code works once, before it expires, for the email address it was sent to.",
        request=InvitationCodeSerializer,
        responses={201: AcceptedSerializer},
    )
    def post(self, request: Request) -> Response:
        membership = services.invitation_accept(
            code=self._code(request), user=request_user(request)
        )
        patient = membership.patient
        patient.my_role = membership.role  # type: ignore[attr-defined]
        return Response(
            AcceptedSerializer({"patient": patient, "role": membership.role}).data,
            status=status.HTTP_201_CREATED,
        )


class InvitationDeclineView(InvitationCodeView):
    @extend_schema(
        tags=["care team"],
        summary="Decline an invitation",
        request=InvitationCodeSerializer,
        responses={204: OpenApiResponse(description="Declined; the code no longer works.")},
    )
    def post(self, request: Request) -> Response:
        services.invitation_decline(code=self._code(request), user=request_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
