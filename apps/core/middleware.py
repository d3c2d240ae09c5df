"""Headers and limits every response gets, decided in one place."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from .errors import json_error

# Paths under /api/ that carry no health data and may be cached by the browser.
_CACHEABLE_API_PREFIXES = ("/api/schema/", "/api/docs/", "/api/redoc/")
_RELAXED_CSP_PREFIXES = ("/admin/", "/api/docs/", "/api/redoc/")


class RequestSizeLimitMiddleware:
    """Answers 413 before a view reads an oversize body.

    Django enforces DATA_UPLOAD_MAX_MEMORY_SIZE only when `request.body` is read; DRF's parsers
    read the stream directly, so the limit has to be applied here. A body without a length
    (chunked) is refused with 411: Django would read it as empty.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.MAX_REQUEST_BODY_BYTES
        raw_length = request.META.get("CONTENT_LENGTH") or ""
        if raw_length:
            try:
                length = int(raw_length)
            except ValueError:
                return json_error("bad_request", _("Content-Length is not a number."), 400)
            if length > limit:
                return self._too_large(limit)
        elif "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            # Django reads a body only as far as its Content-Length (none: nothing), so a
            # chunked body would reach the view empty and be judged as such. Say so instead.
            return json_error(
                "length_required",
                _("Send the body with a Content-Length header: chunked bodies are not accepted."),
                411,
            )
        return self.get_response(request)

    @staticmethod
    def _too_large(limit: int) -> HttpResponse:
        return json_error(
            "request_too_large",
            _("The request body is larger than %(limit)s bytes.") % {"limit": limit},
            413,
        )


class SecurityHeadersMiddleware:
    """Content Security Policy on every page, and `no-store` on every API response that may
    carry health data, so neither the browser's HTTP cache nor a shared proxy keeps a copy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        path = request.path
        if path.startswith(_RELAXED_CSP_PREFIXES):
            response.headers.setdefault(
                "Content-Security-Policy", settings.CONTENT_SECURITY_POLICY_ADMIN
            )
        else:
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        if path.startswith("/api/") and not path.startswith(_CACHEABLE_API_PREFIXES):
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response
