"""Helpers for the medication tests: a medication on the world's patient, doses, and a clock
that runs the scan as beat would."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from apps.alerts.tasks import scan_due
from apps.medications import services
from apps.medications.models import DoseLog, Medication
from apps.notifications.models import Notification


def omalizumab(patient: Any, by: Any, **overrides: Any) -> Medication:
    fields: dict[str, Any] = {
        "name": "Omalizumab",
        "drug_class": "anti_ige",
        "route": "subcutaneous",
        "dose": "150",
        "dose_unit": "mg",
        "start_date": date(2024, 1, 1),
        "regimen_kind": "interval",
        "interval": 4,
        "interval_unit": "weeks",
        "interval_anchor": "last_dose",
        "times_of_day": ["09:00"],
        **overrides,
    }
    return services.medication_create(patient=patient, created_by=by, **fields)


def daily(patient: Any, by: Any, times: list[str], **overrides: Any) -> Medication:
    fields: dict[str, Any] = {
        "name": "Cetirizine",
        "drug_class": "h1_antihistamine",
        "route": "oral",
        "start_date": date(2024, 1, 1),
        "regimen_kind": "daily",
        "times_of_day": times,
        **overrides,
    }
    return services.medication_create(patient=patient, created_by=by, **fields)


def log_dose(medication: Medication, by: Any, taken_at: datetime, **fields: Any) -> DoseLog:
    return services.dose_create(
        fields={
            "patient": medication.patient,
            "medication": medication,
            "taken_at": taken_at,
            "created_by": by,
            **fields,
        },
        digest="",
    )


def local(zone: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone))  # type: ignore[misc]


def run_beat(start: datetime, end: datetime, every: timedelta = timedelta(hours=1)) -> None:
    """Runs the scan at every tick from start to end, with the clock at each tick."""
    moment = start
    with time_machine.travel(moment, tick=False) as traveller:
        while moment <= end:
            traveller.move_to(moment)
            scan_due()
            moment += every


def sent(zone: str) -> Iterator[tuple[date, str, str, str, str]]:
    """(local date, local time, step, recipient email, urgency) of every notification."""
    tz = ZoneInfo(zone)
    for n in Notification.objects.select_related("recipient").order_by("created_at", "dedupe_key"):
        at = n.created_at.astimezone(tz)
        step = n.dedupe_key[len(n.source_key) + 1 :]
        yield at.date(), at.strftime("%H:%M"), step, n.recipient.email, n.urgency


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]
