"""What the API shows and accepts for pens, their use, readiness and the carry check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from rest_framework import serializers

from apps.alerts.defaults import CARRY_AGAIN_AFTER_MINUTES
from apps.core.serializers import ShownChoiceField, StrictModelSerializer, StrictSerializer
from apps.core.validators import PAST_EVENT, PLANNED_DATE
from apps.sync.api import SyncedModelSerializer

from .models import PENS_NEEDED, SETTABLE_PEN_STATES, AutoInjector, CarryCheck, PenDose, PenState

# A phone's clock may run a little fast; a use further in the future is a mistake.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


def _today(serializer: serializers.Serializer, pen: AutoInjector | None = None) -> dt.date:
    today = serializer.context.get("today")
    if today is None and pen is not None:  # e.g. the change feed, which knows no patient
        today = pen.patient.local_today()
    if today is None:
        today = timezone.now().date()
    return today


class PenSerializer(SyncedModelSerializer):
    dose_mg = serializers.ChoiceField(
        choices=PenDose.choices, help_text="Epinephrine per injection: 0.15, 0.3 or 0.5 mg."
    )
    state = ShownChoiceField(
        choices=SETTABLE_PEN_STATES,
        shown_choices=PenState.choices,
        required=False,
        help_text="Set by people (`in_use`, `expired`, `discarded`); `used` only by logging a "
        "use (POST …/pens/{id}/use).",
    )
    status = serializers.SerializerMethodField(
        help_text="The state on the patient's local day: a pen past its expiry date is "
        "`expired` even if nobody marked it."
    )
    days_until_expiry = serializers.SerializerMethodField(
        help_text="Negative once expired (patient's local day)."
    )

    class Meta:
        model = AutoInjector
        fields = (
            *SyncedModelSerializer.SYNC_FIELDS,
            "brand",
            "dose_mg",
            "lot",
            "expires_on",
            "location",
            "state",
            "status",
            "days_until_expiry",
            "used_at",
            "note",
        )
        read_only_fields = ("used_at",)
        extra_kwargs = {"expires_on": {"validators": [PLANNED_DATE]}}

    def get_status(self, pen: AutoInjector) -> str:
        return pen.status_on(_today(self, pen))

    def get_days_until_expiry(self, pen: AutoInjector) -> int:
        return (pen.expires_on - _today(self, pen)).days

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        pen: AutoInjector | None = self.instance
        if pen is None:
            expires_on = attrs.get("expires_on")
            if expires_on is not None and expires_on < _today(self):
                raise serializers.ValidationError(
                    {
                        "expires_on": [
                            gettext("This date has passed: a new pen cannot be expired already.")
                        ]
                    }
                )
        elif pen.state == PenState.USED and attrs.get("state", PenState.USED) != PenState.USED:
            raise serializers.ValidationError(
                {
                    "state": [
                        gettext("A used pen cannot be put back in use; add the new pen instead.")
                    ]
                }
            )
        return attrs


class PenUseSerializer(StrictSerializer):
    used_at = serializers.DateTimeField(
        required=False, help_text="When the pen was used (default: now).", validators=[PAST_EVENT]
    )
    episode_id = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="An anaphylaxis episode already in the diary to add this dose to; without it a "
        "new episode is opened.",
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def validate_used_at(self, value: dt.datetime) -> dt.datetime:
        if value > timezone.now() + FUTURE_TOLERANCE:
            raise serializers.ValidationError(gettext("This time is in the future."))
        return value


class ReadinessSerializer(StrictSerializer):
    ready_pens = serializers.IntegerField(
        help_text="Pens in use and not past their expiry date on the patient's local day."
    )
    pens_needed = serializers.IntegerField()
    two_pen_rule_met = serializers.BooleanField()
    next_expiry = serializers.DateField(
        allow_null=True, help_text="The earliest expiry date among the ready pens."
    )
    local_date = serializers.DateField(help_text="The patient's local day it was computed for.")


class PenUseResultSerializer(StrictSerializer):
    instructions = serializers.ListField(
        child=serializers.CharField(), help_text="What to do now, in order. Show them all."
    )
    pen = PenSerializer()
    episode_id = serializers.UUIDField(help_text="The anaphylaxis episode this dose belongs to.")
    dose_log_id = serializers.UUIDField(
        allow_null=True,
        help_text="The dose in the medication log, when the patient tracks an epinephrine "
        "medication; otherwise the dose is kept with the pen's use only.",
    )
    used_at = serializers.DateTimeField()
    caregivers_alerted = serializers.IntegerField(
        help_text="How many other people on the care team were alerted."
    )
    readiness = ReadinessSerializer()


class CarryCheckSerializer(StrictModelSerializer):
    date = serializers.DateField(source="local_date")
    meets_two_pen_rule = serializers.SerializerMethodField()

    class Meta:
        model = CarryCheck
        fields = ("date", "pens_with_me", "meets_two_pen_rule", "answered_at")
        read_only_fields = fields

    def get_meets_two_pen_rule(self, check: CarryCheck) -> bool:
        return check.pens_with_me >= PENS_NEEDED


class StreakSerializer(StrictSerializer):
    carrying_days = serializers.IntegerField(
        help_text="Consecutive local days answered with at least one pen."
    )
    two_pen_days = serializers.IntegerField(
        help_text="Consecutive local days answered with at least two pens (the two-pen rule)."
    )
    through = serializers.DateField(
        allow_null=True,
        help_text="The last day counted: today once answered, otherwise yesterday.",
    )


class CarryCheckAnswerSerializer(StrictSerializer):
    date = serializers.DateField(
        required=False,
        help_text="The patient's local day (default today). Only today or yesterday.",
    )
    pens_with_me = serializers.IntegerField(min_value=0, max_value=10)


class CarryCheckSettingsSerializer(StrictSerializer):
    enabled = serializers.BooleanField(default=True)
    local_time = serializers.TimeField(
        format="%H:%M",
        help_text="The patient's local time of the daily check, e.g. when leaving home.",
    )
    again_after_minutes = serializers.IntegerField(
        min_value=15,
        max_value=12 * 60,
        default=CARRY_AGAIN_AFTER_MINUTES,
        help_text="An unanswered check is asked once more this much later, the same day.",
    )
    next_check_at = serializers.DateTimeField(read_only=True, allow_null=True)
