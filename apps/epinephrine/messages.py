"""What the notifications and the after-use answer say, in plain words. Mastline is not a
doctor: the texts remind and point to emergency care; they never give medical advice beyond the
patient's own plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy, ngettext

from .models import PENS_NEEDED


@dataclass(frozen=True)
class Text:
    title: str
    body: str
    url: str = "/epinephrine"
    actions: list[dict[str, str]] = field(default_factory=list)


# Shown by the API after a pen is logged as used, in this order.
AFTER_USE_INSTRUCTIONS = [
    gettext_lazy(
        "Call emergency services now (112 in Europe, 911 in North America), even if you feel "
        "better: symptoms can come back."
    ),
    gettext_lazy(
        "If symptoms do not improve after 5 to 15 minutes and you have another pen, follow your "
        "anaphylaxis action plan."
    ),
    gettext_lazy(
        "Replace the used pen as soon as you can: keep two unexpired pens with you at all times."
    ),
]


def expiry(patient_name: str, brand: str, expires_on: dt.date, days: int) -> Text:
    pen = brand or gettext("An epinephrine auto-injector")
    on = date_format(expires_on, "d M Y")
    if days == 0:
        title = gettext("%(patient)s's auto-injector expires today") % {"patient": patient_name}
        body = gettext("%(pen)s expires today (%(date)s). Replace it now.") % {
            "pen": pen,
            "date": on,
        }
    else:
        title = ngettext(
            "%(patient)s's auto-injector expires in %(days)d day",
            "%(patient)s's auto-injector expires in %(days)d days",
            days,
        ) % {"patient": patient_name, "days": days}
        body = gettext("%(pen)s expires on %(date)s. Get a replacement before then.") % {
            "pen": pen,
            "date": on,
        }
    return Text(title=title, body=body)


def carry_check(patient_name: str, local_date: dt.date, *, again: bool) -> Text:
    title = gettext("Carry check — still no answer") if again else gettext("Carry check")
    return Text(
        title=title,
        body=gettext("Does %(patient)s have %(count)d epinephrine auto-injectors with them today?")
        % {"patient": patient_name, "count": PENS_NEEDED},
        url=f"/epinephrine/carry-check?date={local_date.isoformat()}",
        actions=[
            {
                "action": "have-pens",
                "title": gettext("Yes, %(count)d pens") % {"count": PENS_NEEDED},
            },
            {"action": "answer", "title": gettext("Answer")},
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
        title=gettext("%(patient)s used an epinephrine auto-injector") % {"patient": patient_name},
        body=gettext(
            "%(person)s logged it at %(time)s. %(patient)s needs emergency care now: make sure "
            "emergency services have been called."
        )
        % {"person": logged_by, "time": at, "patient": patient_name},
    )


def replace_pen(patient_name: str, ready: int) -> Text:
    return Text(
        title=gettext("Replace the used auto-injector"),
        body=ngettext(
            "%(patient)s now has %(ready)d unexpired pen in use; %(needed)d are needed. Get a "
            "replacement as soon as you can.",
            "%(patient)s now has %(ready)d unexpired pens in use; %(needed)d are needed. Get a "
            "replacement as soon as you can.",
            ready,
        )
        % {"patient": patient_name, "ready": ready, "needed": PENS_NEEDED},
    )
