"""Turning a stored moment into a patient's local time without ever failing a read.

Dates are validated into a plausible range on the way in (apps.core.validators), but a row from
before that rule may sit at the edge of the calendar: year 1 in a zone west of UTC, or year 9999
east of it, has no local time, and `astimezone` raises OverflowError. Reads show such a moment
in UTC instead of failing.
"""

from __future__ import annotations

import datetime as dt


def local_moment(moment: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """`moment` in `zone`; in UTC (as stored) when the zone's local time would leave the
    calendar."""
    try:
        return moment.astimezone(zone)
    except OverflowError:
        return moment.astimezone(dt.UTC) if moment.utcoffset() == dt.timedelta(0) else moment


def local_day(moment: dt.datetime, zone: dt.tzinfo) -> dt.date:
    """The local calendar day of `moment` in `zone` (see `local_moment`)."""
    return local_moment(moment, zone).date()
