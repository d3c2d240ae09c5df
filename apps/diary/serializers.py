"""What the diary's endpoints accept and answer. Every record is a synced one (apps.sync.api):
clients may send their own `id` on create, and must send `version` (or If-Match) to change one."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from decimal import Decimal
from typing import Any, cast

from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.careteam.models import Patient
from apps.core.validators import PAST_EVENT
from apps.glossary.serializers import TermNameField
from apps.sync.api import SyncedModelSerializer

from .models import (
    AnaphylaxisEpisode,
    BodyArea,
    DailyCheckIn,
    LabAnalyte,
    LabResult,
    Symptom,
    SymptomDomain,
    SymptomEntry,
    Trigger,
    TriggerCategory,
    TriggerExposure,
)
from .rules import ANAPHYLAXIS_FINDINGS, AnaphylaxisGrade, organ_systems

# A phone's clock may run a little fast; anything later than this is a mistake, not drift.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
NOTE_MAX = 2000


def context_patient(serializer: serializers.Field | serializers.BaseSerializer) -> Patient:
    patient = serializer.context.get("patient")
    if patient is None:
        raise RuntimeError("diary serializers need the patient in their context")
    return patient


def not_in_future(value: dt.datetime) -> None:
    if value > timezone.now() + FUTURE_TOLERANCE:
        raise serializers.ValidationError(
            gettext("This time is in the future. Check the phone's clock.")
        )


def patient_today(patient: Patient) -> dt.date:
    """The patient's local date, allowing the same clock drift as times do."""
    zone = zoneinfo.ZoneInfo(patient.time_zone)
    return (timezone.now() + FUTURE_TOLERANCE).astimezone(zone).date()


@extend_schema_field(OpenApiTypes.STR)
class CatalogueCodeField(serializers.RelatedField):
    """A catalogue entry named by its code: one of the shared catalogue's, or one of this
    patient's own (`custom.…`). Another patient's own entries do not exist here."""

    default_error_messages = {
        "unknown": gettext_lazy("'{code}' is not in the catalogue."),
        "incorrect_type": gettext_lazy("A catalogue code, e.g. 'skin.flushing'."),
    }

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str) or not data:
            self.fail("incorrect_type")
        patient = context_patient(self)
        queryset = self.get_queryset()
        if queryset is None:
            raise RuntimeError("a catalogue code field needs a queryset")
        entry = queryset.filter(
            Q(patient__isnull=True) | Q(patient=patient), code=data, deleted_at__isnull=True
        ).first()
        if entry is None:
            self.fail("unknown", code=data[:64])
        return entry

    def to_representation(self, value: Any) -> str:
        return value.code


# --- catalogues -----------------------------------------------------------------------------------

CUSTOM_CODE = re.compile(r"^custom\.[a-z0-9][a-z0-9_.-]{0,56}$")


