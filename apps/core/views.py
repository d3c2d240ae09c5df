from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe


@require_safe
def pwa_index(request: HttpRequest) -> HttpResponse | FileResponse:
    """The PWA's shell. Its routes are client-side, so every one of them gets the same page."""
    index = settings.FRONTEND_DIST / "index.html"
    if not index.exists():
        return HttpResponse(
            "The front end is not built yet: run `make run` (or `cd frontend && npm ci && npm run build`).",
            status=503,
            content_type="text/plain",
        )
    response = FileResponse(index.open("rb"), content_type="text/html; charset=utf-8")
    # The shell must be revalidated so a new release reaches phones; the service worker keeps
    # the offline copy.
    response["Cache-Control"] = "no-cache"
    return response
