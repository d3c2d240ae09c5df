"""What the API shows and accepts for medications, doses, schedules and calendar feeds."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.careteam.access import object_in_scope
from apps.core.serializers import StrictModelSerializer, StrictSerializer
from apps.core.validators import PAST_EVENT, PLANNED_DATE
from apps.glossary.serializers import TermNameField
from apps.sync.api import SyncedModelSerializer

from . import policy
from .models import (
    INJECTED_ROUTES,
    CatalogueDrug,
    DoseLog,
    DoseStatus,
    InjectionSite,
    IntervalAnchor,
    Medication,
    RegimenKind,
    Route,
    next_injection_site,
)
from .schedule import Unit

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# A phone's clock may run a little fast; a dose further in the future is a mistake.
FUTURE_TOLERANCE = timedelta(minutes=5)


class CatalogueDrugSerializer(StrictModelSerializer):
    name = TermNameField(help_text="In the request's language (apps.glossary).")
    clinical_name = TermNameField(clinical=True, help_text="The clinician's word.")
    route = serializers.ChoiceField(
        source="usual_route", choices=Route.choices, help_text="The usual route."
    )

    class Meta:
        model = CatalogueDrug
        fields = ("id", "name", "clinical_name", "drug_class", "route", "note")
        read_only_fields = fields


class ReminderStepSerializer(StrictSerializer):
    """One step of a reminder policy (see docs/alerts.md)."""

    name = serializers.RegexField(r"^[a-z][a-z0-9_]{0,29}$", help_text="Unique in the policy.")
    kind = serializers.ChoiceField(choices=policy.StepKind.ALL)
    days = serializers.IntegerField(
        min_value=-60, max_value=60, default=0, help_text="Local days after the due date."
    )
    minutes = serializers.IntegerField(
        min_value=-1440, max_value=1440, default=0, help_text="Then this many minutes later."
    )
    audience = serializers.ListField(
        child=serializers.ChoiceField(choices=policy.AUDIENCES), min_length=1, max_length=3
    )
    urgency = serializers.ChoiceField(choices=policy.URGENCIES, default="normal")
    late_cutoff_minutes = serializers.IntegerField(
        min_value=1,
        max_value=7 * 1440,
        allow_null=True,
        default=policy.REMINDER_LATE_CUTOFF_MINUTES,
        help_text="Not sent if it would go out later than this; null: always sent.",
    )
    flag_clinician = serializers.BooleanField(default=False)
    repeat_until_days = serializers.IntegerField(
        min_value=-60, max_value=policy.MAX_REPEAT_DAYS, allow_null=True, default=None
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        until = attrs.get("repeat_until_days")
        if until is not None and until < attrs.get("days", 0):
            raise serializers.ValidationError(
                {"repeat_until_days": [_("Must not be before `days`.")]}
            )
        return attrs


class MedicationSerializer(StrictModelSerializer):
    times_of_day = serializers.ListField(
        child=serializers.RegexField(_HHMM, error_messages={"invalid": _("Use HH:MM (24-hour).")}),
        required=False,
        max_length=12,
        help_text="Local times in the patient's zone, e.g. ['08:00', '20:00']. For an interval "
        "in days or weeks, the first is the preferred time of day.",
    )
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        required=False,
        max_length=7,
        help_text="0 = Monday … 6 = Sunday.",
    )
    interval = serializers.IntegerField(min_value=1, max_value=366, required=False, allow_null=True)
    reminder_policy = ReminderStepSerializer(
        many=True,
        required=False,
        allow_null=True,
        help_text="null: the default for the regimen (see effective_reminder_policy).",
    )
    effective_reminder_policy = serializers.SerializerMethodField()
    suggested_injection_site = serializers.SerializerMethodField()
    last_dose_at = serializers.DateTimeField(
        write_only=True,
        required=False,
        help_text="On create, for a regimen counted from the last dose: when the last dose was "
        "given (not in the future). It is logged as a dose and the cycle counts from it.",
    )
    last_dose_injection_site = serializers.ChoiceField(
        choices=InjectionSite.choices,
        write_only=True,
        required=False,
        allow_blank=True,
        help_text="The injection site of `last_dose_at`, for an injection.",
    )

    class Meta:
        model = Medication
        fields = (
            "id",
            "catalogue",
            "name",
            "drug_class",
            "route",
            "dose",
            "dose_unit",
            "prescribed_by",
            "start_date",
            "end_date",
            "paused_at",
            "regimen_kind",
            "times_of_day",
            "weekdays",
            "interval",
            "interval_unit",
            "interval_anchor",
            "reminder_policy",
            "effective_reminder_policy",
            "next_dose_due_at",
            "suggested_injection_site",
            "last_dose_at",
            "last_dose_injection_site",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "paused_at", "next_dose_due_at", "created_at", "updated_at")
        extra_kwargs = {
            "name": {"required": False},
            "start_date": {"validators": [PLANNED_DATE]},
            "end_date": {"validators": [PLANNED_DATE]},
        }

    @extend_schema_field(ReminderStepSerializer(many=True))
    def get_effective_reminder_policy(self, obj: Medication) -> list[dict[str, Any]]:
        return [step.as_dict() for step in obj.policy().steps]

    @extend_schema_field(
        serializers.CharField(
            allow_null=True,
            help_text="An `injection_site` value: the site after the last one used, in the "
            "rotation abdomen L/R, thigh L/R, upper arm L/R. Null for non-injections.",
        )
    )
    def get_suggested_injection_site(self, obj: Medication) -> str | None:
        if not obj.is_injection:
            return None
        # Annotated by MedicationViewSet.get_queryset (one query for the whole list).
        return next_injection_site(getattr(obj, "last_injection_site", None))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        current = self.instance
        catalogue = attrs.get("catalogue")
        if current is None and catalogue is not None:
            attrs.setdefault("name", catalogue.name)
            attrs.setdefault("drug_class", catalogue.drug_class)
            attrs.setdefault("route", catalogue.usual_route)
        merged = {
            name: attrs.get(name, getattr(current, name, None))
            for name in (
                "name",
                "start_date",
                "end_date",
                "regimen_kind",
                "times_of_day",
                "weekdays",
                "interval",
                "interval_unit",
            )
        }
        errors: dict[str, list[str]] = {}
        if not merged["name"]:
            errors["name"] = [str(_("Name the medication, or pick it from the catalogue."))]
        if (
            merged["end_date"]
            and merged["start_date"]
            and merged["end_date"] < merged["start_date"]
        ):
            errors["end_date"] = [str(_("The end date is before the start date."))]
        kind = merged["regimen_kind"]
        times = merged["times_of_day"] or []
        if len(set(times)) != len(times):
            errors["times_of_day"] = [str(_("Each time once."))]
        if kind in (RegimenKind.DAILY, RegimenKind.WEEKDAYS) and not times:
            errors["times_of_day"] = [str(_("At least one time of day."))]
        if kind == RegimenKind.WEEKDAYS and not merged["weekdays"]:
            errors["weekdays"] = [str(_("At least one weekday."))]
        if kind == RegimenKind.INTERVAL:
            if not merged["interval"]:
                errors["interval"] = [
                    str(_("How many hours, days or weeks between doses (at least 1)."))
                ]
            if merged["interval_unit"] != Unit.HOURS and not times:
                errors["times_of_day"] = [str(_("The preferred time of day of the dose."))]
            if merged["interval_unit"] == Unit.HOURS and not times:
                errors["times_of_day"] = [str(_("The time of the first dose."))]
        errors.update(self._last_dose_errors(attrs, merged))
        steps = attrs.get("reminder_policy")
        if steps:
            names = [step["name"] for step in steps]
            if len(set(names)) != len(names):
                errors["reminder_policy"] = [str(_("Each step needs its own name."))]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def _last_dose_errors(
        self, attrs: dict[str, Any], merged: dict[str, Any]
    ) -> dict[str, list[str]]:
        """`last_dose_at` anchors the cycle of a new medication counted from the last dose."""
        errors: dict[str, list[str]] = {}
        given = attrs.get("last_dose_at")
        if "last_dose_at" in attrs and self.instance is not None:
            errors["last_dose_at"] = [str(_("Only when adding a medication: log the dose."))]
        elif given is not None:
            anchor = attrs.get("interval_anchor", IntervalAnchor.CALENDAR)
            if merged["regimen_kind"] != RegimenKind.INTERVAL or anchor != IntervalAnchor.LAST_DOSE:
                errors["last_dose_at"] = [
                    str(_("Only for a regimen counted from the last dose given."))
                ]
            elif given > timezone.now() + FUTURE_TOLERANCE:
                errors["last_dose_at"] = [str(_("A dose cannot be logged in the future."))]
        site = attrs.get("last_dose_injection_site")
        if site and given is None:
            errors["last_dose_injection_site"] = [str(_("Give the time of the last dose too."))]
        elif (
            site and attrs.get("route", getattr(self.instance, "route", "")) not in INJECTED_ROUTES
        ):
            errors["last_dose_injection_site"] = [str(_("Only for an injection."))]
        return errors


class DoseSerializer(SyncedModelSerializer):
    medication = serializers.UUIDField(source="medication_id")

    class Meta:
        model = DoseLog
        fields = (
            *SyncedModelSerializer.SYNC_FIELDS,
            "medication",
            "status",
            "skip_reason",
            "taken_at",
            "scheduled_for",
            "given_by",
            "location",
            "injection_site",
            "note",
        )
        extra_kwargs = {
            "taken_at": {
                "help_text": "When it was given (or skipped). Not in the future.",
                "validators": [PAST_EVENT],
            },
            "scheduled_for": {
                "help_text": "The due time this dose answers; the server matches it if omitted.",
                "validators": [PLANNED_DATE],
            },
        }

    def validate_taken_at(self, value: Any) -> Any:
        if value > timezone.now() + FUTURE_TOLERANCE:
            raise serializers.ValidationError(_("A dose cannot be logged in the future."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        view = self.context["view"]
        medication_id = attrs.pop("medication_id", None)
        current: DoseLog | None = self.instance
        if current is not None and medication_id not in (None, current.medication_id):
            raise serializers.ValidationError(
                {"medication": [_("A dose cannot move to another medication.")]}
            )
        if current is None:
            medication = object_in_scope(Medication, view.patient, medication_id)
            if medication is None:
                # A bad field, named (as apps.clinic.api answers a bad `medication` parameter);
                # the same answer whether the id is another patient's or nobody's.
                raise serializers.ValidationError(
                    {"medication": [_("No such medication for this patient.")]}
                )
        else:
            medication = current.medication
        if medication.is_paused:
            raise serializers.ValidationError(
                {"medication": [_("This medication is paused. Resume it to log doses.")]}
            )
        attrs["medication"] = medication
        status = attrs.get("status", getattr(current, "status", DoseStatus.TAKEN))
        reason = attrs.get("skip_reason", getattr(current, "skip_reason", ""))
        if status == DoseStatus.SKIPPED and not reason:
            raise serializers.ValidationError({"skip_reason": [_("Say why the dose was skipped.")]})
        site = attrs.get("injection_site", getattr(current, "injection_site", ""))
        if site and not medication.is_injection:
            raise serializers.ValidationError(
                {"injection_site": [_("Only injected medications have an injection site.")]}
            )
        return attrs


class OccurrenceSerializer(StrictSerializer):
    medication = serializers.UUIDField(source="medication_id")
    due_at = serializers.DateTimeField()
    state = serializers.ChoiceField(
        choices=["taken", "taken_late", "skipped", "missed", "due", "upcoming"]
    )
    dose = serializers.UUIDField(source="dose_id", allow_null=True)
    taken_at = serializers.DateTimeField(allow_null=True)


class AdherenceSerializer(StrictSerializer):
    medication = serializers.UUIDField(source="medication_id")
    name = serializers.CharField()
    taken = serializers.IntegerField()
    taken_late = serializers.IntegerField()
    skipped = serializers.IntegerField()
    missed = serializers.IntegerField()
    rate = serializers.FloatField(
        allow_null=True, help_text="Taken (on time or late) / doses that were due; null if none."
    )


class ScheduleSerializer(StrictSerializer):
    start = serializers.DateField()
    end = serializers.DateField()
    time_zone = serializers.CharField()
    occurrences = OccurrenceSerializer(many=True)
    adherence = AdherenceSerializer(many=True)


class ScheduleQuerySerializer(StrictSerializer):
    start = serializers.DateField(required=False, validators=[PLANNED_DATE])
    end = serializers.DateField(required=False, validators=[PLANNED_DATE])

    MAX_DAYS = 93

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("start"), attrs.get("end")
        if start and end and end < start:
            raise serializers.ValidationError({"end": [_("The end is before the start.")]})
        if start and end and (end - start).days > self.MAX_DAYS:
            raise serializers.ValidationError(
                {"end": [_("At most %(days)s days.") % {"days": self.MAX_DAYS}]}
            )
        return attrs


class CalendarFeedSerializer(StrictSerializer):
    active = serializers.BooleanField()
    created_at = serializers.DateTimeField(allow_null=True)
    last_fetched_at = serializers.DateTimeField(allow_null=True)
    url = serializers.URLField(
        allow_null=True, help_text="Only in the answer that created it: it is not stored."
    )
