"""What a patient logs between visits: symptoms, daily check-ins, trigger exposures, anaphylaxis
episodes and lab results, and the catalogues of symptoms and triggers they are named from.

Every record here is a `SyncedModel`: phones create them offline with their own UUIDs and sync
later (apps.sync). Times are stored in UTC; "local day" always means the patient's time zone.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import Q

from apps.sync.models import SyncedModel

from .rules import AnaphylaxisGrade, TryptaseActivation

_Record = TypeVar("_Record", bound=models.Model, covariant=True)


class DiaryRecordQuerySet(models.QuerySet[_Record, _Record]):
    """The queryset of a record that insights summarise by day (apps.diary.days): its bulk
    writes send no model signals, so they refresh the days they touch themselves — before and
    after, in the same transaction (the bench builds years of diary this way)."""

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[_Record]:
        from . import days

        with transaction.atomic():
            created = super().bulk_create(objs, *args, **kwargs)
            days.records_changed(days.placed(self.model, created))
        return created

    def bulk_update(self, objs: Any, fields: Any, *args: Any, **kwargs: Any) -> int:
        from . import days

        objs = list(objs)
        with transaction.atomic():
            before = days.placed_in_database(self.model, [obj.pk for obj in objs])
            count = super().bulk_update(objs, fields, *args, **kwargs)
            days.records_changed([*before, *days.placed(self.model, objs)])
        return count

    def update(self, **kwargs: Any) -> int:
        from . import days

        with transaction.atomic():
            pks = list(self.values_list("pk", flat=True))
            before = days.placed_in_database(self.model, pks)
            count = super().update(**kwargs)
            days.records_changed([*before, *days.placed_in_database(self.model, pks)])
        return count


class SymptomDomain(models.TextChoices):
    # The organ domains the omalizumab cohort reported response by (seeds/002).
    SKIN = "skin", "Skin"
    GASTROINTESTINAL = "gastrointestinal", "Gastrointestinal"
    CARDIOVASCULAR = "cardiovascular", "Cardiovascular"
    RESPIRATORY = "respiratory", "Respiratory"
    MUSCULOSKELETAL = "musculoskeletal", "Musculoskeletal"
    NEUROPSYCHOLOGICAL = "neuropsychological", "Neuro-psychological"
    CONSTITUTIONAL = "constitutional", "Constitutional"


class TriggerCategory(models.TextChoices):
    FOOD = "food", "Food"
    DRINK = "drink", "Drink and alcohol"
    TEMPERATURE = "temperature", "Heat, cold and temperature change"
    PHYSICAL = "physical", "Friction, pressure and exercise"
    EMOTIONAL = "emotional", "Emotional stress"
    INFECTION = "infection", "Infection"
    INSECT_STING = "insect_sting", "Insect sting"
    MEDICATION = "medication", "Medication"
    PROCEDURE = "procedure", "Procedure, anaesthesia, contrast"
    ENVIRONMENT = "environment", "Environment and fragrance"


class BodyArea(models.TextChoices):
    HEAD = "head", "Head"
    FACE = "face", "Face"
    NECK = "neck", "Neck"
    CHEST = "chest", "Chest"
    BACK = "back", "Back"
    ABDOMEN = "abdomen", "Abdomen"
    ARMS = "arms", "Arms"
    HANDS = "hands", "Hands"
    LEGS = "legs", "Legs"
    FEET = "feet", "Feet"
    GROIN = "groin", "Groin"
    WHOLE_BODY = "whole_body", "Whole body"


class LabAnalyte(models.TextChoices):
    TRYPTASE = "tryptase", "Serum tryptase"
    KIT_D816V = "kit_d816v", "KIT D816V allele burden"
    TOTAL_IGE = "total_ige", "Total IgE"


# The one unit each analyte is recorded in; a result in another unit is converted before entry.
LAB_UNITS = {
    LabAnalyte.TRYPTASE: "ng/mL",
    LabAnalyte.KIT_D816V: "%",
    LabAnalyte.TOTAL_IGE: "IU/mL",
}


class CatalogueEntry(SyncedModel):
    """A row of a catalogue. `patient` is null for the shared catalogue (loaded by a data
    migration, codes like `skin.flushing`, never changed through the API); a patient's own
    additions have a patient and a code starting `custom.`, private to that patient."""

    patient = models.ForeignKey(
        "careteam.Patient", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=120)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.code

    @property
    def is_custom(self) -> bool:
        return self.patient_id is not None


class Symptom(CatalogueEntry):
    domain = models.CharField(max_length=24, choices=SymptomDomain.choices)

    class Meta:
        ordering = ("domain", "name")
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(patient__isnull=True), name="symptom_shared_code"
            ),
            models.UniqueConstraint(
                fields=["patient", "code"],
                condition=Q(deleted_at__isnull=True),
                name="symptom_custom_code_per_patient",
            ),
        ]


class Trigger(CatalogueEntry):
    category = models.CharField(max_length=16, choices=TriggerCategory.choices)

    class Meta:
        ordering = ("category", "name")
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(patient__isnull=True), name="trigger_shared_code"
            ),
            models.UniqueConstraint(
                fields=["patient", "code"],
                condition=Q(deleted_at__isnull=True),
                name="trigger_custom_code_per_patient",
            ),
        ]


class SymptomEntry(SyncedModel):
    patient = models.ForeignKey("careteam.Patient", on_delete=models.CASCADE, related_name="+")
    objects = DiaryRecordQuerySet.as_manager()
    occurred_at = models.DateTimeField()
    symptom = models.ForeignKey(Symptom, on_delete=models.PROTECT, related_name="+")
    severity = models.PositiveSmallIntegerField()  # 0 (none) – 10 (worst imaginable)
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    body_areas = models.JSONField(default=list, blank=True)  # BodyArea values
    note = models.TextField(blank=True, max_length=2000)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__lte=10), name="symptom_entry_severity_0_10"
            ),
        ]
        indexes = [
            # Lists, the timeline and insights all read one patient's entries by time.
            models.Index(fields=["patient", "occurred_at"], name="symptom_entry_patient_time"),
        ]

    def __str__(self) -> str:
        return f"{self.symptom_id} {self.severity}/10 at {self.occurred_at:%Y-%m-%d %H:%M}"


class DailyCheckIn(SyncedModel):
    """How the whole day went, once per local day: a different second check-in for the same day
    is refused with the stored one, never merged into it (apps.diary.services.check_in_create)."""

    patient = models.ForeignKey("careteam.Patient", on_delete=models.CASCADE, related_name="+")
    objects = DiaryRecordQuerySet.as_manager()
    local_date = models.DateField()  # in the patient's time zone
    overall_severity = models.PositiveSmallIntegerField()  # 0–10
    quality_of_life = models.PositiveSmallIntegerField()  # visual analogue scale, 0–100
    note = models.TextField(blank=True, max_length=2000)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "local_date"],
                condition=Q(deleted_at__isnull=True),
                name="one_check_in_per_patient_day",
            ),
            models.CheckConstraint(
                condition=Q(overall_severity__lte=10), name="check_in_severity_0_10"
            ),
            models.CheckConstraint(
                condition=Q(quality_of_life__lte=100), name="check_in_vas_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.local_date}: {self.overall_severity}/10, QoL {self.quality_of_life}"


class TriggerExposure(SyncedModel):
    patient = models.ForeignKey("careteam.Patient", on_delete=models.CASCADE, related_name="+")
    objects = DiaryRecordQuerySet.as_manager()
    occurred_at = models.DateTimeField()
    trigger = models.ForeignKey(Trigger, on_delete=models.PROTECT, related_name="+")
    detail = models.CharField(max_length=200, blank=True)  # e.g. which food, which drug
    note = models.TextField(blank=True, max_length=2000)

    class Meta:
        indexes = [
            models.Index(fields=["patient", "occurred_at"], name="exposure_patient_time"),
        ]

    def __str__(self) -> str:
        return f"{self.trigger_id} at {self.occurred_at:%Y-%m-%d %H:%M}"


class AnaphylaxisEpisode(SyncedModel):
    patient = models.ForeignKey("careteam.Patient", on_delete=models.CASCADE, related_name="+")
    objects = DiaryRecordQuerySet.as_manager()
    onset_at = models.DateTimeField()
    # Finding codes from apps.diary.rules.ANAPHYLAXIS_FINDINGS.
    findings = models.JSONField(default=list, blank=True)
    # Derived from `findings` by Brown (2004) on every write; never sent by a client.
    grade = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=[(g.value, g.name.lower()) for g in AnaphylaxisGrade]
    )
    epinephrine_doses = models.PositiveSmallIntegerField(default=0)
    emergency_visit = models.BooleanField(default=False)
    hospital_admission = models.BooleanField(default=False)
    suspected_exposures = models.ManyToManyField(TriggerExposure, blank=True, related_name="+")
    note = models.TextField(blank=True, max_length=2000)

    class Meta:
        indexes = [
            models.Index(fields=["patient", "onset_at"], name="episode_patient_time"),
        ]

    def __str__(self) -> str:
        return f"anaphylaxis at {self.onset_at:%Y-%m-%d %H:%M} (grade {self.grade})"


class LabResult(SyncedModel):
    patient = models.ForeignKey("careteam.Patient", on_delete=models.CASCADE, related_name="+")
    analyte = models.CharField(max_length=16, choices=LabAnalyte.choices)
    value = models.DecimalField(max_digits=10, decimal_places=3)  # in LAB_UNITS[analyte]
    sampled_at = models.DateTimeField()
    # A tryptase drawn during an episode is compared with the baseline (rules.tryptase_activation).
    episode = models.ForeignKey(
        AnaphylaxisEpisode, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Marked by a clinician as the patient's baseline tryptase; preferred over other candidates.
    is_baseline = models.BooleanField(default=False)
    note = models.TextField(blank=True, max_length=2000)
    # The comparison, stored with the result and kept current by services.lab_reevaluate_acute
    # whenever a tryptase of the patient is added, changed or deleted.
    baseline_result = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    baseline_value = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    activation_threshold = models.DecimalField(
        max_digits=12, decimal_places=4, null=True, blank=True
    )
    activation = models.CharField(
        max_length=16, blank=True, choices=[(a.value, a.value) for a in TryptaseActivation]
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["patient", "analyte", "sampled_at"], name="lab_patient_analyte_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.analyte} {self.value} at {self.sampled_at:%Y-%m-%d}"

    @property
    def unit(self) -> str:
        return LAB_UNITS[LabAnalyte(self.analyte)]


class DiaryDay(models.Model):
    """One local day of a patient's diary as insights read it (apps.diary.selectors
    .patient_insights), so that a span of years reads one row a day, not every record.

    Derived, never written by hand: apps.diary.days.compute is the one rule of what a row holds,
    applied to the days a write touches (apps.diary.signals, in the write's transaction) and to
    every day once a day by apps.diary.tasks.reconcile_diary_days, which logs any drift. A day
    with no symptom, check-in, exposure or episode has no row.

    Moments are kept as whole microseconds since the Unix epoch (exact, and far cheaper to read
    back than a datetime per record)."""

    patient = models.ForeignKey("careteam.Patient", on_delete=models.CASCADE, related_name="+")
    local_date = models.DateField()  # in the patient's time zone
    checked_in = models.BooleanField(default=False)
    # {domain: the day's highest severity in it} for every domain with an entry that day.
    peaks = models.JSONField(default=dict)
    # {severity: [moment]} of the day's entries of severity ≥ 1: its flares at any threshold
    # (the lowest a patient can ask for is 1), kept apart by severity so that a threshold takes
    # whole lists. JSON keys are text: "7".
    severities = models.JSONField(default=dict)
    episode_onsets = models.JSONField(default=list)  # [moment] of the day's episodes
    exposures = models.JSONField(default=list)  # [[moment, trigger id]] by moment

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "local_date"], name="one_diary_day"),
        ]

    def __str__(self) -> str:
        return f"{self.patient_id} {self.local_date}"
