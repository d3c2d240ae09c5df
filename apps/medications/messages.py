"""The words of each reminder step. They live in the inbox behind sign-in and may name the
medication; the notifications layer sends only a generic push (nothing health-related leaves
the server)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.formats import date_format, time_format
from django.utils.translation import gettext, ngettext

from apps.notifications.actions import actions_for_role

from .models import DoseLog, DoseStatus, Medication, ReminderStep
from .policy import CASE_RELAPSE_DAY, StepKind
from .schedule import day_after_dose


@dataclass(frozen=True)
class Text:
    title: str
    body: str
    url: str
    actions: list[dict[str, str]] = field(default_factory=list)


def _acknowledge() -> dict[str, str]:
    return {"action": "acknowledge", "title": gettext("I'm dealing with it")}


def _days(count: int) -> str:
    return ngettext("%(count)d day", "%(count)d days", count) % {"count": count}


def since_last_dose(days: int | None) -> str:
    """ "38 days since the last dose" (or that none is logged): the alert's and the clinician's
    flag's words for the one day count (schedule.day_after_dose)."""
    if days is None:
        return gettext("no dose logged yet")
    return ngettext(
        "%(days)d day since the last dose", "%(days)d days since the last dose", days
    ) % {"days": days}


def local_when(moment: datetime, zone: ZoneInfo, reader_zone: str | None = None) -> str:
    """A moment of the patient's day in the patient's zone, with the zone's name when the reader
    lives in another zone ("Mon 1 Dec at 09:00 (Europe/Rome)")."""
    local = moment.astimezone(zone)
    day, at = date_format(local, "D j M"), time_format(local, "H:i")
    if reader_zone and reader_zone != zone.key:
        return gettext("%(day)s at %(time)s (%(zone)s)") % {
            "day": day,
            "time": at,
            "zone": zone.key,
        }
    return gettext("%(day)s at %(time)s") % {"day": day, "time": at}


def last_dose_at(medication: Medication) -> datetime | None:
    return (
        DoseLog.objects.filter(
            medication=medication, status=DoseStatus.TAKEN, deleted_at__isnull=True
        )
        .order_by("-taken_at")
        .values_list("taken_at", flat=True)
        .first()
    )


def for_step(
    step: ReminderStep, now: datetime, *, role: str = "owner", reader_zone: str | None = None
) -> Text:
    """The text of a step for one reader: their role on the care team decides the words and the
    buttons (only those the role can perform: apps.notifications.actions.actions_for_role), and
    times carry the patient's zone when the reader's zone is another."""
    text = _for_step(step, now, role=role, reader_zone=reader_zone)
    return Text(text.title, text.body, text.url, actions_for_role(text.actions, role))


def _for_step(step: ReminderStep, now: datetime, *, role: str, reader_zone: str | None) -> Text:
    medication = step.medication
    patient = medication.patient
    zone = medication.zone()
    when = local_when(step.due_at, zone, reader_zone)
    late_days = day_after_dose(step.due_at, now, zone)  # local calendar days since it was due
    name = medication.name
    who = patient.display_name
    url = f"/patients/{patient.pk}/medications/{medication.pk}"
    # "took-it" logs the dose from the notification (the service worker, or the server's
    # apps.medications.actions); "remind-later" sends it again in an hour.
    log_action = [
        {"action": "took-it", "title": gettext("I took it")},
        {"action": "remind-later", "title": gettext("Remind me later")},
    ]
    kind = step.kind
    if kind == StepKind.HEADS_UP:
        return Text(
            gettext("%(medication)s is due soon") % {"medication": name},
            gettext("%(patient)s's dose of %(medication)s is due %(when)s.")
            % {"patient": who, "medication": name, "when": when},
            url,
        )
    if kind == StepKind.REMINDER:
        return Text(
            gettext("Time for %(medication)s") % {"medication": name},
            gettext("%(patient)s's dose of %(medication)s is due %(when)s.")
            % {"patient": who, "medication": name, "when": when},
            url,
            log_action,
        )
    if kind == StepKind.MISSED:
        return Text(
            gettext("%(medication)s not logged") % {"medication": name},
            gettext(
                "%(patient)s's dose of %(medication)s due %(when)s has not been logged. "
                "Log it if it was given."
            )
            % {"patient": who, "medication": name, "when": when},
            url,
            log_action,
        )
    if kind == StepKind.RELAPSE_WATCH:
        return Text(
            gettext("How is %(patient)s today?") % {"patient": who},
            gettext(
                "%(medication)s is %(days)s overdue. A quick check-in of symptoms (flushing, "
                "headache, diarrhoea…) helps the care team see early whether they are coming back."
            )
            % {"medication": name, "days": _days(late_days)},
            f"/patients/{patient.pk}/check-in",
            [{"action": "check_in", "title": gettext("Check in")}],
        )
    if kind == StepKind.URGENT and role == "clinician":
        # The clinician is the care team: say what was missed and since when, in the alerts'
        # own day count (local calendar days after the last dose, as on the dashboard).
        last = last_dose_at(medication)
        since = since_last_dose(None if last is None else day_after_dose(last, now, zone))
        return Text(
            gettext("%(patient)s missed %(medication)s") % {"patient": who, "medication": name},
            gettext("%(patient)s has not had %(medication)s due %(when)s — %(since)s.")
            % {"patient": who, "medication": name, "when": when, "since": since}
            + " "
            + gettext(
                "In the published case symptoms returned %(day)d days after the last injection."
            )
            % {"day": CASE_RELAPSE_DAY},
            url,
            [_acknowledge()],
        )
    if kind == StepKind.URGENT:
        return Text(
            gettext("Urgent: %(patient)s's %(medication)s is %(days)s overdue")
            % {"patient": who, "medication": name, "days": _days(late_days)},
            gettext(
                "No dose of %(medication)s has been logged since it was due %(when)s. In the case "
                "Mastline's alerts are based on, symptoms returned %(day)d days after the last "
                "injection. Please contact the care team to arrange the dose."
            )
            % {"medication": name, "when": when, "day": CASE_RELAPSE_DAY},
            url,
            [_acknowledge(), *log_action],
        )
    return Text(
        gettext("%(patient)s's %(medication)s is %(days)s overdue")
        % {"patient": who, "medication": name, "days": _days(late_days)},
        gettext("No dose of %(medication)s has been logged since it was due %(when)s.")
        % {"medication": name, "when": when},
        url,
        log_action,
    )
