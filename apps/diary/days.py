"""The stored per-day summary of a patient's diary (models.DiaryDay), which insights read instead
of every record.

`compute` is the one rule of what a day's row holds. Everything else applies it:

* `records_changed` / `refresh`: the days a write touched, in the write's transaction. Model
  signals call it for every save and delete (apps.diary.signals), and the diary records' queryset
  for its bulk writes, which send no signals (models.DiaryRecordQuerySet).
* `rebuild`: all of a patient's days, when their time zone moves every local day.
* `reconcile`: every patient, from scratch, logging drift (apps.diary.tasks.reconcile_diary_days).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import logging
from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import Any

from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from apps.careteam.models import Patient
from apps.core.localtime import local_day
from apps.sync.services import lock_patient_feed

from .models import AnaphylaxisEpisode, DailyCheckIn, DiaryDay, SymptomEntry, TriggerExposure

logger = logging.getLogger(__name__)

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)

# The field that places each kind of record on a day: a moment, or the check-in's own date.
DAY_FIELD: dict[type[Any], str] = {
    SymptomEntry: "occurred_at",
    TriggerExposure: "occurred_at",
    AnaphylaxisEpisode: "onset_at",
    DailyCheckIn: "local_date",
}
JSON_FIELDS = ("peaks", "severities", "episode_onsets", "exposures")
FIELDS = ("checked_in", *JSON_FIELDS)


def to_moment(at: dt.datetime) -> int:
    """`at` as whole microseconds since the epoch, as DiaryDay keeps moments."""
    return (at - EPOCH) // MICROSECOND


def from_moment(moment: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=moment)


def _midnight(day: dt.date, shift: int, zone: dt.tzinfo) -> dt.datetime | None:
    """The local midnight starting `shift` days after `day`, in UTC; None past the edge of the
    calendar (a stored row from before dates were validated): that side of the range stays
    open."""
    try:
        return dt.datetime.combine(
            day + dt.timedelta(days=shift), dt.time(), tzinfo=zone
        ).astimezone(dt.UTC)
    except OverflowError:
        return None


def compute(patient: Patient, days: Collection[dt.date] | None = None) -> dict[dt.date, dict]:
    """What the patient's rows hold for `days` (for every day with a record when None), from the
    live records: {local date: {field: value}}, and no entry for a day without any record.

    A record's day is its local day in the patient's zone now (apps.core.localtime.local_day);
    a check-in's is its own `local_date`."""
    zone = patient.zone
    live: dict[str, Any] = {"patient": patient, "deleted_at__isnull": True}
    moments: dict[str, Any] = {}
    if days is not None:
        if not days:
            return {}
        # A day's records lie between its midnight and the next; a day's margin either side
        # costs little, and the exact day of each record is taken below.
        lo = _midnight(min(days), -1, zone)
        hi = _midnight(max(days), 2, zone)
        moments = {"gte": lo, "lt": hi}

    def timed(field: str) -> dict[str, Any]:
        return {f"{field}__{op}": at for op, at in moments.items() if at is not None}

    rows: dict[dt.date, dict[str, Any]] = {}

    def row(day: dt.date) -> dict[str, Any] | None:
        if days is not None and day not in days:
            return None
        if day not in rows:
            rows[day] = {
                "checked_in": False,
                "peaks": {},
                "severities": {},
                "episode_onsets": [],
                "exposures": [],
            }
        return rows[day]

    for at, domain, severity in SymptomEntry.objects.filter(
        **live, **timed("occurred_at")
    ).values_list("occurred_at", "symptom__domain", "severity"):
        if (day := row(local_day(at, zone))) is not None:
            day["peaks"][domain] = max(day["peaks"].get(domain, 0), severity)
            if severity >= 1:
                day["severities"].setdefault(str(severity), []).append(to_moment(at))
    for at in AnaphylaxisEpisode.objects.filter(**live, **timed("onset_at")).values_list(
        "onset_at", flat=True
    ):
        if (day := row(local_day(at, zone))) is not None:
            day["episode_onsets"].append(to_moment(at))
    for at, trigger_id in TriggerExposure.objects.filter(
        **live, **timed("occurred_at")
    ).values_list("occurred_at", "trigger_id"):
        if (day := row(local_day(at, zone))) is not None:
            day["exposures"].append([to_moment(at), str(trigger_id)])
    check_ins = DailyCheckIn.objects.filter(**live)
    if days is not None:
        check_ins = check_ins.filter(local_date__in=days)
    for local_date in check_ins.values_list("local_date", flat=True):
        if (day := row(local_date)) is not None:
            day["checked_in"] = True
    for day in rows.values():
        day["severities"] = {s: sorted(day["severities"][s]) for s in sorted(day["severities"])}
        day["episode_onsets"].sort()
        day["exposures"].sort()
    return rows


