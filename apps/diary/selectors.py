"""Reads of the diary worth a name: query parameters for periods and filters, the merged
timeline and the data behind the insights. Each runs a fixed number of queries."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import uuid
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from apps.careteam.models import Patient
from apps.core.localtime import local_day
from apps.core.validators import plausible_day

from . import days, insights
from .models import (
    AnaphylaxisEpisode,
    DailyCheckIn,
    LabAnalyte,
    LabResult,
    SymptomDomain,
    SymptomEntry,
    Trigger,
    TriggerCategory,
    TriggerExposure,
)

# --- query parameters ------------------------------------------------------------------------------


def local_midnight(day: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=zone)


class MomentField(serializers.Field):
    """An ISO 8601 time with its offset, or a plain date: the patient's local midnight starting
    it (for `from`) or ending it (for `to`, so `to=2026-01-31` includes the 31st)."""

    default_error_messages = {
        "invalid": gettext_lazy(
            "A date (2026-01-31) or a time with its offset (2026-01-31T08:00:00+01:00)."
        )
    }

    def __init__(self, *, end_of_day: bool = False, **kwargs: Any) -> None:
        self.end_of_day = end_of_day
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> dt.datetime:
        if not isinstance(data, str):
            self.fail("invalid")
        zone = self.context["patient"].zone
        try:
            day = parse_date(data) if len(data) == 10 else None
        except ValueError:  # well formed but not a day, e.g. 2026-02-30
            self.fail("invalid")
        if day is not None:
            plausible_day(day)  # 400 naming the parameter, not an overflow further on
            return local_midnight(day + dt.timedelta(days=int(self.end_of_day)), zone)
        try:
            moment = serializers.DateTimeField().to_internal_value(data)
        except serializers.ValidationError:
            self.fail("invalid")
        plausible_day(moment)
        return moment

    def to_representation(self, value: Any) -> Any:
        return value.isoformat()


@dataclass(frozen=True)
class Period:
    start: dt.datetime
    end: dt.datetime  # exclusive


class PeriodParams(serializers.Serializer):
    """`from` / `to` for the timeline and insights: a bounded period, by default the last
    `default_days` days up to now."""

    # `from` is a Python keyword: declared in __init__.
    to = MomentField(required=False, end_of_day=True)

    def __init__(self, *args: Any, max_days: int, default_days: int, **kwargs: Any) -> None:
        self.max_days = max_days
        self.default_days = default_days
        super().__init__(*args, **kwargs)
        self.fields["from"] = MomentField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        end = attrs.get("to") or timezone.now()
        start = attrs.get("from") or end - dt.timedelta(days=self.default_days)
        if start >= end:
            raise serializers.ValidationError({"to": [gettext_lazy("Must be after `from`.")]})
        if end - start > dt.timedelta(days=self.max_days, hours=1):  # an hour: a DST day
            raise serializers.ValidationError(
                {
                    "to": [
                        gettext_lazy("A period of at most %(days)s days.") % {"days": self.max_days}
                    ]
                }
            )
        attrs["period"] = Period(start.astimezone(dt.UTC), end.astimezone(dt.UTC))
        return attrs


class ListFilterParams(serializers.Serializer):
    """Query parameters of the diary lists. Each list reads the ones it documents."""

    to = MomentField(required=False, end_of_day=True)
    symptom = serializers.CharField(required=False, max_length=64)
    domain = serializers.ChoiceField(choices=SymptomDomain.choices, required=False)
    trigger = serializers.CharField(required=False, max_length=64)
    category = serializers.ChoiceField(choices=TriggerCategory.choices, required=False)
    analyte = serializers.ChoiceField(choices=LabAnalyte.choices, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from"] = MomentField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "from" in attrs and "to" in attrs and attrs["from"] >= attrs["to"]:
            raise serializers.ValidationError({"to": [gettext_lazy("Must be after `from`.")]})
        return attrs


def first_day_from(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.date:
    """The first local day whose midnight is at or after `moment`."""
    local = moment.astimezone(zone)
    day = local.date()
    return day if local_midnight(day, zone) >= moment else day + dt.timedelta(days=1)


def local_date_bounds(
    start: dt.datetime | None, end: dt.datetime | None, zone: zoneinfo.ZoneInfo
) -> tuple[dt.date | None, dt.date | None]:
    """The local days whose midnight falls in [start, end): first day included, first day
    excluded (either None when open)."""
    return (
        first_day_from(start, zone) if start else None,
        first_day_from(end, zone) if end else None,
    )


# --- querysets -------------------------------------------------------------------------------------


def live(queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(deleted_at__isnull=True)


def symptom_entries() -> QuerySet[SymptomEntry]:
    return SymptomEntry.objects.select_related("symptom")


def trigger_exposures() -> QuerySet[TriggerExposure]:
    return TriggerExposure.objects.select_related("trigger")


def anaphylaxis_episodes() -> QuerySet[AnaphylaxisEpisode]:
    # Annotated: django-stubs infers nothing for a Prefetch of a custom queryset.
    exposures: Prefetch[Any, Any, Any] = Prefetch(
        "suspected_exposures", queryset=TriggerExposure.objects.only("id", "deleted_at")
    )
    return AnaphylaxisEpisode.objects.prefetch_related(
        exposures,
        "pen_uses",  # the pens used for its epinephrine doses (apps.epinephrine.PenUse)
    )


# --- the timeline ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    kind: str
    at: dt.datetime
    record: Any


@dataclass(frozen=True)
class TimelineCursor:
    """The last item of a page: the next page starts strictly after (at, kind, id)."""

    at: dt.datetime
    kind: str
    pk: str

    def encode(self) -> str:
        raw = json.dumps([self.at.isoformat(), self.kind, self.pk]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> TimelineCursor:
        """Raises ValueError on anything but a cursor this module wrote."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            at, kind, pk = json.loads(raw)
            moment = dt.datetime.fromisoformat(at)
            if moment.tzinfo is None or kind not in TIMELINE_KINDS:
                raise ValueError(token)
            return cls(moment.astimezone(dt.UTC), kind, str(uuid.UUID(pk)))
        except (TypeError, ValueError, binascii.Error, json.JSONDecodeError) as error:
            raise ValueError(token) from error


