"""Every URL of the service.

/api/v1/...                      the API (apps/*/urls.py)
/api/v1/patients/<patient_pk>/   everything about one patient (each app's `patient_urlpatterns`)
/api/schema/, /api/docs/         OpenAPI 3 and its browsable docs
/api/health                      for load balancers and people
/admin/                          Django admin for operators, only with ADMIN_ENABLED
anything else                    the PWA (frontend/dist), whose router takes it from there
"""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from apps.accounts import urls as accounts_urls
from apps.audit.api import AuditEventViewSet
from apps.careteam import urls as careteam_urls
from apps.clinic import urls as clinic_urls
from apps.core.views import pwa_index
from apps.diary import urls as diary_urls
from apps.emergency import urls as emergency_urls
from apps.epinephrine import urls as epinephrine_urls
from apps.glossary import urls as glossary_urls
from apps.medications import urls as medications_urls
from apps.notifications import urls as notifications_urls
from apps.ops.health import HealthView
from apps.sync.api import ChangeFeedView

patient_urlpatterns = [
    *careteam_urls.patient_urlpatterns,
    *diary_urls.patient_urlpatterns,
    *medications_urls.patient_urlpatterns,
    *epinephrine_urls.patient_urlpatterns,
    *emergency_urls.patient_urlpatterns,
    *clinic_urls.patient_urlpatterns,
    path("audit/", AuditEventViewSet.as_view({"get": "list"}), name="audit-list"),
    path("changes", ChangeFeedView.as_view(), name="change-feed"),
]

api_v1 = [
    path("auth/", include(accounts_urls)),
    path("", include(careteam_urls)),
    path("", include(notifications_urls)),
    path("", include(clinic_urls)),
    path("", include(glossary_urls)),
    path("patients/<uuid:patient_pk>/", include(patient_urlpatterns)),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/health", HealthView.as_view(), name="health"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    # Off unless an operator turns it on (apps.accounts.admin_site): otherwise /admin/ is a 404.
    *([path("admin/", admin.site.urls)] if settings.ADMIN_ENABLED else []),
    # Calendar subscriptions of upcoming doses: no sign-in, the secret URL is the credential.
    *medications_urls.ical_urlpatterns,
    # The emergency card for first responders: no sign-in, the secret URL is the credential.
    *emergency_urls.public_urlpatterns,
    path("", pwa_index, name="pwa"),
    # Client-side routes of the PWA (e.g. /today, /invitations/accept?code=…). API and admin paths
    # never fall through to it: an unknown API path answers a JSON 404.
    re_path(r"^(?!api/|admin/|static/)(?:[\w\-/]+)?$", pwa_index, name="pwa-route"),
]

handler404 = "apps.core.errors.api_not_found"
handler500 = "apps.core.errors.api_server_error"
