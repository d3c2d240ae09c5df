"""Routes of medications: the patient-scoped API (under /api/v1/patients/<patient_pk>/) and the
calendar feed that phone calendars fetch without signing in (`ical_urlpatterns`, at /cal/)."""

from django.urls import path

from apps.core.routers import Router

from . import api, calendar

patient_router = Router()
patient_router.register("medications", api.MedicationViewSet, basename="medication")
patient_router.register("doses", api.DoseViewSet, basename="dose")

patient_urlpatterns = [
    path(
        "medications/calendar-feed",
        api.CalendarFeedView.as_view(),
        name="medication-calendar-feed",
    ),
    *patient_router.urls,
]

ical_urlpatterns = [
    path("cal/<str:token>.ics", calendar.ical_feed, name="medication-ical"),
]
