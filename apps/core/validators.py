"""Plausible dates and times: the one range rule for every date or time the API accepts.

A year-1 lab sample or a year-9999 query day is not a typo the product can carry: turned into a
patient's local time it falls off the calendar, and every later read of that record fails. So
each date or time field that takes outside input carries one of the validators below, and the
query parameters that take a day use `plausible_day`:

- `BIRTH_DATE` — a date of birth: 1900-01-01 to today.
- `PAST_EVENT` — something that happened to the patient (a symptom, a check-in, a dose, an
  episode, a lab sample, a pen used): from the patient's date of birth (or 1900) to a day after
  now. The field's own tighter rule (not in the future, with a few minutes' clock drift) stays.
- `PLANNED_DATE` — a date that may lie ahead (a medication's start or end, a pen's expiry, a
  visit, a link's expiry): 1900 to ten years after today.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

EARLIEST = dt.date(1900, 1, 1)


def _patient_birth_date(field: Any) -> dt.date | None:
    """The date of birth of the patient in the request's URL, if known."""
    context = getattr(field, "context", None) or {}
    membership = getattr(context.get("view"), "membership", None)
    patient = getattr(membership, "patient", None)
    return getattr(patient, "date_of_birth", None)


def _day(value: dt.date | dt.datetime) -> dt.date:
    # A datetime's own calendar day: converting a year-1 time to UTC could itself overflow.
    return value.date() if isinstance(value, dt.datetime) else value


class PlausibleDate:
    """A DRF validator for a DateField or DateTimeField: between `EARLIEST` (or the patient's
    date of birth, with `since_birth`) and `ahead` after today (UTC)."""

    requires_context = True

    def __init__(self, *, ahead: dt.timedelta, since_birth: bool = False) -> None:
        self.ahead = ahead
        self.since_birth = since_birth

    def bounds(self, field: Any = None) -> tuple[dt.date, dt.date]:
        earliest = EARLIEST
        birth = _patient_birth_date(field) if self.since_birth else None
        if birth is not None and birth > earliest:
            earliest = birth
        return earliest, timezone.now().date() + self.ahead

    def __call__(self, value: dt.date | dt.datetime, field: Any) -> None:
        earliest, latest = self.bounds(field)
        day = _day(value)
        if day < earliest:
            if earliest != EARLIEST:
                raise serializers.ValidationError(
                    _("This is before the patient's date of birth (%(date)s).")
                    % {"date": earliest.isoformat()}
                )
            raise serializers.ValidationError(
                _("Enter a date on or after %(date)s.") % {"date": earliest.isoformat()}
            )
        if day > latest:
            raise serializers.ValidationError(
                _("Enter a date on or before %(date)s.") % {"date": latest.isoformat()}
            )

    def __eq__(self, other: object) -> bool:  # for DRF's validator de-duplication
        return isinstance(other, PlausibleDate) and (self.ahead, self.since_birth) == (
            other.ahead,
            other.since_birth,
        )

    def __hash__(self) -> int:
        return hash((self.ahead, self.since_birth))


BIRTH_DATE = PlausibleDate(ahead=dt.timedelta(0))
PAST_EVENT = PlausibleDate(ahead=dt.timedelta(days=1), since_birth=True)
PLANNED_DATE = PlausibleDate(ahead=dt.timedelta(days=3653))


def plausible_day(value: dt.date | dt.datetime, *, ahead: dt.timedelta | None = None) -> None:
    """For a day named in a query parameter (a range to read): 1900 to ten years ahead."""
    PlausibleDate(ahead=ahead or PLANNED_DATE.ahead)(value, None)
