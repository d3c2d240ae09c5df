"""Routes of the clinician dashboard: across the caller's patients (`urlpatterns`, under
/api/v1/) and about one patient (`patient_urlpatterns`, under /api/v1/patients/<patient_pk>/)."""

from django.urls import path

from apps.core.routers import Router

from . import api

patient_router = Router()
patient_router.register("clinical-notes", api.ClinicalNoteViewSet, basename="clinical-note")

urlpatterns = [
    path("clinic/patients/", api.ClinicPatientListView.as_view(), name="clinic-patient-list"),
    path(
        "clinic/response-cohort",
        api.ClinicResponseCohortView.as_view(),
        name="clinic-response-cohort",
    ),
]

patient_urlpatterns = [
    path("clinic/overview", api.ClinicOverviewView.as_view(), name="clinic-overview"),
    path("clinic/response", api.ClinicResponseView.as_view(), name="clinic-response"),
    path("export/fhir", api.ClinicExportFHIRView.as_view(), name="clinic-export-fhir"),
    path("export/<str:kind>.csv", api.ClinicExportCSVView.as_view(), name="clinic-export-csv"),
    *patient_router.urls,
]
