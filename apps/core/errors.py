"""One error shape for the whole API: ``{"code": ..., "detail": ..., "fields": {...}}``.

`code` is stable and machine-readable, `detail` is a sentence for a person, and `fields` names
every input that was wrong with its messages (nested serializers keep their nesting). `detail`
and the messages are in the request's language (Accept-Language, activated by LocaleMiddleware;
English when it asks for none we speak): DRF's and Django's own messages come translated from
their catalogues, ours from locale/.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


def _flatten_detail(detail: Any) -> Any:
    if isinstance(detail, list):
        return [_flatten_detail(item) for item in detail]
    if isinstance(detail, dict):
        return {key: _flatten_detail(value) for key, value in detail.items()}
    return str(detail)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response

    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten_detail(exc.detail)
        if not isinstance(fields, dict):
            fields = {"non_field_errors": fields}
        body: dict[str, Any] = {
            "code": "invalid",
            "detail": _("Some fields are not valid."),
            "fields": fields,
        }
    else:
        codes = exc.get_codes()
        body = {
            "code": codes if isinstance(codes, str) else "error",
            "detail": str(exc.detail),
            "fields": {},
        }
    response.data = body
    return response


def json_error(code: str, detail: str, http_status: int) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail, "fields": {}}, status=http_status)


def api_not_found(request: Any, exception: Exception | None = None) -> JsonResponse:
    return json_error("not_found", _("Not found."), status.HTTP_404_NOT_FOUND)


def api_server_error(request: Any) -> JsonResponse:
    return json_error(
        "server_error",
        _("Something went wrong on our side."),
        status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
