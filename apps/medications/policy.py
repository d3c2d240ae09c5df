"""Reminder and escalation policies: what is sent, when, and to whom, around one dose.

A policy is a list of steps. Each step fires a number of *local calendar days* after the dose's
due date, at the dose's local due time, plus an optional number of minutes; "days" never means
24 hours, so a DST change or a move to another time zone keeps a step at the same wall-clock
time. A step names its audience by role — `owner` ("the patient": the adult patient, or the
parents of a child, who owns the record), `caregiver`, `clinician` — resolved when the step
fires, so someone whose access was revoked in between never hears about the patient again.

**The default for a long-interval injection comes from the case that drives the alerting**
(Bossi et al., Ital J Pediatr 2023, doi:10.1186/s13052-022-01402-7): a child well controlled on
omalizumab every 4 weeks missed one dose and became symptomatic and steroid-dependent again
**6 weeks (day 42) after the last injection**. So, counted in local days after the last dose
actually given (due on day 28):

| step          | day | after due | who                                  | urgency |
|---------------|-----|-----------|--------------------------------------|---------|
| heads_up      | 26  | -2 days   | owners                               | normal  |
| due           | 28  | 0         | owners                               | normal  |
| overdue       | 31  | +3 (grace)| owners                               | high    |
| caregivers    | 35  | +7        | owners and caregivers                | high    |
| urgent        | 38  | +10       | everyone, and a clinician dash flag  | urgent  |
| relapse_watch | 31…49 | +3…+21, daily | owners (symptom check-in prompt) | normal |

Day 38 is 4 days before the documented relapse window, which leaves time to get an
appointment. Heads-up, due-day and relapse-watch prompts are dropped if a backlog (an outage)
would send them more than 12 hours late; overdue, caregiver and urgent escalations are sent
however late. Daily and every-few-hours medicines get a simpler default: a reminder at the
time, and a "missed" notice after a 2-hour window. Every step is configurable per medication.
See docs/alerts.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

# The numbers of the default policies live in apps/alerts/defaults.py, with their source.
from apps.alerts.defaults import CASE_RELAPSE_DAY as CASE_RELAPSE_DAY
from apps.alerts.defaults import LONG_INTERVAL_FROM_DAYS as LONG_INTERVAL_FROM_DAYS
from apps.alerts.defaults import LONG_INTERVAL_STEPS, SHORT_INTERVAL_STEPS
from apps.alerts.defaults import MAX_REPEAT_DAYS as MAX_REPEAT_DAYS
from apps.alerts.defaults import REMINDER_LATE_CUTOFF_MINUTES as REMINDER_LATE_CUTOFF_MINUTES
from apps.alerts.defaults import (
    SHORT_REMINDER_LATE_CUTOFF_MINUTES as SHORT_REMINDER_LATE_CUTOFF_MINUTES,
)


class StepKind:
    HEADS_UP = "heads_up"
    REMINDER = "reminder"
    MISSED = "missed"
    OVERDUE = "overdue"
    ESCALATION = "escalation"
    URGENT = "urgent"
    RELAPSE_WATCH = "relapse_watch"

    ALL = (HEADS_UP, REMINDER, MISSED, OVERDUE, ESCALATION, URGENT, RELAPSE_WATCH)


AUDIENCES = ("owner", "caregiver", "clinician")
URGENCIES = ("normal", "high", "urgent")


@dataclass(frozen=True)
class StepSpec:
    name: str
    kind: str
    days: int = 0  # local calendar days after the due date (negative: before)
    minutes: int = 0  # then this many minutes later (elapsed time)
    audience: tuple[str, ...] = ("owner",)
    urgency: str = "normal"
    # None: never dropped, however late (escalations). Otherwise skipped when later than this.
    late_cutoff_minutes: int | None = REMINDER_LATE_CUTOFF_MINUTES
    # Raises a flag on the clinician dashboard (MedicationAlertFlag) when it fires.
    flag_clinician: bool = False
    # Repeat daily from `days` up to this day after due (relapse watch); None: once.
    repeat_until_days: int | None = None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["audience"] = list(self.audience)
        return data

    def occurrences(self) -> Iterable[tuple[str, int]]:
        """(row name, day offset) of each firing of this step."""
        if self.repeat_until_days is None:
            yield self.name, self.days
            return
        for day in range(self.days, self.repeat_until_days + 1):
            yield f"{self.name}:d{day:+03d}", day


def steps_from_json(raw: Sequence[dict[str, Any]]) -> tuple[StepSpec, ...]:
    """A stored custom policy (validated by ReminderStepSerializer) back into StepSpecs."""
    return tuple(
        StepSpec(
            name=item["name"],
            kind=item["kind"],
            days=int(item.get("days", 0)),
            minutes=int(item.get("minutes", 0)),
            audience=tuple(item.get("audience", ("owner",))),
            urgency=item.get("urgency", "normal"),
            late_cutoff_minutes=item.get("late_cutoff_minutes"),
            flag_clinician=bool(item.get("flag_clinician", False)),
            repeat_until_days=item.get("repeat_until_days"),
        )
        for item in raw
    )


# Omalizumab every 4 weeks, and daily or every-few-hours medicines: the tables of
# apps/alerts/defaults.py (see the module docstring for the case the numbers come from).
LONG_INTERVAL_DEFAULT: tuple[StepSpec, ...] = steps_from_json(LONG_INTERVAL_STEPS)
SHORT_INTERVAL_DEFAULT: tuple[StepSpec, ...] = steps_from_json(SHORT_INTERVAL_STEPS)


@dataclass(frozen=True)
class Policy:
    steps: tuple[StepSpec, ...] = field(default_factory=tuple)

    @property
    def longest_after_due_days(self) -> int:
        """How many days after its due date an occurrence can still have a step to fire."""
        latest = 0
        for step in self.steps:
            for _, day in step.occurrences():
                latest = max(latest, day + (step.minutes + 1439) // 1440)
        return latest
