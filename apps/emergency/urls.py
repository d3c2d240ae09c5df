"""Routes of the emergency card: the care team's API under /api/v1/patients/<patient_pk>/
(`patient_urlpatterns`) and the page a share link opens, without signing in
(`public_urlpatterns`, at /card/<token>)."""

from django.urls import path

from apps.core.routers import Router

from . import api, views

patient_router = Router()
patient_router.register("emergency-card/links", api.CardLinkViewSet, basename="card-link")

patient_urlpatterns = [
    path("emergency-card", api.EmergencyCardView.as_view(), name="emergency-card"),
    *patient_router.urls,
]

public_urlpatterns = [
    path("card/<str:token>", views.shared_card, name="emergency-card-shared"),
]