TIMELINE_KINDS = ("anaphylaxis_episode", "check_in", "lab_result", "symptom", "trigger_exposure")
TIMELINE_PAGE_SIZE = 100
TIMELINE_MAX_PAGE_SIZE = 200


def _after(kind: str, field: str, cursor: TimelineCursor | None) -> Q:
    """Rows of `kind` that sort after the cursor in (at, kind, id) order."""
    if cursor is None:
        return Q()
    if kind > cursor.kind:
        return Q(**{f"{field}__gte": cursor.at})
    if kind < cursor.kind:
        return Q(**{f"{field}__gt": cursor.at})
    return Q(**{f"{field}__gt": cursor.at}) | Q(**{field: cursor.at, "pk__gt": cursor.pk})


def _check_ins_after(cursor: TimelineCursor | None, zone: zoneinfo.ZoneInfo) -> Q:
    """The same for check-ins, which sit at the local midnight starting their day."""
    if cursor is None:
        return Q()
    day = cursor.at.astimezone(zone).date()  # its midnight is at or before the cursor
    later = Q(local_date__gt=day)
    if local_midnight(day, zone) != cursor.at or cursor.kind > "check_in":
        return later
    if cursor.kind < "check_in":
        return later | Q(local_date=day)
    return later | Q(local_date=day, pk__gt=cursor.pk)


@dataclass(frozen=True)
class TimelinePage:
    items: list[TimelineItem]
    next: TimelineCursor | None


def timeline(
    *,
    patient: Patient,
    period: Period,
    after: TimelineCursor | None = None,
    size: int = TIMELINE_PAGE_SIZE,
) -> TimelinePage:
    """One page of the period's live diary records, oldest first, after the cursor (six queries,
    whatever the rows: each kind reads at most size + 1 rows). A check-in sits at the start of
    its local day. `next` is the cursor of the following page, None on the last one."""
    zone = patient.zone
    window = {"patient": patient, "deleted_at__isnull": True}
    first_day, after_last_day = local_date_bounds(period.start, period.end, zone)
    limit = size + 1
    items: list[TimelineItem] = []

    def timed(kind: str, queryset: QuerySet[Any], field: str) -> None:
        rows = queryset.filter(
            _after(kind, field, after),
            **window,
            **{f"{field}__gte": period.start, f"{field}__lt": period.end},
        ).order_by(field, "pk")[:limit]
        items.extend(TimelineItem(kind, getattr(row, field), row) for row in rows)

    timed("symptom", symptom_entries(), "occurred_at")
    for check_in in DailyCheckIn.objects.filter(
        _check_ins_after(after, zone),
        **window,
        local_date__gte=first_day,
        local_date__lt=after_last_day,
    ).order_by("local_date", "pk")[:limit]:
        day_start = local_midnight(check_in.local_date, zone).astimezone(dt.UTC)
        items.append(TimelineItem("check_in", day_start, check_in))
    timed("trigger_exposure", trigger_exposures(), "occurred_at")
    timed("anaphylaxis_episode", anaphylaxis_episodes(), "onset_at")
    timed("lab_result", LabResult.objects.all(), "sampled_at")
    items.sort(key=lambda item: (item.at, item.kind, str(item.record.pk)))
    page = items[:size]
    if len(items) <= size:
        return TimelinePage(page, None)
    last = page[-1]
    return TimelinePage(page, TimelineCursor(last.at, last.kind, str(last.record.pk)))


