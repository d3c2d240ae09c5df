"""Reads of the diary worth a name: query parameters for periods and filters, the merged
timeline and the data behind the insights. Each runs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date
from rest_framework import serializers

from apps.careteam.models import Patient

from . import insights
from .models import (
    AnaphylaxisEpisode,
    DailyCheckIn,
    LabAnalyte,
    LabResult,
    SymptomDomain,
    SymptomEntry,
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
        "invalid": "A date (2026-01-31) or a time with its offset (2026-01-31T08:00:00+01:00)."
    }

    def __init__(self, *, end_of_day: bool = False, **kwargs: Any) -> None:
        self.end_of_day = end_of_day
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> dt.datetime:
        if not isinstance(data, str):
            self.fail("invalid")
        zone = self.context["patient"].zone
        day = parse_date(data) if len(data) == 10 else None
        if day is not None:
            return local_midnight(day + dt.timedelta(days=int(self.end_of_day)), zone)
        try:
            moment = serializers.DateTimeField().to_internal_value(data)
        except serializers.ValidationError:
            self.fail("invalid")
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
            raise serializers.ValidationError({"to": ["Must be after `from`."]})
        if end - start > dt.timedelta(days=self.max_days, hours=1):  # an hour: a DST day
            raise serializers.ValidationError(
                {"to": [f"A period of at most {self.max_days} days."]}
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
            raise serializers.ValidationError({"to": ["Must be after `from`."]})
        return attrs


def local_date_bounds(
    start: dt.datetime | None, end: dt.datetime | None, zone: zoneinfo.ZoneInfo
) -> tuple[dt.date | None, dt.date | None]:
    """The local days whose midnight falls in [start, end): first day included, first day
    excluded (either None when open)."""

    def first_day_from(moment: dt.datetime) -> dt.date:
        local = moment.astimezone(zone)
        day = local.date()
        return day if local_midnight(day, zone) >= moment else day + dt.timedelta(days=1)

    return (
        first_day_from(start) if start else None,
        first_day_from(end) if end else None,
    )


# --- querysets -------------------------------------------------------------------------------------


def live(queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(deleted_at__isnull=True)


def symptom_entries() -> QuerySet[SymptomEntry]:
    return SymptomEntry.objects.select_related("symptom")


def trigger_exposures() -> QuerySet[TriggerExposure]:
    return TriggerExposure.objects.select_related("trigger")


def anaphylaxis_episodes() -> QuerySet[AnaphylaxisEpisode]:
    return AnaphylaxisEpisode.objects.prefetch_related(
        Prefetch("suspected_exposures", queryset=TriggerExposure.objects.only("id", "deleted_at")),
        "pen_uses",  # the pens used for its epinephrine doses (apps.epinephrine.PenUse)
    )


# --- the timeline ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    kind: str
    at: dt.datetime
    record: Any


def timeline(*, patient: Patient, period: Period) -> list[TimelineItem]:
    """Every live diary record of the period, oldest first (six queries, whatever the rows).
    A check-in sits at the start of its local day."""
    zone = patient.zone
    window = {"patient": patient, "deleted_at__isnull": True}
    first_day, after_last_day = local_date_bounds(period.start, period.end, zone)
    items: list[TimelineItem] = []
    for entry in symptom_entries().filter(
        **window, occurred_at__gte=period.start, occurred_at__lt=period.end
    ):
        items.append(TimelineItem("symptom", entry.occurred_at, entry))
    for check_in in DailyCheckIn.objects.filter(
        **window, local_date__gte=first_day, local_date__lt=after_last_day
    ):
        day_start = local_midnight(check_in.local_date, zone).astimezone(dt.UTC)
        items.append(TimelineItem("check_in", day_start, check_in))
    for exposure in trigger_exposures().filter(
        **window, occurred_at__gte=period.start, occurred_at__lt=period.end
    ):
        items.append(TimelineItem("trigger_exposure", exposure.occurred_at, exposure))
    for episode in anaphylaxis_episodes().filter(
        **window, onset_at__gte=period.start, onset_at__lt=period.end
    ):
        items.append(TimelineItem("anaphylaxis_episode", episode.onset_at, episode))
    for lab in LabResult.objects.filter(
        **window, sampled_at__gte=period.start, sampled_at__lt=period.end
    ):
        items.append(TimelineItem("lab_result", lab.sampled_at, lab))
    items.sort(key=lambda item: (item.at, item.kind, str(item.record.pk)))
    return items


# --- insights --------------------------------------------------------------------------------------


def patient_insights(
    *, patient: Patient, period: Period, threshold: int, window: dt.timedelta
) -> dict[str, Any]:
    """Daily burden per domain and trigger associations for the period (four queries)."""
    zone = patient.zone
    # The period's local days: from the day `start` falls in to the day before `end`.
    day = period.start.astimezone(zone).date()
    last = (period.end - dt.timedelta(microseconds=1)).astimezone(zone).date()
    days = []
    while day <= last:
        days.append(day)
        day += dt.timedelta(days=1)

    window_q = {"patient": patient, "deleted_at__isnull": True}
    entries = SymptomEntry.objects.filter(
        **window_q, occurred_at__gte=period.start, occurred_at__lt=period.end + window
    ).values_list("occurred_at", "symptom__domain", "severity")
    burden_entries = []
    flares = []
    for occurred_at, domain, severity in entries:
        if occurred_at < period.end:
            burden_entries.append((occurred_at.astimezone(zone).date(), domain, severity))
        if severity >= threshold:
            flares.append(occurred_at)
    checked_in = DailyCheckIn.objects.filter(
        **window_q, local_date__gte=days[0], local_date__lte=days[-1]
    ).values_list("local_date", flat=True)
    flares.extend(
        AnaphylaxisEpisode.objects.filter(
            **window_q, onset_at__gt=period.start, onset_at__lt=period.end + window
        ).values_list("onset_at", flat=True)
    )
    exposures = []
    names: dict[str, tuple[str, str]] = {}
    for code, name, category, occurred_at in TriggerExposure.objects.filter(
        **window_q, occurred_at__gte=period.start, occurred_at__lt=period.end
    ).values_list("trigger__code", "trigger__name", "trigger__category", "occurred_at"):
        exposures.append((code, occurred_at))
        names[code] = (name, category)

    domains = list(SymptomDomain.values)
    burden = insights.daily_burden(
        days=days, domains=domains, entries=burden_entries, logged_days=checked_in
    )
    associations = insights.trigger_associations(
        exposures=exposures, flares=flares, start=period.start, end=period.end, window=window
    )
    return {
        "days": days,
        "burden": burden,
        "flares": len(flares),
        "associations": [
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
        ],
    }
