"""Every URL of the service.

/api/v1/...                      the API (apps/*/urls.py)
/api/v1/patients/<patient_pk>/   everything about one patient (each app's `patient_urlpatterns`)
/api/schema/, /api/docs/         OpenAPI 3 and its browsable docs
/api/health                      for load balancers and people
/admin/                          Django admin for operators
anything else                    the PWA (frontend/dist), whose router takes it from there
"""

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
from apps.core.views import pwa_index
from apps.ops.health import HealthView
from apps.sync.api import ChangeFeedView

patient_urlpatterns = [
    *careteam_urls.patient_urlpatterns,
    path("audit/", AuditEventViewSet.as_view({"get": "list"}), name="audit-list"),
    path("changes", ChangeFeedView.as_view(), name="change-feed"),
]

api_v1 = [
    path("auth/", include(accounts_urls)),
    path("", include(careteam_urls)),
    path("patients/<uuid:patient_pk>/", include(patient_urlpatterns)),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/health", HealthView.as_view(), name="health"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("admin/", admin.site.urls),
    path("", pwa_index, name="pwa"),
    # Client-side routes of the PWA (e.g. /today, /invitations/accept?code=…). API and admin paths
    # never fall through to it: an unknown API path answers a JSON 404.
    re_path(r"^(?!api/|admin/|static/)(?:[\w\-/]+)?$", pwa_index, name="pwa-route"),
]

handler404 = "apps.core.errors.api_not_found"
handler500 = "apps.core.errors.api_server_error"
