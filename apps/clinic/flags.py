"""The flags of the clinician's patient list: what each means, and how urgent it is.

Pure functions over facts apps.clinic.triage gathers (in a fixed number of queries, stored in
each patient's PatientTriage row when a write changes them) and reads back at the moment of the
request; tested in tests/clinic/test_patient_list.py and tests/clinic/test_triage.py.

| code                 | severity | raised when |
|----------------------|----------|-------------|
| `relapse_window`     | urgent   | (with who acknowledged its urgent alert, and when) an open MedicationAlertFlag (the urgent step of the medication's own reminder policy fired), or a long-interval injection whose next dose was due at least `RELAPSE_AFTER_DUE_DAYS` (10) local days ago — day 38 after the last dose of a 4-weekly injection, the policy's urgent step, 4 days before the relapse of the published case (apps/medications/policy.py) |
| `recent_anaphylaxis` | urgent   | an anaphylaxis episode with onset in the last 30 days |
| `overdue_injection`  | warning  | an injected medication on an interval regimen, not paused or ended, whose `next_dose_due_at` has passed |
| `pens_missing`       | warning  | fewer than 2 unexpired in-use pens on the patient's local day (apps.epinephrine's two-pen rule; an expired pen counts as missing) |
| `worsening_symptoms` | warning  | the mean daily peak severity (0–10, any domain; a day with a check-in but no symptom counts 0) of the last 14 local days is at least 1.5 points above that of the 28 days before, each with at least 4 / 7 days of data |
| `no_data`            | info     | no symptom entry, check-in, trigger exposure, anaphylaxis episode or dose for `no_data_days` (default 7) days, or never |

`urgency_score` = Σ over the flags of 100 (urgent), 10 (warning) or 1 (info); the list is
sorted by it, then by the days since the last injection (longest first), then by name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext, gettext_lazy, ngettext

from apps.medications.messages import since_last_dose
from apps.medications.policy import CASE_RELAPSE_DAY, LONG_INTERVAL_DEFAULT, StepKind
from apps.medications.schedule import day_after_dose, shift_local


class Severity:
    URGENT = "urgent"
    WARNING = "warning"
    INFO = "info"


SEVERITY_WEIGHT = {Severity.URGENT: 100, Severity.WARNING: 10, Severity.INFO: 1}

# The default long-interval policy's urgent step: 10 days after the due date (day 38 of 28).
RELAPSE_AFTER_DUE_DAYS = next(
    step.days for step in LONG_INTERVAL_DEFAULT if step.kind == StepKind.URGENT
)
ANAPHYLAXIS_DAYS = 30
WORSENING_RECENT_DAYS = 14
WORSENING_PREVIOUS_DAYS = 28
WORSENING_MIN_RISE = 1.5
WORSENING_MIN_RECENT_DAYS = 4
WORSENING_MIN_PREVIOUS_DAYS = 7
DEFAULT_NO_DATA_DAYS = 7

FLAGS: dict[str, tuple[Any, str]] = {
    "overdue_injection": (gettext_lazy("Overdue injection"), Severity.WARNING),
    "relapse_window": (gettext_lazy("In the relapse window"), Severity.URGENT),
    "recent_anaphylaxis": (gettext_lazy("Anaphylaxis in the last 30 days"), Severity.URGENT),
    "pens_missing": (gettext_lazy("Fewer than 2 usable epinephrine pens"), Severity.WARNING),
    "worsening_symptoms": (gettext_lazy("Worsening symptoms"), Severity.WARNING),
    "no_data": (gettext_lazy("No data logged recently"), Severity.INFO),
}


@dataclass
class InjectionFacts:
    medication_id: Any
    name: str
    next_dose_due_at: dt.datetime | None
    last_taken_at: dt.datetime | None
    long_interval: bool
    open_alert: bool
    # Who on the care team acknowledged the urgent alert of the open flag, and when.
    acknowledged_at: dt.datetime | None = None
    acknowledged_by: dict[str, Any] | None = None  # {"id", "name"}


@dataclass
class PatientFacts:
    """What the flags are computed from, for one patient (gathered by selectors)."""

    patient_id: Any
    today: dt.date  # the patient's local day
    # The patient's zone: every "N days" of a flag is local calendar days in it
    # (apps.medications.schedule.day_after_dose), as in the alerts.
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    injections: list[InjectionFacts] = field(default_factory=list)
    episodes_30d: int = 0
    last_episode_at: dt.datetime | None = None
    ready_pens: int = 0
    expired_pens: int = 0
    pens_needed: int = 2
    daily_peaks: dict[dt.date, int] = field(default_factory=dict)  # local day → peak (0 if none)
    last_activity_at: dt.datetime | None = None


@dataclass(frozen=True)
class Flag:
    code: str
    detail: str
    evidence_url: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return str(FLAGS[self.code][0])

    @property
    def severity(self) -> str:
        return FLAGS[self.code][1]

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "severity": self.severity,
            "detail": self.detail,
            "evidence_url": self.evidence_url,
            "acknowledged_at": self.data.get("acknowledged_at"),
            "acknowledged_by": self.data.get("acknowledged_by"),
        }


def local_days(earlier: dt.datetime, later: dt.datetime, zone: ZoneInfo) -> int:
    """Local calendar days from `earlier` to `later` in the patient's zone: the alerts' day
    count (apps.medications.schedule.day_after_dose), never below 0."""
    return max(day_after_dose(earlier, later, zone), 0)


def worsening(peaks: dict[dt.date, int], today: dt.date) -> tuple[float, float] | None:
    """(recent mean, previous mean) when the rise reaches WORSENING_MIN_RISE, else None."""
    recent_days = [today - dt.timedelta(days=i) for i in range(WORSENING_RECENT_DAYS)]
    previous_days = [
        today - dt.timedelta(days=WORSENING_RECENT_DAYS + i) for i in range(WORSENING_PREVIOUS_DAYS)
    ]
    recent = [peaks[d] for d in recent_days if d in peaks]
    previous = [peaks[d] for d in previous_days if d in peaks]
    if len(recent) < WORSENING_MIN_RECENT_DAYS or len(previous) < WORSENING_MIN_PREVIOUS_DAYS:
        return None
    recent_mean = sum(recent) / len(recent)
    previous_mean = sum(previous) / len(previous)
    if recent_mean - previous_mean >= WORSENING_MIN_RISE:
        return recent_mean, previous_mean
    return None


def compute_flags(
    facts: PatientFacts, *, now: dt.datetime, no_data_days: int, urls: Any
) -> list[Flag]:
    """The patient's flags, most severe first. `urls` builds evidence URLs (selectors.Evidence)."""
    flags: list[Flag] = []
    pid = facts.patient_id

    in_relapse = [
        inj
        for inj in facts.injections
        if inj.open_alert
        or (
            inj.long_interval
            and inj.next_dose_due_at is not None
            and now >= shift_local(inj.next_dose_due_at, facts.zone, days=RELAPSE_AFTER_DUE_DAYS)
        )
    ]
    if in_relapse:
        inj = max(in_relapse, key=lambda i: now - (i.last_taken_at or i.next_dose_due_at or now))
        since = local_days(inj.last_taken_at, now, facts.zone) if inj.last_taken_at else None
        detail = gettext(
            "%(medication)s: %(since)s (relapse seen on day %(day)d in the published case)"
        ) % {"medication": inj.name, "since": since_last_dose(since), "day": CASE_RELAPSE_DAY}
        flags.append(
            Flag(
                "relapse_window",
                detail,
                urls.doses(pid, inj.medication_id),
                {
                    "medication_id": inj.medication_id,
                    "days_since_last_dose": since,
                    "acknowledged_at": inj.acknowledged_at,
                    "acknowledged_by": inj.acknowledged_by,
                },
            )
        )

    if facts.episodes_30d:
        last = facts.last_episode_at
        flags.append(
            Flag(
                "recent_anaphylaxis",
                ngettext(
                    "%(count)d episode in the last %(days)d days",
                    "%(count)d episodes in the last %(days)d days",
                    facts.episodes_30d,
                )
                % {"count": facts.episodes_30d, "days": ANAPHYLAXIS_DAYS}
                + (
                    gettext(", the latest on %(date)s")
                    % {"date": date_format(last.astimezone(facts.zone).date(), "DATE_FORMAT")}
                    if last
                    else ""
                ),
                urls.episodes(pid, now - dt.timedelta(days=ANAPHYLAXIS_DAYS)),
                {"count": facts.episodes_30d},
            )
        )

    overdue = [
        inj
        for inj in facts.injections
        if inj.next_dose_due_at is not None and inj.next_dose_due_at < now
    ]
    if overdue:
        inj = min(overdue, key=lambda i: i.next_dose_due_at or now)
        days_overdue = local_days(inj.next_dose_due_at or now, now, facts.zone)
        since = local_days(inj.last_taken_at, now, facts.zone) if inj.last_taken_at else None
        detail = ngettext(
            "%(medication)s: %(overdue)d day overdue, %(since)s",
            "%(medication)s: %(overdue)d days overdue, %(since)s",
            days_overdue,
        ) % {"medication": inj.name, "overdue": days_overdue, "since": since_last_dose(since)}
        flags.append(
            Flag(
                "overdue_injection",
                detail,
                urls.doses(pid, inj.medication_id),
                {"days_overdue": days_overdue, "days_since_last_dose": since},
            )
        )

    if facts.ready_pens < facts.pens_needed:
        detail = gettext("%(ready)d of %(needed)d pens ready") % {
            "ready": facts.ready_pens,
            "needed": facts.pens_needed,
        }
        if facts.expired_pens:
            detail += gettext(", %(count)d expired") % {"count": facts.expired_pens}
        flags.append(Flag("pens_missing", detail, urls.pens(pid)))

    rise = worsening(facts.daily_peaks, facts.today)
    if rise is not None:
        recent_mean, previous_mean = rise
        flags.append(
            Flag(
                "worsening_symptoms",
                gettext(
                    "mean daily peak severity %(recent)s in the last %(recent_days)d days against "
                    "%(previous)s in the %(previous_days)d days before"
                )
                % {
                    "recent": number_format(recent_mean, 1),
                    "recent_days": WORSENING_RECENT_DAYS,
                    "previous": number_format(previous_mean, 1),
                    "previous_days": WORSENING_PREVIOUS_DAYS,
                },
                urls.insights(
                    pid,
                    facts.today
                    - dt.timedelta(days=WORSENING_RECENT_DAYS + WORSENING_PREVIOUS_DAYS - 1),
                ),
            )
        )

    last = facts.last_activity_at
    if last is None or now - last >= dt.timedelta(days=no_data_days):
        flags.append(
            Flag(
                "no_data",
                gettext("nothing logged yet")
                if last is None
                else ngettext(
                    "nothing logged for %(days)d day",
                    "nothing logged for %(days)d days",
                    local_days(last, now, facts.zone),
                )
                % {"days": local_days(last, now, facts.zone)},
                urls.timeline(pid, now - dt.timedelta(days=no_data_days)),
            )
        )

    flags.sort(key=lambda f: -SEVERITY_WEIGHT[f.severity])
    return flags


def urgency_score(flags: list[Flag]) -> int:
    return sum(SEVERITY_WEIGHT[flag.severity] for flag in flags)
