"""Serializer bases that refuse what they do not understand."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers


class RejectUnknownFieldsMixin:
    """A misspelt field would otherwise be dropped silently and the user would think it saved."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            known = set(self.fields)  # type: ignore[attr-defined]
            unknown = sorted(set(data) - known)
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
            read_only = sorted(
                name
                for name in data
                if name in self.fields and self.fields[name].read_only  # type: ignore[attr-defined]
            )
            if read_only:
                raise serializers.ValidationError(
                    {name: [_("This field is read-only.")] for name in read_only}
                )
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    pass


class StrictModelSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    pass


_ZONES: frozenset[str] | None = None


def is_known_time_zone(name: str) -> bool:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(zoneinfo.available_timezones())
    return name in _ZONES


class TimeZoneField(serializers.CharField):
    """An IANA zone name such as ``Europe/Rome``; schedules are expanded in it."""

    default_error_messages = {
        "unknown": gettext_lazy("'{value}' is not an IANA time zone (e.g. Europe/Rome).")
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if not is_known_time_zone(value):
            self.fail("unknown", value=value)
        return value
