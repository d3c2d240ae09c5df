"""A patient's medications, their regimens, the dose log, and the reminder steps planned from
them. Schedules are expanded in `schedule.py`; what is sent when is `policy.py`."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.clinic.hooks import TriageQuerySet
from apps.core.models import PublicModel
from apps.sync.models import SyncedModel

from . import policy as policy_module
from .schedule import Anchor, Kind, Regimen, Unit, parse_time


class DrugClass(models.TextChoices):
    # The SM treatment ladder of the product brief.
    H1_ANTIHISTAMINE = "h1_antihistamine", "H1 antihistamine"
    H2_ANTIHISTAMINE = "h2_antihistamine", "H2 antihistamine"
    LEUKOTRIENE_MODIFIER = "leukotriene_modifier", "Leukotriene modifier"
    MAST_CELL_STABILISER = "mast_cell_stabiliser", "Mast cell stabiliser (oral cromolyn)"
    PROTON_PUMP_INHIBITOR = "ppi", "Proton pump inhibitor"
    GLUCOCORTICOID = "glucocorticoid", "Glucocorticoid"
    ASPIRIN = "aspirin", "Aspirin (for flushing, if NSAIDs are tolerated)"
    ANTI_IGE = "anti_ige", "Anti-IgE antibody"
    EPINEPHRINE = "epinephrine", "Epinephrine (adrenaline)"
    BONE = "bone", "Bone health"
    TYROSINE_KINASE_INHIBITOR = "tki", "Tyrosine kinase inhibitor"
    INTERFERON = "interferon", "Interferon-alfa"
    CYTOREDUCTIVE = "cytoreductive", "Cytoreductive chemotherapy"
    IMMUNOTHERAPY = "immunotherapy", "Venom immunotherapy"
    OTHER = "other", "Other"


class Route(models.TextChoices):
    ORAL = "oral", "By mouth"
    SUBCUTANEOUS = "subcutaneous", "Subcutaneous injection"
    INTRAMUSCULAR = "intramuscular", "Intramuscular injection"
    INTRAVENOUS = "intravenous", "Intravenous"
    TOPICAL = "topical", "On the skin"
    INHALED = "inhaled", "Inhaled"
    OTHER = "other", "Other"


INJECTED_ROUTES = {Route.SUBCUTANEOUS, Route.INTRAMUSCULAR}


class CatalogueDrug(models.Model):
    """One treatment from the ladder, offered when adding a medication (fixed ids: migration
    0002 loads them). A patient's medication may also be custom, with no catalogue entry."""

    id = models.UUIDField(primary_key=True, editable=False)
    name = models.CharField(max_length=120, unique=True)
    drug_class = models.CharField(max_length=32, choices=DrugClass.choices)
    usual_route = models.CharField(max_length=16, choices=Route.choices)
    note = models.CharField(max_length=240, blank=True)

    class Meta:
        ordering = ("drug_class", "name")

    def __str__(self) -> str:
        return self.name


class RegimenKind(models.TextChoices):
    DAILY = Kind.DAILY, "Every day at set times"
    WEEKDAYS = Kind.WEEKDAYS, "On set weekdays at set times"
    INTERVAL = Kind.INTERVAL, "Every N hours, days or weeks"
    AS_NEEDED = Kind.AS_NEEDED, "As needed"


class IntervalUnit(models.TextChoices):
    HOURS = Unit.HOURS
    DAYS = Unit.DAYS
    WEEKS = Unit.WEEKS


class IntervalAnchor(models.TextChoices):
    LAST_DOSE = Anchor.LAST_DOSE, "Counted from the last dose actually given"
    CALENDAR = Anchor.CALENDAR, "On fixed calendar dates from the start date"