def stored(patient: Patient, first: dt.date, last: dt.date) -> list[tuple[Any, ...]]:
    """The patient's rows from `first` to `last`: (local_date, checked_in, peaks, severities,
    episode_onsets, exposures) each. The JSON of all of them is decoded in one call: a
    json.loads per cell was most of the cost of reading three years."""
    rows = list(
        DiaryDay.objects.filter(patient=patient, local_date__gte=first, local_date__lte=last)
        .annotate(**{f"{name}_text": Cast(name, TextField()) for name in JSON_FIELDS})
        .values_list("local_date", "checked_in", *(f"{name}_text" for name in JSON_FIELDS))
    )
    text = "[" + ",".join("[" + ",".join(row[2:]) + "]" for row in rows) + "]"
    # Three years decode into thousands of small lists and dicts, none in a cycle; each 700 new
    # ones would start a collection and every few a full one, over every object of the process
    # (half the cost of the read). The collector waits until they are built.
    enabled = gc.isenabled()
    gc.disable()
    try:
        decoded = json.loads(text)
    finally:
        if enabled:
            gc.enable()
    return [(row[0], row[1], *values) for row, values in zip(rows, decoded, strict=True)]


def _store(patient: Patient, rows: dict[dt.date, dict], days: Collection[dt.date] | None) -> None:
    """Make the patient's stored rows for `days` (all of them when None) exactly `rows`."""
    stored = DiaryDay.objects.filter(patient=patient)
    if days is not None:
        stored = stored.filter(local_date__in=days)
    stored.exclude(local_date__in=list(rows)).delete()
    DiaryDay.objects.bulk_create(
        [DiaryDay(patient=patient, local_date=day, **fields) for day, fields in rows.items()],
        batch_size=500,
        update_conflicts=True,
        unique_fields=["patient", "local_date"],
        update_fields=list(FIELDS),
    )


def refresh(patient_id: Any, touched: Iterable[dt.date]) -> None:
    """Recompute the patient's rows for the days `touched` (a moment stands for its local day),
    in the caller's transaction. A patient deleted in the same transaction: nothing to do."""
    with transaction.atomic():
        # Serialises two writes of the same patient: the second recomputes after the first
        # commits and sees its record (READ COMMITTED reads per statement).
        lock_patient_feed(patient_id)
        patient = Patient.objects.filter(pk=patient_id).first()
        if patient is None:
            return
        days = {
            local_day(at, patient.zone) if isinstance(at, dt.datetime) else at for at in touched
        }
        _store(patient, compute(patient, days), days)


def records_changed(touched: Iterable[tuple[Any, dt.date | None]]) -> None:
    """Refresh the days of (patient id, moment or date) pairs — a record's place before and
    after a write."""
    by_patient: dict[Any, set[dt.date]] = defaultdict(set)
    for patient_id, at in touched:
        if patient_id is not None and at is not None:
            by_patient[patient_id].add(at)
    for patient_id, days in by_patient.items():
        refresh(patient_id, days)


def placed(model: type[Any], records: Iterable[Any]) -> list[tuple[Any, Any]]:
    """(patient id, moment or date) of each record, by its model's DAY_FIELD."""
    field = DAY_FIELD[model]
    return [(record.patient_id, getattr(record, field)) for record in records]


def placed_in_database(model: type[Any], pks: Iterable[Any]) -> list[tuple[Any, Any]]:
    """The same as `placed`, as the database holds those records now."""
    pks = list(pks)
    if not pks:
        return []
    return list(
        model._default_manager.filter(pk__in=pks).values_list("patient_id", DAY_FIELD[model])
    )


def rebuild(patient: Patient) -> None:
    """Recompute all of the patient's rows (their time zone moved every local day)."""
    with transaction.atomic():
        lock_patient_feed(patient.pk)
        _store(patient, compute(patient), None)


def reconcile() -> dict[str, int]:
    """Recompute every patient's rows from scratch, log the patients whose stored rows differed
    (there should be none: the writes keep them current), and store the recomputation."""
    checked = drifted = 0
    for patient_id in Patient.objects.order_by("pk").values_list("pk", flat=True).iterator():
        with transaction.atomic():
            lock_patient_feed(patient_id)
            patient = Patient.objects.filter(pk=patient_id).first()
            if patient is None:
                continue
            fresh = compute(patient)
            stored = {
                day: dict(zip(FIELDS, values, strict=True))
                for day, *values in DiaryDay.objects.filter(patient=patient).values_list(
                    "local_date", *FIELDS
                )
            }
            checked += 1
            if stored != fresh:
                drifted += 1
                wrong = sorted(
                    day for day in stored.keys() | fresh.keys() if stored.get(day) != fresh.get(day)
                )
                logger.warning(
                    "diary day drift for patient %s: %d days, first %s, last %s",
                    patient_id,
                    len(wrong),
                    wrong[0],
                    wrong[-1],
                )
                _store(patient, fresh, None)
    if drifted:
        logger.warning("diary day reconciliation: %d of %d patients drifted", drifted, checked)
    else:
        logger.info("diary day reconciliation: %d patients, no drift", checked)
    return {"checked": checked, "drifted": drifted}
