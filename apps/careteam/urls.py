"""Routes of the care team. `patient_router` holds everything nested under one patient."""

from django.urls import path

from apps.core.routers import Router

from . import api

router = Router()
router.register("patients", api.PatientViewSet, basename="patient")

patient_router = Router()
patient_router.register("members", api.MembershipViewSet, basename="member")
patient_router.register("invitations", api.InvitationViewSet, basename="invitation")

urlpatterns = [
    path("invitations/preview", api.InvitationPreviewView.as_view(), name="invitation-preview"),
    path("invitations/accept", api.InvitationAcceptView.as_view(), name="invitation-accept"),
    path("invitations/decline", api.InvitationDeclineView.as_view(), name="invitation-decline"),
    *router.urls,
]
patient_urlpatterns = patient_router.urls
