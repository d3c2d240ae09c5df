"""What the notifications and the after-use answer say, in plain words. Mastline is not a
doctor: the texts remind and point to emergency care; they never give medical advice beyond the
patient's own plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext

from .models import PENS_NEEDED


@dataclass(frozen=True)
class Text:
    title: str
    body: str
    url: str = "/epinephrine"
    actions: list[dict[str, str]] = field(default_factory=list)


# Shown by the API after a pen is logged as used, in this order.
AFTER_USE_INSTRUCTIONS = [
    "Call emergency services now (112 in Europe, 911 in North America), even if you feel better: "
    "symptoms can come back.",
    "If symptoms do not improve after 5 to 15 minutes and you have another pen, follow your "
    "anaphylaxis action plan.",
    "Replace the used pen as soon as you can: keep two unexpired pens with you at all times.",
]


def expiry(patient_name: str, brand: str, expires_on: dt.date, days: int) -> Text:
    pen = brand or "An epinephrine auto-injector"
    if days == 0:
        title = f"{patient_name}'s auto-injector expires today"
        body = f"{pen} expires today ({expires_on:%d %b %Y}). Replace it now."
    else:
        title = f"{patient_name}'s auto-injector expires in {days} days"
        body = f"{pen} expires on {expires_on:%d %b %Y}. Get a replacement before then."
    return Text(title=title, body=body)


def carry_check(patient_name: str, local_date: dt.date, *, again: bool) -> Text:
    title = "Carry check — still no answer" if again else "Carry check"
    return Text(
        title=title,
        body=f"Does {patient_name} have {PENS_NEEDED} epinephrine auto-injectors with them today?",
        url=f"/epinephrine/carry-check?date={local_date.isoformat()}",
        actions=[
            {"action": "have-pens", "title": f"Yes, {PENS_NEEDED} pens"},
            {"action": "answer", "title": "Answer"},
        ],
    )


def pen_used_alert(
    patient_name: str, logged_by: str, used_at_local: dt.datetime, reader_zone: str | None = None
) -> Text:
    """`used_at_local` in the patient's zone; a reader living in another zone reads the zone's
    name after the time."""
    at = f"{used_at_local:%H:%M}"
    zone = getattr(used_at_local.tzinfo, "key", None)
    if reader_zone and zone and reader_zone != zone:
        at = f"{at} ({zone})"
    return Text(
        actions=[{"action": "acknowledge", "title": gettext("I'm dealing with it")}],
        title=f"{patient_name} used an epinephrine auto-injector",
        body=(
            f"{logged_by} logged it at {at}. {patient_name} needs emergency "
            "care now: make sure emergency services have been called."
        ),
    )


def replace_pen(patient_name: str, ready: int) -> Text:
    return Text(
        title="Replace the used auto-injector",
        body=(
            f"{patient_name} now has {ready} unexpired pen{'s' if ready != 1 else ''} in use; "
            f"{PENS_NEEDED} are needed. Get a replacement as soon as you can."
        ),
    )
