"""Routes of the diary, all under /api/v1/patients/<patient_pk>/ (server/urls.py)."""

from django.urls import path

from apps.core.routers import Router

from . import api

patient_router = Router()
patient_router.register(
    "catalogue/symptoms", api.SymptomCatalogueViewSet, basename="catalogue-symptom"
)
patient_router.register(
    "catalogue/triggers", api.TriggerCatalogueViewSet, basename="catalogue-trigger"
)
patient_router.register("symptom-entries", api.SymptomEntryViewSet, basename="symptom-entry")
patient_router.register("check-ins", api.DailyCheckInViewSet, basename="check-in")
patient_router.register(
    "trigger-exposures", api.TriggerExposureViewSet, basename="trigger-exposure"
)
patient_router.register(
    "anaphylaxis-episodes", api.AnaphylaxisEpisodeViewSet, basename="anaphylaxis-episode"
)
patient_router.register("lab-results", api.LabResultViewSet, basename="lab-result")

patient_urlpatterns = [
    *patient_router.urls,
    path("timeline", api.TimelineView.as_view(), name="diary-timeline"),
    path("insights", api.InsightsView.as_view(), name="diary-insights"),
]
