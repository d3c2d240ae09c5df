"""Helpers for the epinephrine tests: pens on the world's patient, local times, what was sent."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from apps.epinephrine import services
from apps.epinephrine.models import AutoInjector
from apps.notifications.models import Notification

ZONE = "Europe/Rome"


def local(*args: int, zone: str = ZONE) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZoneInfo(zone))  # type: ignore[misc]


def add_pen(patient: Any, by: Any, expires_on: dt.date, **fields: Any) -> AutoInjector:
    return services.pen_create(
        fields={
            "patient": patient,
            "brand": "EpiPen",
            "dose_mg": "0.3",
            "expires_on": expires_on,
            "created_by": by,
            **fields,
        },
        digest="",
    )


def inbox(category: str | None = None) -> list[tuple[str, str, str]]:
    """(recipient email, dedupe key, urgency) of every notification, oldest first."""
    found = Notification.objects.select_related("recipient").order_by("created_at", "dedupe_key")
    if category is not None:
        found = found.filter(category=category)
    return [(n.recipient.email, n.dedupe_key, n.urgency) for n in found]


def recipients(category: str) -> set[str]:
    return {email for email, _, _ in inbox(category)}


def pens_url(patient: Any, *rest: str) -> str:
    return "/".join([f"/api/v1/patients/{patient.pk}/pens", *rest]) + "/"