# --- insights --------------------------------------------------------------------------------------


def association_rows(
    associations: list[insights.TriggerAssociation], names: dict[str, tuple[str, str]]
) -> list[dict[str, Any]]:
    """The insights' trigger rows as the API shows them; `names`: {trigger code: (name, category)}."""
    return [
        {
            "trigger": row.trigger,
            "name": names[row.trigger][0],
            "category": names[row.trigger][1],
            "exposures": row.exposures,
            "followed_by_flare": row.followed_by_flare,
            "proportion": row.proportion,
            "baseline": row.baseline,
            "ratio": row.ratio,
            "sufficient_data": row.sufficient_data,
        }
        for row in associations
    ]


def patient_insights(
    *, patient: Patient, period: Period, threshold: int, window: dt.timedelta
) -> dict[str, Any]:
    """Daily burden per domain and trigger associations for the period (three queries).

    The local days the period covers whole are read from their stored summary (models.DiaryDay,
    one row a day, however many records); only a day the period starts or ends inside reads its
    entries, as it counts just those inside the period. Flares and exposures come from the
    summary with their exact moments, so every day is filtered to the period exactly."""
    zone = patient.zone
    # The period's local days: from the day `start` falls in to the day before `end`.
    first = period.start.astimezone(zone).date()
    last = (period.end - days.MICROSECOND).astimezone(zone).date()
    all_days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    # Flares may follow the period by up to `window`: the days up to the last one they reach.
    reach = (period.end + window - days.MICROSECOND).astimezone(zone).date()
    # Whole days: from the first midnight at or after `start` to the day `end` falls in.
    first_whole = first_day_from(period.start, zone)
    end_day = period.end.astimezone(zone).date()
    whole_from = local_midnight(first_whole, zone).astimezone(dt.UTC)
    whole_to = local_midnight(end_day, zone).astimezone(dt.UTC)

    start, end = days.to_moment(period.start), days.to_moment(period.end)
    flares_end = days.to_moment(period.end + window)
    burden_entries: list[tuple[dt.date, str, int]] = []
    checked_in: list[dt.date] = []
    flare_moments: list[int] = []
    exposure_moments: list[tuple[int, str]] = []
    flare_severities = {str(severity) for severity in range(threshold, 11)}  # the JSON's keys
    for local_date, was_checked_in, peaks, severities, onsets, exposures in days.stored(
        patient, all_days[0], reach
    ):
        # A day the period covers whole needs no moment compared with its ends (most of a long
        # span): only the edge days and those flares reach into are filtered.
        whole = first_whole <= local_date < end_day
        for severity, moments in severities.items():
            if severity in flare_severities:
                flare_moments += (
                    moments if whole else [at for at in moments if start <= at < flares_end]
                )
        flare_moments += [at for at in onsets if start < at < flares_end]
        if local_date > last:
            continue
        if was_checked_in:
            checked_in.append(local_date)
        if whole:
            burden_entries += [(local_date, domain, peak) for domain, peak in peaks.items()]
            exposure_moments += [(at, trigger) for at, trigger in exposures]
        else:
            exposure_moments += [(at, trigger) for at, trigger in exposures if start <= at < end]

    if whole_from < whole_to:
        edges = Q(occurred_at__gte=period.start, occurred_at__lt=whole_from) | Q(
            occurred_at__gte=whole_to, occurred_at__lt=period.end
        )
    else:
        edges = Q(occurred_at__gte=period.start, occurred_at__lt=period.end)
    burden_entries += [
        (local_day(at, zone), domain, severity)
        for at, domain, severity in SymptomEntry.objects.filter(
            edges, patient=patient, deleted_at__isnull=True
        ).values_list("occurred_at", "symptom__domain", "severity")
    ]

    triggers = {
        str(pk): (code, name, category)
        for pk, code, name, category in Trigger.objects.filter(
            pk__in={trigger for _, trigger in exposure_moments}
        ).values_list("pk", "code", "name", "category")
    }
    names = {code: (name, category) for code, name, category in triggers.values()}
    burden = insights.daily_burden(
        days=all_days,
        domains=list(SymptomDomain.values),
        entries=burden_entries,
        logged_days=checked_in,
    )
    associations = insights.trigger_associations(
        exposures=[(triggers[trigger][0], at) for at, trigger in exposure_moments],
        flares=flare_moments,
        start=start,
        end=end,
        window=days.to_moment(days.EPOCH + window),
    )
    return {
        "days": all_days,
        "burden": burden,
        "flares": len(flare_moments),
        "associations": association_rows(associations, names),
    }