class Medication(PublicModel):
    patient = models.ForeignKey(
        "careteam.Patient", on_delete=models.CASCADE, related_name="medications"
    )
    catalogue = models.ForeignKey(
        CatalogueDrug, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=120)
    drug_class = models.CharField(max_length=32, choices=DrugClass.choices, default=DrugClass.OTHER)
    route = models.CharField(max_length=16, choices=Route.choices, default=Route.ORAL)
    dose = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    dose_unit = models.CharField(max_length=24, blank=True)
    prescribed_by = models.CharField(max_length=120, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)

    regimen_kind = models.CharField(max_length=16, choices=RegimenKind.choices)
    times_of_day = models.JSONField(default=list, blank=True)  # ["08:00", "20:00"], local
    weekdays = models.JSONField(default=list, blank=True)  # [0, 3] = Monday and Thursday
    interval = models.PositiveIntegerField(null=True, blank=True)
    interval_unit = models.CharField(
        max_length=8, choices=IntervalUnit.choices, default=IntervalUnit.DAYS
    )
    interval_anchor = models.CharField(
        max_length=16, choices=IntervalAnchor.choices, default=IntervalAnchor.CALENDAR
    )
    # null: the default for the regimen (policy.LONG_INTERVAL_DEFAULT / SHORT_INTERVAL_DEFAULT).
    reminder_policy = models.JSONField(null=True, blank=True)

    # Kept by services.medication_replan; read by the clinician dashboard ("who is overdue")
    # and the schedule view. The earliest occurrence not yet taken or skipped.
    next_dose_due_at = models.DateTimeField(null=True, blank=True)
    # The zone the pending steps were planned in; a mismatch at fire time means replan.
    planned_time_zone = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("name", "id")
        indexes = [
            # The clinician dashboard lists overdue medications across patients.
            models.Index(
                fields=["next_dose_due_at"],
                name="medication_next_due",
                condition=Q(next_dose_due_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    @property
    def is_injection(self) -> bool:
        return self.route in INJECTED_ROUTES

    def regimen(self) -> Regimen:
        start = self.start_date
        if self.interval_anchor == Anchor.LAST_DOSE and self.created_at is not None:
            # Before any dose is logged the first one is due on the start date — but never
            # before the medication was added: a start date years ago must not make it overdue.
            start = max(start, self.created_at.astimezone(self.zone()).date())
        return Regimen(
            kind=self.regimen_kind,
            start_date=start,
            times=tuple(parse_time(t) for t in self.times_of_day or ()),
            weekdays=frozenset(self.weekdays or ()),
            interval=self.interval,
            unit=self.interval_unit,
            anchor=self.interval_anchor,
            end_date=self.end_date,
        )

    def policy(self) -> policy_module.Policy:
        if self.reminder_policy is not None:
            return policy_module.Policy(policy_module.steps_from_json(self.reminder_policy))
        return policy_module.Policy(default_policy_steps(self.regimen()))

    def zone(self) -> ZoneInfo:
        return self.patient.zone


def default_policy_steps(regimen: Regimen) -> tuple[policy_module.StepSpec, ...]:
    if not regimen.is_scheduled:
        return ()
    days = regimen.interval_days
    if days is not None and days >= policy_module.LONG_INTERVAL_FROM_DAYS:
        return policy_module.LONG_INTERVAL_DEFAULT
    return policy_module.SHORT_INTERVAL_DEFAULT


class DoseStatus(models.TextChoices):
    TAKEN = "taken"
    SKIPPED = "skipped"


class GivenBy(models.TextChoices):
    PATIENT = "patient", "The patient"
    CAREGIVER = "caregiver", "A caregiver"
    CLINIC = "clinic", "Clinic staff"


class Location(models.TextChoices):
    HOME = "home"
    CLINIC = "clinic"


class InjectionSite(models.TextChoices):
    # The rotation cycle, in order: the suggestion is the site after the last one used.
    ABDOMEN_LEFT = "abdomen_left", "Abdomen, left"
    ABDOMEN_RIGHT = "abdomen_right", "Abdomen, right"
    THIGH_LEFT = "thigh_left", "Thigh, left"
    THIGH_RIGHT = "thigh_right", "Thigh, right"
    UPPER_ARM_LEFT = "upper_arm_left", "Upper arm, left"
    UPPER_ARM_RIGHT = "upper_arm_right", "Upper arm, right"


SITE_ROTATION: tuple[str, ...] = tuple(InjectionSite.values)


def next_injection_site(last_site: str | None) -> str:
    if not last_site or last_site not in SITE_ROTATION:
        return SITE_ROTATION[0]
    return SITE_ROTATION[(SITE_ROTATION.index(last_site) + 1) % len(SITE_ROTATION)]


class DoseLog(SyncedModel):
    """A dose given or skipped. Logged offline like the diary (apps.sync)."""

    patient = models.ForeignKey("careteam.Patient", on_delete=models.CASCADE, related_name="+")
    medication = models.ForeignKey(Medication, on_delete=models.CASCADE, related_name="doses")
    status = models.CharField(max_length=8, choices=DoseStatus.choices, default=DoseStatus.TAKEN)
    skip_reason = models.CharField(max_length=240, blank=True)
    taken_at = models.DateTimeField()
    # The occurrence this dose answers (set by the server when the phone does not say).
    scheduled_for = models.DateTimeField(null=True, blank=True)
    given_by = models.CharField(max_length=10, choices=GivenBy.choices, default=GivenBy.PATIENT)
    location = models.CharField(max_length=8, choices=Location.choices, default=Location.HOME)
    injection_site = models.CharField(max_length=16, choices=InjectionSite.choices, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ("-taken_at", "id")
        indexes = [
            models.Index(fields=["medication", "taken_at"], name="dose_medication_taken"),
            models.Index(fields=["patient", "created_at"], name="dose_patient_created"),
        ]

    def __str__(self) -> str:
        return f"{self.medication_id} {self.status} {self.taken_at:%Y-%m-%d %H:%M}"


class StepStatus(models.TextChoices):
    PENDING = "pending"
    FIRED = "fired"
    CANCELLED = "cancelled"  # the dose was logged, or the plan changed
    SKIPPED_LATE = "skipped_late"  # a reminder a backlog would have sent too late


class ReminderStep(models.Model):
    """One planned reminder or escalation of one dose occurrence — the outbox of the alerting.

    A step's identity is (medication, cycle, name), never its time: `cycle` names the event in
    the patient's life the step is about — for a regimen counted from the last dose, the dose it
    follows (`after-<dose id>`, or `first` before any); otherwise the occurrence's local date and
    slot (`on-2025-06-01-0`). A zone move, a dose-time or regimen edit, a pause and resume move a
    pending step's `fire_at`; they never make a new step, so what already reached a person is
    not sent again. `due_at` is when the dose was really due: once that moment has passed, it
    stays, so texts name it even after the dose time is edited.

    Planned by services.medication_replan; claimed and fired by the one alert pipeline
    (apps.alerts.tasks.scan_due_alerts, beat, every minute; this kind's rules: alerts.py)
    through the partial index on `fire_at` of pending rows, so the scan costs what
    is due, not what is scheduled. The step's spec (audience, urgency, cut-off) is copied here
    when planned; recipients are resolved when it fires.
    """

    id = models.BigAutoField(primary_key=True)
    medication = models.ForeignKey(Medication, on_delete=models.CASCADE, related_name="steps")
    due_at = models.DateTimeField()  # when the dose was (really) due
    cycle = models.CharField(max_length=64)
    name = models.CharField(max_length=40)
    kind = models.CharField(max_length=16)
    fire_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=StepStatus.choices, default=StepStatus.PENDING)
    audience = models.JSONField(default=list)
    urgency = models.CharField(max_length=8, default="normal")
    late_cutoff_minutes = models.PositiveIntegerField(null=True, blank=True)
    flag_clinician = models.BooleanField(default=False)
    fired_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveSmallIntegerField(default=0)  # how many were notified

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["medication", "cycle", "name"], name="one_step_per_cycle_and_name"
            )
        ]
        indexes = [
            # Read by apps.alerts.tasks.scan_due_alerts every minute: pending steps now due.
            models.Index(
                fields=["fire_at"],
                name="reminder_step_pending_fire_at",
                condition=Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.medication_id} {self.cycle} {self.name} ({self.status})"

    @property
    def source_key(self) -> str:
        return source_key(self.medication_id, self.cycle)


def source_key(medication_id: Any, cycle: str) -> str:
    """Names one dose cycle for the notifications layer (cancel_for_source). Notifications sent
    before cycles existed name the due moment instead (`legacy_source_key`)."""
    return f"dose:{medication_id}:{cycle}"


def legacy_source_key(medication_id: Any, due_at: Any) -> str:
    from datetime import UTC

    return f"dose:{medication_id}:{due_at.astimezone(UTC).isoformat()}"


class MedicationAlertFlag(models.Model):
    """A flag on the clinician dashboard: this patient's dose is dangerously overdue.

    Raised by the urgent step (apps.medications.alerts), cleared when the dose is logged. The
    clinician dashboard lists open flags of its patients (`cleared_at IS NULL`).
    """

    id = models.BigAutoField(primary_key=True)
    patient = models.ForeignKey("careteam.Patient", on_delete=models.CASCADE, related_name="+")
    medication = models.ForeignKey(Medication, on_delete=models.CASCADE, related_name="alert_flags")
    due_at = models.DateTimeField()
    reason = models.CharField(max_length=40, default="overdue_dose")
    raised_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)
    objects = TriageQuerySet.as_manager()  # bulk writes refresh the stored triage

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["medication", "due_at"], name="one_flag_per_occurrence")
        ]
        indexes = [
            models.Index(
                fields=["patient", "raised_at"],
                name="open_medication_flags",
                condition=Q(cleared_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.patient_id} {self.medication_id} {self.reason}"


class CalendarFeed(PublicModel):
    """A secret iCalendar URL of one person's view of one patient's upcoming doses.

    Only the SHA-256 of the token is stored; the URL is shown once when created. Revoking it,
    or the person losing access to the patient, makes it answer 404.
    """

    patient = models.ForeignKey("careteam.Patient", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "user"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_calendar_feed_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"calendar {self.patient_id} for {self.user_id}"
