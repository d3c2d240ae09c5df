"""The words of each reminder step. They live in the inbox behind sign-in and may name the
medication; the notifications layer sends only a generic push (nothing health-related leaves
the server)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .models import ReminderStep
from .policy import CASE_RELAPSE_DAY, StepKind


@dataclass(frozen=True)
class Text:
    title: str
    body: str
    url: str
    actions: list[dict[str, str]] = field(default_factory=list)


def _days(count: int) -> str:
    return f"{count} day{'s' if count != 1 else ''}"


def for_step(step: ReminderStep, now: datetime) -> Text:
    medication = step.medication
    patient = medication.patient
    zone = medication.zone()
    due_local = step.due_at.astimezone(zone)
    when = f"{due_local:%a %d %b} at {due_local:%H:%M}"
    late_days = (now.astimezone(zone).date() - due_local.date()).days
    name = medication.name
    who = patient.display_name
    url = f"/patients/{patient.pk}/medications/{medication.pk}"
    # "took-it" logs the dose from the notification (the service worker, or the server's
    # apps.medications.actions); "remind-later" sends it again in an hour.
    log_action = [
        {"action": "took-it", "title": "I took it"},
        {"action": "remind-later", "title": "Remind me later"},
    ]
    kind = step.kind
    if kind == StepKind.HEADS_UP:
        return Text(f"{name} is due soon", f"{who}'s dose of {name} is due {when}.", url)
    if kind == StepKind.REMINDER:
        return Text(f"Time for {name}", f"{who}'s dose of {name} is due {when}.", url, log_action)
    if kind == StepKind.MISSED:
        return Text(
            f"{name} not logged",
            f"{who}'s dose of {name} due {when} has not been logged. Log it if it was given.",
            url,
            log_action,
        )
    if kind == StepKind.RELAPSE_WATCH:
        return Text(
            f"How is {who} today?",
            f"{name} is {_days(late_days)} overdue. A quick check-in of symptoms (flushing, "
            "headache, diarrhoea…) helps the care team see early whether they are coming back.",
            f"/patients/{patient.pk}/check-in",
            [{"action": "check_in", "title": "Check in"}],
        )
    if kind == StepKind.URGENT:
        return Text(
            f"Urgent: {who}'s {name} is {_days(late_days)} overdue",
            f"No dose of {name} has been logged since it was due {when}. In the case Mastline's "
            f"alerts are based on, symptoms returned {CASE_RELAPSE_DAY} days after the last "
            "injection. Please contact the care team to arrange the dose.",
            url,
            log_action,
        )
    return Text(
        f"{who}'s {name} is {_days(late_days)} overdue",
        f"No dose of {name} has been logged since it was due {when}.",
        url,
        log_action,
    )
