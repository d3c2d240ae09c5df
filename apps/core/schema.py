"""The OpenAPI schema tells the truth about errors: every operation lists the error statuses it
can answer, each with the one error shape (apps.core.errors), decided here for all of them.
So are the few shapes drf-spectacular cannot see from a serializer: a create sent again, a
choice shown beyond those accepted, a time written as HH:MM. tests/contract fuzzes the live API
against the result."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import inline_serializer
from rest_framework import permissions, serializers

from apps.core.serializers import ShownChoiceField

# Declared inline: a field named `fields` would shadow Serializer.fields on a class.
ErrorSerializer = inline_serializer(
    "Error",
    fields={
        "code": serializers.CharField(help_text="Stable and machine-readable, e.g. `invalid`."),
        "detail": serializers.CharField(help_text="A sentence for a person, in their language."),
        "fields": serializers.DictField(
            help_text="Each bad input (field or query parameter) with its messages; nested "
            "inputs keep their nesting. Empty when the error is about the request as a whole."
        ),
    },
)


_ERRORS = {
    "400": "Bad input: a field or query parameter is named in `fields`, or the body is not JSON.",
    "401": "Not signed in, or the session or token is no longer valid.",
    "403": "Not allowed: your role does not allow it, the CSRF token is missing, or the second "
    "factor is (`totp_required`, `totp_verification_required`).",
    "404": "No such record, or not one you may see.",
    "409": "Conflicts with the record as stored.",
    "411": "A body without Content-Length (chunked) is not accepted.",
    "412": "The record changed since your copy (If-Match / version).",
    "413": "The body is too large.",
    "415": "The body is not JSON.",
    "428": "Send If-Match (or `version`) to change this record.",
    "429": "Too many attempts: try again after Retry-After seconds.",
}
_REPLAYED_CREATE = (
    "Already stored: the same create sent again (same `id`, same body) answers the stored record."
)
# A time of day as TimeField(format="%H:%M") writes it; `format: time` would demand seconds.
_HOUR_MINUTE = {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$", "example": "07:30"}
_WRITES = {"POST", "PUT", "PATCH", "DELETE"}
_WITH_BODY = {"POST", "PUT", "PATCH"}


class AutoSchema(SpectacularAutoSchema):
    def _error_statuses(self) -> list[str]:
        view: Any = self.view
        public = (
            any(isinstance(p, permissions.AllowAny) for p in view.get_permissions())
            or not view.get_authenticators()
        )
        if public and self.method not in _WRITES:
            statuses: list[str] = []  # nothing to send, nobody to refuse
        else:
            statuses = ["400", "403"]  # bad input; a role, the CSRF token or the second factor
        if not public or getattr(view, "throttle_scope", None) == "login":
            statuses.append("401")
        if "{" in self.path:
            statuses.append("404")
        if self.method in _WRITES and not public:
            statuses.append("409")
            if self.method != "POST":
                statuses += ["412", "428"]
        if self.method in _WITH_BODY:
            statuses += ["411", "413", "415"]
        if view.get_throttles():
            statuses.append("429")
        return statuses

    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        if isinstance(field, ShownChoiceField) and direction == "response":
            shown = serializers.ChoiceField(choices=field.shown_choices)
            shown.field_name, shown.parent = field.field_name, field.parent
            for name in ("help_text", "read_only", "required", "allow_null"):
                setattr(shown, name, getattr(field, name))
            return super()._map_serializer_field(shown, direction, bypass_extensions)
        schema: dict[str, Any] = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            isinstance(field, serializers.TimeField)
            and getattr(field, "format", None) == "%H:%M"
            and direction == "response"
        ):
            schema.pop("format", None)
            schema.update(_HOUR_MINUTE)
        return schema

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        view: Any = self.view
        if (
            getattr(view, "replays_create", False)
            and getattr(view, "action", None) == "create"
            and "201" in responses
        ):
            responses.setdefault("200", {**responses["201"], "description": _REPLAYED_CREATE})
        for status in self._error_statuses():
            if status not in responses:
                response = self._get_response_for_code(ErrorSerializer, status)
                response["description"] = _ERRORS[status]
                responses[status] = response
        return dict(sorted(responses.items()))
