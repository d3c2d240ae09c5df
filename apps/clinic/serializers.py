from __future__ import annotations

from django.utils.translation import ngettext
from rest_framework import serializers

from apps.core.serializers import StrictModelSerializer

from .flags import DEFAULT_NO_DATA_DAYS, FLAGS
from .models import ClinicalNote

ORDERINGS = ("urgency", "name", "last_activity")


class PatientListParams(serializers.Serializer):
    """Query parameters of the clinician's patient list (`flag` is read as a list)."""

    flag = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    ordering = serializers.ChoiceField(choices=ORDERINGS, required=False, default="urgency")
    search = serializers.CharField(required=False, max_length=120, allow_blank=True)
    no_data_days = serializers.IntegerField(
        required=False, min_value=1, max_value=365, default=DEFAULT_NO_DATA_DAYS
    )

    def validate_flag(self, value: list[str]) -> list[str]:
        codes = [code.strip() for item in value for code in item.split(",") if code.strip()]
        unknown = sorted(set(codes) - set(FLAGS))
        if unknown:
            raise serializers.ValidationError(
                ngettext(
                    "Unknown flag: %(unknown)s. Known: %(known)s.",
                    "Unknown flags: %(unknown)s. Known: %(known)s.",
                    len(unknown),
                )
                % {"unknown": ", ".join(unknown), "known": ", ".join(FLAGS)}
            )
        return codes


class FlagSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=list(FLAGS))
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    severity = serializers.ChoiceField(choices=["urgent", "warning", "info"])
    detail = serializers.CharField()
    evidence_url = serializers.CharField()


class ClinicPatientSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    display_name = serializers.CharField()
    age_years = serializers.IntegerField(allow_null=True)
    sm_subtype = serializers.CharField()
    last_activity_at = serializers.DateTimeField(allow_null=True)
    days_since_last_injection = serializers.IntegerField(allow_null=True)
    adherence_30d = serializers.FloatField(
        allow_null=True, help_text="Share of the last 30 days' decided scheduled doses taken."
    )
    urgency_score = serializers.IntegerField()
    flags = FlagSerializer(many=True)


class ClinicalNoteSerializer(StrictModelSerializer):
    author = serializers.CharField(source="author_label", read_only=True)
    author_id = serializers.UUIDField(read_only=True, allow_null=True)

    class Meta:
        model = ClinicalNote
        fields = ("id", "visit_date", "text", "author", "author_id", "created_at", "updated_at")
        read_only_fields = ("id", "author", "author_id", "created_at", "updated_at")
