"""Expanding a regimen into the moments a dose is due — pure functions, no database.

Everything is computed in the patient's IANA zone and converted to UTC at the end: "08:00 every
day" stays 08:00 on the wall clock across DST, and "every 4 weeks" means 28 local calendar days
at the preferred time, not 672 hours. A wall-clock time that does not exist on a spring-forward
day (02:30 in Rome on the last Sunday of March) falls at the same offset before the change
(03:30 local); a time that happens twice on a fall-back day is taken the first time.
Every-N-hours regimens are elapsed time (a pill every 8 hours is every 8 hours, whatever the
clock says).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Enough for a year of four-times-a-day doses; a bound so no call can loop forever.
_MAX_OCCURRENCES = 2000


class Kind:
    DAILY = "daily"
    WEEKDAYS = "weekdays"
    INTERVAL = "interval"
    AS_NEEDED = "as_needed"


class Unit:
    HOURS = "hours"
    DAYS = "days"
    WEEKS = "weeks"


class Anchor:
    LAST_DOSE = "last_dose"  # counted from the last dose actually given
    CALENDAR = "calendar"  # fixed calendar dates counted from the start date


@dataclass(frozen=True)
class Regimen:
    kind: str
    start_date: date
    times: tuple[time, ...] = ()
    weekdays: frozenset[int] = frozenset()  # 0 = Monday
    interval: int | None = None
    unit: str = Unit.DAYS
    anchor: str = Anchor.CALENDAR
    end_date: date | None = None

    @property
    def is_scheduled(self) -> bool:
        return self.kind != Kind.AS_NEEDED

    @property
    def counts_from_last_dose(self) -> bool:
        return self.kind == Kind.INTERVAL and self.anchor == Anchor.LAST_DOSE

    @property
    def interval_days(self) -> int | None:
        if self.kind != Kind.INTERVAL or self.interval is None or self.unit == Unit.HOURS:
            return None
        return self.interval * (7 if self.unit == Unit.WEEKS else 1)

    @property
    def preferred_time(self) -> time:
        return self.times[0] if self.times else time(9, 0)

    @property
    def typical_gap(self) -> timedelta:
        """About how far apart two doses are (used to match a logged dose to its occurrence)."""
        if self.kind == Kind.INTERVAL and self.interval:
            if self.unit == Unit.HOURS:
                return timedelta(hours=self.interval)
            return timedelta(days=self.interval_days or 1)
        per_day = max(len(self.times), 1)
        return timedelta(hours=24 / per_day)


def parse_time(value: str) -> time:
    hour, minute = value.split(":")
    return time(int(hour), int(minute))


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def shift_local(moment: datetime, zone: ZoneInfo, *, days: int = 0, minutes: int = 0) -> datetime:
    """`days` local calendar days later at the same wall-clock time, then `minutes` elapsed."""
    local = moment.astimezone(zone)
    wall = time(local.hour, local.minute, local.second)
    return local_to_utc(local.date() + timedelta(days=days), wall, zone) + timedelta(
        minutes=minutes
    )


def day_after_dose(last_dose_at: datetime, moment: datetime, zone: ZoneInfo) -> int:
    """Which day after the last dose `moment` falls on: local calendar days in the patient's
    zone (docs/alerts.md). A dose at 23:30 makes 00:30 the next night day 1, and day 38 is day 38
    whatever the reader's own zone. The one day count of alerts, texts, flags, lists and exports.
    """
    return (moment.astimezone(zone).date() - last_dose_at.astimezone(zone).date()).days


def _in_dates(regimen: Regimen, day: date) -> bool:
    return day >= regimen.start_date and (regimen.end_date is None or day <= regimen.end_date)


def _day_matches(regimen: Regimen, day: date) -> bool:
    if not _in_dates(regimen, day):
        return False
    if regimen.kind == Kind.DAILY:
        return True
    if regimen.kind == Kind.WEEKDAYS:
        return day.weekday() in regimen.weekdays
    if regimen.kind == Kind.INTERVAL and regimen.anchor == Anchor.CALENDAR:
        step = regimen.interval_days
        return bool(step) and (day - regimen.start_date).days % step == 0  # type: ignore[operator]
    return False


def next_due_after_last_dose(
    regimen: Regimen, zone: ZoneInfo, last_taken_at: datetime | None
) -> datetime | None:
    """The one occurrence of a regimen counted from the last dose actually given.

    Every N days/weeks: the last dose's *local* date plus N days, at the preferred local time
    (a dose given at 17:40 makes the next one due 28 local days later at the reminder time).
    Every N hours: exactly N hours after the last dose. Before any dose: the start date at the
    preferred time.
    """
    if last_taken_at is None:
        first = local_to_utc(regimen.start_date, regimen.preferred_time, zone)
    elif regimen.unit == Unit.HOURS:
        first = last_taken_at + timedelta(hours=regimen.interval or 0)
    else:
        day = last_taken_at.astimezone(zone).date() + timedelta(days=regimen.interval_days or 0)
        first = local_to_utc(day, regimen.preferred_time, zone)
    if regimen.end_date is not None and first.astimezone(zone).date() > regimen.end_date:
        return None
    return first


def occurrences(
    regimen: Regimen,
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
    *,
    last_taken_at: datetime | None = None,
) -> Iterator[datetime]:
    """Due moments (UTC) with start <= due < end, in order."""
    if not regimen.is_scheduled:
        return
    if regimen.counts_from_last_dose:
        due = next_due_after_last_dose(regimen, zone, last_taken_at)
        if due is not None and start <= due < end:
            yield due
        return
    if regimen.kind == Kind.INTERVAL and regimen.unit == Unit.HOURS:
        yield from _every_n_hours(regimen, zone, start, end)
        return
    day = max(start.astimezone(zone).date() - timedelta(days=1), regimen.start_date)
    last_day = end.astimezone(zone).date() + timedelta(days=1)
    if regimen.end_date is not None:
        last_day = min(last_day, regimen.end_date)
    count = 0
    while day <= last_day and count < _MAX_OCCURRENCES:
        if _day_matches(regimen, day):
            for at in sorted(regimen.times):
                due = local_to_utc(day, at, zone)
                if start <= due < end:
                    count += 1
                    yield due
        day += timedelta(days=1)


def _every_n_hours(
    regimen: Regimen, zone: ZoneInfo, start: datetime, end: datetime
) -> Iterator[datetime]:
    step = timedelta(hours=regimen.interval or 1)
    anchor = local_to_utc(regimen.start_date, regimen.preferred_time, zone)
    k = max(0, -(-(start - anchor) // step))  # ceil, never before the anchor
    due = anchor + k * step
    for _ in range(_MAX_OCCURRENCES):
        if due >= end:
            return
        if regimen.end_date is not None and due.astimezone(zone).date() > regimen.end_date:
            return
        yield due
        due += step


def next_occurrence(
    regimen: Regimen,
    zone: ZoneInfo,
    after: datetime,
    *,
    last_taken_at: datetime | None = None,
    within: timedelta = timedelta(days=400),
) -> datetime | None:
    """The first due moment strictly after `after` (fixed schedules) or the pending one."""
    if regimen.counts_from_last_dose:
        return next_due_after_last_dose(regimen, zone, last_taken_at)
    window = timedelta(days=8)
    start = after + timedelta(microseconds=1)
    while start < after + within:
        for due in occurrences(regimen, zone, start, start + window):
            return due
        start += window
    return None


def utc_now() -> datetime:
    return datetime.now(UTC)
