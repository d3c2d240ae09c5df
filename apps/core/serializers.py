"""Serializer bases that refuse what they do not understand."""

from __future__ import annotations

import copy
import zoneinfo
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject


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


class ShownChoiceField(serializers.ChoiceField):
    """A choice people may set, on a record that can also be in states only the system sets
    (a pen is `used` only by logging a use): accepts `choices`, shows any of `shown_choices`.
    The schema lists each set in its direction (apps.core.schema)."""

    def __init__(self, *, shown_choices: Any, **kwargs: Any) -> None:
        self.shown_choices = shown_choices
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> Any:
        return value


class OncePerRequestDateTimeField(serializers.DateTimeField):
    """DRF's DateTimeField, asking for the active time zone once per serializer (per request)
    instead of once per value: a list of 25 rows otherwise reads the thread-local 50 times."""

    def default_timezone(self) -> Any:
        try:
            return self.__dict__["_request_time_zone"]
        except KeyError:
            zone = self.__dict__["_request_time_zone"] = super().default_timezone()
            return zone


class ReadPlanMixin:
    """For hot read endpoints. DRF works out, for every row, which fields are readable (a
    generator over the bound fields) and builds every field from the model on every request.
    Here the model-derived fields are built once per class and copied, and a serializer lists its
    readable fields once: a list's child serializer then serves every row from that list. The
    output is DRF's own `to_representation`, field for field."""

    _field_templates: dict[type, dict[str, serializers.Field]] = {}

    def get_fields(self) -> dict[str, serializers.Field]:
        cls = type(self)
        template = ReadPlanMixin._field_templates.get(cls)
        if template is None:
            template = ReadPlanMixin._field_templates[cls] = super().get_fields()  # type: ignore[misc]
        return copy.deepcopy(template)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        plan = self.__dict__.get("_read_plan")
        if plan is None:
            plan = self.__dict__["_read_plan"] = [
                field
                for field in self.fields.values()  # type: ignore[attr-defined]
                if not field.write_only
            ]
        ret: dict[str, Any] = {}
        for field in plan:
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            ret[field.field_name] = (
                None if check_for_none is None else field.to_representation(attribute)
            )
        return ret