class _CatalogueSerializer(SyncedModelSerializer):
    code = serializers.CharField(
        required=False,
        max_length=64,
        help_text=(
            "Stable code. Shared entries look like `skin.flushing`; your own start with `custom.` "
            "(made from the name if you leave it out)."
        ),
    )
    name = TermNameField(
        max_length=120,
        help_text=(
            "In the request's language (Accept-Language) for a shared entry, the patient's word "
            "(docs/glossary.md); your own entries keep the name you gave them."
        ),
    )
    clinical_name = TermNameField(
        clinical=True, help_text="The clinician's word for the same entry, for the clinic."
    )
    is_custom = serializers.BooleanField(read_only=True)

    def validate_code(self, value: str) -> str:
        if not CUSTOM_CODE.match(value):
            raise serializers.ValidationError(
                gettext(
                    "Your own entries have codes like 'custom.cat_hair' (lower case, digits, _ . -)."
                )
            )
        if self.instance is not None and value != self.instance.code:
            raise serializers.ValidationError(gettext("The code of an entry cannot change."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None:
            if "code" not in attrs:
                slug = slugify(attrs.get("name", "")).replace("-", "_")[:56] or "entry"
                attrs["code"] = f"custom.{slug}"
            model: Any = self.Meta.model
            taken = model.objects.filter(
                patient=context_patient(self), code=attrs["code"], deleted_at__isnull=True
            )
            if taken.exists():
                raise serializers.ValidationError(
                    {
                        "code": [
                            gettext("You already have an entry with the code '%(code)s'.")
                            % {"code": attrs["code"]}
                        ]
                    }
                )
        return attrs


class SymptomCatalogueSerializer(_CatalogueSerializer):
    domain = serializers.ChoiceField(choices=SymptomDomain.choices)

    class Meta:
        model = Symptom
        fields = (
            *SyncedModelSerializer.SYNC_FIELDS,
            "code",
            "name",
            "clinical_name",
            "domain",
            "is_custom",
        )
        validators: list[Any] = []  # uniqueness among live entries is checked in validate()


class TriggerCatalogueSerializer(_CatalogueSerializer):
    category = serializers.ChoiceField(choices=TriggerCategory.choices)

    class Meta:
        model = Trigger
        fields = (
            *SyncedModelSerializer.SYNC_FIELDS,
            "code",
            "name",
            "clinical_name",
            "category",
            "is_custom",
        )
        validators: list[Any] = []


# --- diary records --------------------------------------------------------------------------------


class SymptomEntrySerializer(SyncedModelSerializer):
    occurred_at = serializers.DateTimeField(validators=[not_in_future, PAST_EVENT])
    symptom = CatalogueCodeField(queryset=Symptom.objects.all())
    symptom_name = serializers.CharField(source="symptom.name", read_only=True)
    domain = serializers.CharField(source="symptom.domain", read_only=True)
    severity = serializers.IntegerField(min_value=0, max_value=10, help_text="0 none – 10 worst.")
    duration_minutes = serializers.IntegerField(
        min_value=0, max_value=60 * 24 * 14, required=False, allow_null=True
    )
    body_areas = serializers.ListField(
        child=serializers.ChoiceField(choices=BodyArea.choices), required=False, max_length=12
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX)

    class Meta:
        model = SymptomEntry
        fields = (
            *SyncedModelSerializer.SYNC_FIELDS,
            "occurred_at",
            "symptom",
            "symptom_name",
            "domain",
            "severity",
            "duration_minutes",
            "body_areas",
            "note",
        )

    def validate_body_areas(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class DailyCheckInSerializer(SyncedModelSerializer):
    local_date = serializers.DateField(
        help_text="The day this check-in is about, in the patient's time zone.",
        validators=[PAST_EVENT],
    )
    overall_severity = serializers.IntegerField(min_value=0, max_value=10)
    quality_of_life = serializers.IntegerField(
        min_value=0, max_value=100, help_text="Quality of life on a visual analogue scale, 0–100."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX)

    class Meta:
        model = DailyCheckIn
        fields = (
            *SyncedModelSerializer.SYNC_FIELDS,
            "local_date",
            "overall_severity",
            "quality_of_life",
            "note",
        )
        validators: list[Any] = []  # one per day: a second create updates (services)

    def validate_local_date(self, value: dt.date) -> dt.date:
        patient = context_patient(self)
        if value > patient_today(patient):
            raise serializers.ValidationError(
                gettext("This day has not started yet for the patient.")
            )
        if self.instance is not None and value != self.instance.local_date:
            clash = DailyCheckIn.objects.filter(
                patient=patient, local_date=value, deleted_at__isnull=True
            ).exclude(pk=self.instance.pk)
            if clash.exists():
                raise serializers.ValidationError(
                    gettext("There is already a check-in for this day.")
                )
        return value


class TriggerExposureSerializer(SyncedModelSerializer):
    occurred_at = serializers.DateTimeField(validators=[not_in_future, PAST_EVENT])
    trigger = CatalogueCodeField(queryset=Trigger.objects.all())
    trigger_name = serializers.CharField(source="trigger.name", read_only=True)
    category = serializers.CharField(source="trigger.category", read_only=True)
    detail = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="e.g. which food or drug."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX)

    class Meta:
        model = TriggerExposure
        fields = (
            *SyncedModelSerializer.SYNC_FIELDS,
            "occurred_at",
            "trigger",
            "trigger_name",
            "category",
            "detail",
            "note",
        )


class ExposureIdsField(serializers.ListField):
    """Ids in, ids out: read from the prefetch cache (selectors.anaphylaxis_episodes); an
    exposure deleted since drops out."""

    def to_representation(self, data: Any) -> list[str]:
        return [str(e.pk) for e in data.all() if e.deleted_at is None]


def _pen_uses(episode: AnaphylaxisEpisode) -> list[Any]:
    """The pens used for the episode (prefetched by the episode list: `pen_uses`, the reverse
    relation apps.epinephrine's PenUse declares)."""
    return list(cast(Any, episode).pen_uses.all())


class AnaphylaxisEpisodeSerializer(SyncedModelSerializer):
    onset_at = serializers.DateTimeField(validators=[not_in_future, PAST_EVENT])
    findings = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(ANAPHYLAXIS_FINDINGS)),
        required=False,
        max_length=len(ANAPHYLAXIS_FINDINGS),
        help_text="What was observed, e.g. `skin.urticaria`, `resp.wheeze`, `cv.hypotension`.",
    )
    organ_systems = serializers.SerializerMethodField()
    grade = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=(
            "Derived from the findings by Brown's severity grading (J Allergy Clin Immunol "
            "2004;114:371): 1 mild (skin only), 2 moderate (respiratory, cardiovascular or "
            "gastrointestinal features), 3 severe (hypoxia, hypotension or neurological "
            "compromise). Null without findings."
        ),
    )
    grade_label = serializers.SerializerMethodField()
    epinephrine_doses = serializers.IntegerField(min_value=0, max_value=10, required=False)
    emergency_visit = serializers.BooleanField(required=False)
    hospital_admission = serializers.BooleanField(required=False)
    suspected_exposures = ExposureIdsField(
        child=serializers.UUIDField(),
        required=False,
        max_length=50,
        help_text="Ids of this patient's trigger exposures suspected of causing the episode.",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX)
    pen_ids = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        write_only=True,
        max_length=10,
        help_text=(
            "When logging the episode: the patient's auto-injectors (pens in use) that gave its "
            "epinephrine doses. They are marked used, no longer count as ready, and the owners "
            "are reminded to replace them. At most `epinephrine_doses` pens."
        ),
    )
    pens_used = serializers.SerializerMethodField(
        help_text="Ids of the pens marked used for this episode's doses."
    )
    unmarked_epinephrine_doses = serializers.SerializerMethodField(
        help_text="Epinephrine doses given with no pen marked yet: ask which pen it was "
        "(POST …/pens/{id}/use/ with `episode_id` marks it, without counting the dose again)."
    )

    class Meta:
        model = AnaphylaxisEpisode
        fields = (
            *SyncedModelSerializer.SYNC_FIELDS,
            "onset_at",
            "findings",
            "organ_systems",
            "grade",
            "grade_label",
            "epinephrine_doses",
            "emergency_visit",
            "hospital_admission",
            "suspected_exposures",
            "note",
            "pen_ids",
            "pens_used",
            "unmarked_epinephrine_doses",
        )

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_pens_used(self, obj: AnaphylaxisEpisode) -> list[str]:
        return [str(use.pen_id) for use in _pen_uses(obj)]

    def get_unmarked_epinephrine_doses(self, obj: AnaphylaxisEpisode) -> int:
        return max(obj.epinephrine_doses - len(_pen_uses(obj)), 0)

    def get_organ_systems(self, obj: AnaphylaxisEpisode) -> list[str]:
        return organ_systems(obj.findings)

    def get_grade_label(self, obj: AnaphylaxisEpisode) -> str | None:
        return AnaphylaxisGrade(obj.grade).name.lower() if obj.grade else None

    def validate_findings(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "pen_ids" in attrs:
            attrs["pen_ids"] = self._pens(attrs)
        ids = attrs.get("suspected_exposures")
        if ids is None:
            return attrs
        onset = attrs.get("onset_at") or getattr(self.instance, "onset_at", None)
        found = {
            e.pk: e
            for e in TriggerExposure.objects.filter(
                patient=context_patient(self), pk__in=ids, deleted_at__isnull=True
            )
        }
        errors = []
        for pk in ids:
            exposure = found.get(pk)
            if exposure is None:
                errors.append(f"{pk}: no such trigger exposure for this patient.")
            elif onset is not None and exposure.occurred_at > onset:
                errors.append(f"{pk}: this exposure came after the onset.")
        if errors:
            raise serializers.ValidationError({"suspected_exposures": errors})
        attrs["suspected_exposures"] = list({pk: found[pk] for pk in ids}.values())
        return attrs

    def _pens(self, attrs: dict[str, Any]) -> list[Any]:
        """The pens named by `pen_ids`, checked: this patient's, in use, no more than doses."""
        from apps.epinephrine.services import usable_pens

        ids = attrs["pen_ids"]
        if self.instance is not None:
            raise serializers.ValidationError(
                {
                    "pen_ids": [
                        gettext("Mark a pen of an episode already logged with the pen's use.")
                    ]
                }
            )
        pens, errors = usable_pens(context_patient(self), ids)
        doses = attrs.get("epinephrine_doses", 0)
        if not errors and len(pens) > doses:
            errors.append(
                gettext("More pens than epinephrine doses given (%(doses)d).") % {"doses": doses}
            )
        if errors:
            raise serializers.ValidationError({"pen_ids": errors})
        return pens


# Upper bounds catch a misplaced decimal point, not disease: tryptase in advanced SM can run to
# the hundreds, IgE on omalizumab to the thousands.
_LAB_MAX = {
    LabAnalyte.TRYPTASE: Decimal("10000"),
    LabAnalyte.KIT_D816V: Decimal("100"),
    LabAnalyte.TOTAL_IGE: Decimal("1000000"),
}


class LabResultSerializer(SyncedModelSerializer):
    analyte = serializers.ChoiceField(choices=LabAnalyte.choices)
    value = serializers.DecimalField(
        max_digits=10,
        decimal_places=3,
        min_value=Decimal("0"),
        help_text="Tryptase in ng/mL, KIT D816V allele burden in %, total IgE in IU/mL.",
    )
    unit = serializers.CharField(read_only=True)
    sampled_at = serializers.DateTimeField(validators=[not_in_future, PAST_EVENT])
    episode = serializers.UUIDField(
        source="episode_id",
        required=False,
        allow_null=True,
        help_text="The anaphylaxis episode this sample was drawn during, if any.",
    )
    is_baseline = serializers.BooleanField(
        required=False, help_text="A tryptase drawn away from any reaction, to compare with."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX)
    baseline_result = serializers.UUIDField(
        source="baseline_result_id", read_only=True, allow_null=True
    )
    baseline_value = serializers.DecimalField(
        max_digits=10, decimal_places=3, read_only=True, allow_null=True
    )
    activation_threshold = serializers.DecimalField(
        max_digits=12, decimal_places=4, read_only=True, allow_null=True
    )
    activation = serializers.CharField(
        read_only=True,
        help_text=(
            "For a tryptase drawn during an episode: `elevated` when above 1.2 × baseline + 2 "
            "ng/mL (the 20 % + 2 rule), `not_elevated`, or `no_baseline`. Empty otherwise."
        ),
    )

    class Meta:
        model = LabResult
        fields = (
            *SyncedModelSerializer.SYNC_FIELDS,
            "analyte",
            "value",
            "unit",
            "sampled_at",
            "episode",
            "is_baseline",
            "note",
            "baseline_result",
            "baseline_value",
            "activation_threshold",
            "activation",
        )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        def current(name: str, default: Any = None) -> Any:
            return attrs.get(name, getattr(self.instance, name, default))

        analyte = LabAnalyte(current("analyte"))
        value = current("value")
        if value is not None and value > _LAB_MAX[analyte]:
            raise serializers.ValidationError(
                {
                    "value": [
                        gettext("At most %(value)s %(unit)s.")
                        % {"value": _LAB_MAX[analyte], "unit": LabResult(analyte=analyte).unit}
                    ]
                }
            )
        if "episode_id" in attrs and attrs["episode_id"] is not None:
            exists = AnaphylaxisEpisode.objects.filter(
                pk=attrs["episode_id"], patient=context_patient(self), deleted_at__isnull=True
            ).exists()
            if not exists:
                raise serializers.ValidationError(
                    {"episode": [gettext("No such anaphylaxis episode for this patient.")]}
                )
        if current("is_baseline", False):
            if analyte != LabAnalyte.TRYPTASE:
                raise serializers.ValidationError(
                    {"is_baseline": [gettext("Only a tryptase is used as a baseline.")]}
                )
            if current("episode_id") is not None:
                raise serializers.ValidationError(
                    {"is_baseline": [gettext("A baseline is drawn away from any episode.")]}
                )
        return attrs
