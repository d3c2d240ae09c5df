"""Routes of epinephrine readiness, all under /api/v1/patients/<patient_pk>/ (server/urls.py)."""

from django.urls import path

from apps.core.routers import Router

from . import api

patient_router = Router()
patient_router.register("pens", api.PenViewSet, basename="pen")

patient_urlpatterns = [
    path("carry-checks", api.CarryCheckListView.as_view(), name="carry-check-list"),
    path("carry-checks/answer", api.CarryCheckAnswerView.as_view(), name="carry-check-answer"),
    path(
        "carry-checks/settings",
        api.CarryCheckSettingsView.as_view(),
        name="carry-check-settings",
    ),
    *patient_router.urls,
]
