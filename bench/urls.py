"""The real URLs plus bare views that do the same work as an endpoint without DRF, for ratios."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from apps.careteam.api import patients_of
from server.urls import urlpatterns as real_urlpatterns

PATIENT_FIELDS = (
    "id",
    "display_name",
    "date_of_birth",
    "sm_subtype",
    "kit_d816v_status",
    "time_zone",
    "emergency_contacts",
    "my_role",
    "created_at",
    "updated_at",
)


def bare_patients(request: HttpRequest) -> JsonResponse:
    """What GET /api/v1/patients/ does, minus DRF: the same query, serialised by hand."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "sign in"}, status=401)
    rows = list(patients_of(request.user).values(*PATIENT_FIELDS))
    return JsonResponse(rows, safe=False)


urlpatterns = [path("bench/bare-patients", bare_patients), *real_urlpatterns]
