"""Each patient's stored triage (PatientTriage): what the clinician's patient list sorts and
filters by, kept current by the writes that change it, so a page costs what one page costs.

**What is stored, and what is computed at read time.** Time passing changes the flags without
any write (the days since a dose grow, a due date passes, an episode leaves its 30 days). So the
row stores what does not depend on the reading moment:

* `facts`: the inputs of apps.clinic.flags.compute_flags (injections with their due date, last
  dose and open alert, recent episode onsets, pen expiry dates, daily peak severities of the
  worsening window, last activity);
* the *moments* at which each flag starts or stops holding given those facts: `overdue_at`
  (earliest next due), `relapse_at` (earliest due + 10 local days of a long-interval injection)
  and `open_alert`, `anaphylaxis_until` (latest onset + 30 days), `pens_missing_from` (the local
  midnight after the expiry of the second-latest pen), `worsening_from`/`worsening_until` (the
  first run of local days on which the rise holds), `last_activity_at`, `last_injection_day`.

The list computes urgency and the flag filter in SQL from those moments and the request's `now`
(and `no_data_days`), and renders the page's flags with compute_flags from `facts` — the one rule,
for the 50 rows shown only. So a stored row is never "out of date" because time passed, and no
periodic job is needed for correctness. Storing the flags themselves would need a refresh of
every row every few minutes and still be wrong in between.

The few changes time makes that moments cannot express (a medication's end date passing, a
second separate run of worsening days) set `stale_after`; the list refreshes the reader's rows
past it before reading (normally none: one indexed query), and so does the periodic task.

`refresh(patient_id)` is called by the writes (apps.clinic.signals, and one-line hooks where a
write bypasses model signals) inside their transaction. `reconcile()` (apps.clinic.tasks,
periodic) recomputes every row from scratch and logs any drift.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import models, transaction
from django.db.models import Case, Exists, OuterRef, Q, Subquery, Value, When
from django.utils.dateparse import parse_datetime

from apps.careteam.models import Patient
from apps.diary.models import AnaphylaxisEpisode, DailyCheckIn, SymptomEntry
from apps.epinephrine.models import PENS_NEEDED, AutoInjector, PenState
from apps.medications.models import (
    INJECTED_ROUTES,
    DoseLog,
    DoseStatus,
    Medication,
    MedicationAlertFlag,
    RegimenKind,
)
from apps.medications.policy import LONG_INTERVAL_FROM_DAYS
from apps.medications.schedule import shift_local

from . import flags as flag_rules
from . import selectors
from .models import PatientTriage

logger = logging.getLogger(__name__)

# "Always" for a flag that holds whatever the moment (fewer than two pens at all).
ALWAYS = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
BATCH = 500


# --- gathering the facts --------------------------------------------------------------------------


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _day(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _moment(text: str | None) -> dt.datetime | None:
    return parse_datetime(text) if text else None


def gather(patients: Sequence[Patient], *, now: dt.datetime) -> dict[Any, dict[str, Any]]:
    """The stored facts of every patient given, in a fixed number of queries (six, plus two
    when an alert is open) whatever the patients have logged."""
    ids = [p.pk for p in patients]
    activity = {
        p.pk: selectors.last_activity(p)
        for p in selectors.with_activity(Patient.objects.filter(pk__in=ids))
    }
    out: dict[Any, dict[str, Any]] = {
        p.pk: {
            "injections": [],
            "episodes": [],
            "pens": [],
            "peaks": {},
            "last_activity_at": _iso(activity.get(p.pk)),
        }
        for p in patients
    }
    if not ids:
        return out
    zones = {p.pk: p.zone for p in patients}
    todays = {p.pk: p.local_today(now) for p in patients}

    # 1. Injected medications on an interval regimen, not paused, not ended, with their last
    # dose, open alert and who acknowledged it (selectors._acknowledgements).
    last_taken = (
        DoseLog.objects.filter(
            medication=OuterRef("pk"), status=DoseStatus.TAKEN, deleted_at__isnull=True
        )
        .order_by("-taken_at")
        .values("taken_at")[:1]
    )
    open_alert = MedicationAlertFlag.objects.filter(
        medication=OuterRef("pk"), cleared_at__isnull=True
    )
    facts = {
        p.pk: flag_rules.PatientFacts(patient_id=p.pk, today=todays[p.pk], zone=zones[p.pk])
        for p in patients
    }
    ends: dict[Any, dt.date | None] = {}
    for med in (
        Medication.objects.filter(
            patient_id__in=ids,
            route__in=INJECTED_ROUTES,
            regimen_kind=RegimenKind.INTERVAL,
            paused_at__isnull=True,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=min(todays.values())))
        .annotate(last_taken_at=Subquery(last_taken), open_alert=Exists(open_alert))
        .only(
            "id", "patient_id", "name", "next_dose_due_at", "end_date", "interval", "interval_unit"
        )
        .order_by("start_date", "id")
    ):
        if med.end_date is not None and med.end_date < todays[med.patient_id]:
            continue
        interval_days = None
        if med.interval and med.interval_unit != "hours":
            interval_days = med.interval * (7 if med.interval_unit == "weeks" else 1)
        ends[med.pk] = med.end_date
        facts[med.patient_id].injections.append(
            flag_rules.InjectionFacts(
                medication_id=med.pk,
                name=med.name,
                next_dose_due_at=med.next_dose_due_at,
                last_taken_at=med.last_taken_at,
                long_interval=interval_days is not None
                and interval_days >= LONG_INTERVAL_FROM_DAYS,
                open_alert=med.open_alert,
            )
        )
    selectors._acknowledgements(facts)
    for pid, fact in facts.items():
        out[pid]["injections"] = [
            {
                "medication_id": str(inj.medication_id),
                "name": inj.name,
                "next_dose_due_at": _iso(inj.next_dose_due_at),
                "last_taken_at": _iso(inj.last_taken_at),
                "long_interval": inj.long_interval,
                "open_alert": inj.open_alert,
                "acknowledged_at": _iso(inj.acknowledged_at),
                "acknowledged_by": (
                    {**inj.acknowledged_by, "id": str(inj.acknowledged_by["id"])}
                    if inj.acknowledged_by
                    else None
                ),
                "end_date": _day(ends[inj.medication_id]),
            }
            for inj in fact.injections
        ]

    # 2. Anaphylaxis episodes of the last 30 days, or dated ahead (onsets).
    since = now - dt.timedelta(days=flag_rules.ANAPHYLAXIS_DAYS)
    for patient_id, onset_at in (
        AnaphylaxisEpisode.objects.filter(
            patient_id__in=ids, deleted_at__isnull=True, onset_at__gte=since
        )
        .order_by("onset_at")
        .values_list("patient_id", "onset_at")
    ):
        out[patient_id]["episodes"].append(onset_at.isoformat())

    # 3. The expiry dates of the pens in use (apps.epinephrine: ready while not past expiry).
    for patient_id, expires_on in (
        AutoInjector.objects.filter(
            patient_id__in=ids, deleted_at__isnull=True, state=PenState.IN_USE
        )
        .order_by("expires_on")
        .values_list("patient_id", "expires_on")
    ):
        out[patient_id]["pens"].append(expires_on.isoformat())

    # 4–5. Daily peak severity (0 for a check-in day without symptoms) of the worsening window.
    span = flag_rules.WORSENING_RECENT_DAYS + flag_rules.WORSENING_PREVIOUS_DAYS
    first_day = min(todays.values()) - dt.timedelta(days=span)
    peaks: dict[Any, dict[dt.date, int]] = {pid: {} for pid in ids}
    for patient_id, local_date in DailyCheckIn.objects.filter(
        patient_id__in=ids, deleted_at__isnull=True, local_date__gte=first_day
    ).values_list("patient_id", "local_date"):
        peaks[patient_id].setdefault(local_date, 0)
    # Later days too (an entry dated ahead): compute_flags reads a day's peak only once the
    # day has come.
    for patient_id, occurred_at, severity in SymptomEntry.objects.filter(
        patient_id__in=ids,
        deleted_at__isnull=True,
        occurred_at__gte=now - dt.timedelta(days=span + 2),
    ).values_list("patient_id", "occurred_at", "severity"):
        day = _local_date(occurred_at, zones[patient_id])
        if day is not None:
            peaks[patient_id][day] = max(peaks[patient_id].get(day, 0), severity)
    for pid in ids:
        out[pid]["peaks"] = {
            day.isoformat(): peak
            for day, peak in sorted(peaks[pid].items())
            if day >= todays[pid] - dt.timedelta(days=span)
        }
    return out


# --- reading the stored facts ---------------------------------------------------------------------


def patient_facts(
    patient: Patient, stored: dict[str, Any], now: dt.datetime
) -> flag_rules.PatientFacts:
    """compute_flags' input at `now` from the stored facts (cheap: no query)."""
    zone = patient.zone
    today = patient.local_today(now)
    fact = flag_rules.PatientFacts(
        patient_id=patient.pk,
        today=today,
        zone=zone,
        pens_needed=PENS_NEEDED,
        last_activity_at=_moment(stored.get("last_activity_at")),
    )
    for inj in stored.get("injections", []):
        end = dt.date.fromisoformat(inj["end_date"]) if inj.get("end_date") else None
        if end is not None and end < today:
            continue
        fact.injections.append(
            flag_rules.InjectionFacts(
                medication_id=inj["medication_id"],
                name=inj["name"],
                next_dose_due_at=_moment(inj["next_dose_due_at"]),
                last_taken_at=_moment(inj["last_taken_at"]),
                long_interval=inj["long_interval"],
                open_alert=inj["open_alert"],
                acknowledged_at=_moment(inj.get("acknowledged_at")),
                acknowledged_by=inj.get("acknowledged_by"),
            )
        )
    since = now - dt.timedelta(days=flag_rules.ANAPHYLAXIS_DAYS)
    for text in stored.get("episodes", []):
        onset = parse_datetime(text)
        if onset is not None and since <= onset <= now:
            fact.episodes_30d += 1
            if fact.last_episode_at is None or onset > fact.last_episode_at:
                fact.last_episode_at = onset
    for text in stored.get("pens", []):
        if dt.date.fromisoformat(text) >= today:
            fact.ready_pens += 1
        else:
            fact.expired_pens += 1
    fact.daily_peaks = {
        dt.date.fromisoformat(day): peak for day, peak in stored.get("peaks", {}).items()
    }
    return fact


def last_injection_at(fact: flag_rules.PatientFacts) -> dt.datetime | None:
    return max(
        (i.last_taken_at for i in fact.injections if i.last_taken_at is not None), default=None
    )


# --- the moments a flag starts or stops holding ---------------------------------------------------


# A stored implausible date (year 9999, from before the validators) has no day after it: these
# answer None then, and the row is still written.


def _local_date(moment: dt.datetime, zone: Any) -> dt.date | None:
    try:
        return moment.astimezone(zone).date()
    except OverflowError:
        return None


def _start_of_day_after(day: dt.date, patient: Patient) -> dt.datetime | None:
    try:
        return _local_start(day + dt.timedelta(days=1), patient)
    except OverflowError:
        return None


def _relapse_at(due: dt.datetime, zone: Any) -> dt.datetime | None:
    try:
        return shift_local(due, zone, days=flag_rules.RELAPSE_AFTER_DUE_DAYS)
    except OverflowError:
        return None


def _local_start(day: dt.date, patient: Patient) -> dt.datetime:
    return selectors.local_start(day, patient.zone)


def moments(patient: Patient, stored: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """The columns the list reads in SQL, derived from the stored facts at `now` (the refresh)."""
    fact = patient_facts(patient, stored, now)
    zone = patient.zone
    today = fact.today
    stale_after: list[dt.datetime] = []
    for inj in stored.get("injections", []):
        if inj.get("end_date"):
            end = dt.date.fromisoformat(inj["end_date"])
            ends = _start_of_day_after(end, patient)
            if ends is not None:
                stale_after.append(ends)
    dues = [i.next_dose_due_at for i in fact.injections if i.next_dose_due_at is not None]
    relapses = [
        moment
        for moment in (
            _relapse_at(i.next_dose_due_at, zone)
            for i in fact.injections
            if i.long_interval and i.next_dose_due_at is not None
        )
        if moment is not None
    ]
    onsets = [m for m in (_moment(t) for t in stored.get("episodes", [])) if m is not None]
    ahead = [m for m in onsets if m > now]
    if ahead:  # an episode dated ahead starts counting when its onset comes
        stale_after.append(min(ahead))
    onsets = [m for m in onsets if m <= now]
    expiries = sorted((dt.date.fromisoformat(t) for t in stored.get("pens", [])), reverse=True)
    pens_missing_from: dt.datetime | None = ALWAYS
    if len(expiries) >= PENS_NEEDED:
        # Ready on day d while d <= expiry: fewer than PENS_NEEDED ready the day after the
        # PENS_NEEDED-th latest expiry.
        pens_missing_from = _start_of_day_after(expiries[PENS_NEEDED - 1], patient)
    # Worsening over the coming days (no new data): it can only hold while the recent 14 days
    # still hold data, so 43 days ahead covers every day it can.
    span = flag_rules.WORSENING_RECENT_DAYS + flag_rules.WORSENING_PREVIOUS_DAYS
    holds = [
        flag_rules.worsening(fact.daily_peaks, today + dt.timedelta(days=k)) is not None
        for k in range(span + 1)
    ]
    worsening_from = worsening_until = None
    if any(holds):
        first = holds.index(True)
        last = first
        while last + 1 < len(holds) and holds[last + 1]:
            last += 1
        worsening_from = _local_start(today + dt.timedelta(days=first), patient)
        worsening_until = _local_start(today + dt.timedelta(days=last + 1), patient)
        if any(holds[last + 1 :]):
            stale_after.append(worsening_until)
    # A day with data dated beyond the days projected (an entry dated ahead): recompute then.
    beyond = [d for d in fact.daily_peaks if d > today + dt.timedelta(days=span)]
    if beyond:
        stale_after.append(_local_start(min(beyond), patient))
    last_injection = last_injection_at(fact)
    return {
        "open_alert": any(i.open_alert for i in fact.injections),
        "overdue_at": min(dues, default=None),
        "relapse_at": min(relapses, default=None),
        "anaphylaxis_until": (
            max(onsets) + dt.timedelta(days=flag_rules.ANAPHYLAXIS_DAYS) if onsets else None
        ),
        "pens_missing_from": pens_missing_from,
        "worsening_from": worsening_from,
        "worsening_until": worsening_until,
        "last_activity_at": fact.last_activity_at,
        "last_injection_at": last_injection,
        "last_injection_day": _local_date(last_injection, zone) if last_injection else None,
        "stale_after": min(stale_after, default=None),
    }


# --- the SQL the list reads -----------------------------------------------------------------------


def flag_conditions(now: dt.datetime, no_data_days: int) -> dict[str, Q]:
    """Each flag as a condition on the stored row at `now` (through the patient: `triage__`):
    the same rule as compute_flags, from the moments. tests/clinic/test_triage.py holds them
    equal."""
    p = "triage__"
    return {
        "relapse_window": Q(**{f"{p}open_alert": True}) | Q(**{f"{p}relapse_at__lte": now}),
        "recent_anaphylaxis": Q(**{f"{p}anaphylaxis_until__gte": now}),
        "overdue_injection": Q(**{f"{p}overdue_at__lt": now}),
        "pens_missing": Q(**{f"{p}pens_missing_from__lte": now}),
        "worsening_symptoms": Q(**{f"{p}worsening_from__lte": now, f"{p}worsening_until__gt": now}),
        "no_data": Q(**{f"{p}last_activity_at__isnull": True})
        | Q(**{f"{p}last_activity_at__lte": now - dt.timedelta(days=no_data_days)}),
    }


def urgency_expression(now: dt.datetime, no_data_days: int) -> Any:
    """Σ of the severity weights of the flags that hold: apps.clinic.flags.urgency_score, in SQL."""
    terms = [
        Case(
            When(condition, then=Value(flag_rules.SEVERITY_WEIGHT[flag_rules.FLAGS[code][1]])),
            default=Value(0),
            output_field=models.IntegerField(),
        )
        for code, condition in flag_conditions(now, no_data_days).items()
    ]
    total: Any = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


# --- writing the rows -----------------------------------------------------------------------------


def _rows(patients: Sequence[Patient], now: dt.datetime) -> list[PatientTriage]:
    stored = gather(patients, now=now)
    return [
        PatientTriage(
            patient_id=p.pk, computed_at=now, facts=stored[p.pk], **moments(p, stored[p.pk], now)
        )
        for p in patients
    ]


_FIELDS = [
    f.name
    for f in PatientTriage._meta.concrete_fields
    if f.name not in ("patient",) and not f.primary_key
]


def _save(rows: list[PatientTriage]) -> None:
    PatientTriage.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["patient"], update_fields=_FIELDS
    )


def _lock(patient_ids: list[Any]) -> None:
    """Lock the rows about to be recomputed (in pk order: no deadlock) before reading the facts:
    a concurrent write's refresh waits, then reads what this one committed — the last writer
    never stores facts read before another's commit.

    Each patient's write lock (apps.sync.services.lock_patient_feed, which the change feed and
    the stored diary days take too) comes first, so every transaction takes a patient's locks in
    one order: the write lock, then the triage row. Taking the row first here deadlocked against
    a write that held the write lock and then refreshed triage (found by schemathesis: two
    "I used this pen" at once)."""
    from apps.sync.services import lock_patients

    lock_patients(patient_ids)
    list(
        PatientTriage.objects.select_for_update()
        .filter(patient_id__in=patient_ids)
        .order_by("patient_id")
        .values_list("patient_id", flat=True)
    )


def refresh_many(patients: Iterable[Patient], *, now: dt.datetime | None = None) -> None:
    from django.utils import timezone

    patients = list(patients)
    now = now or timezone.now()
    for i in range(0, len(patients), BATCH):
        batch = patients[i : i + BATCH]
        with transaction.atomic():
            _lock([p.pk for p in batch])
            _save(_rows(batch, now))


def refresh(patient_id: Any) -> None:
    """Recompute one patient's row now (called by the writes that change it, in their
    transaction). A patient deleted in the same transaction: nothing to do."""
    refresh_ids([patient_id])


def refresh_ids(patient_ids: Iterable[Any]) -> None:
    ids = {pid for pid in patient_ids if pid is not None}
    if ids:
        refresh_many(Patient.objects.filter(pk__in=ids))


# --- reconciliation -------------------------------------------------------------------------------


def drift(
    patient: Patient, stored: PatientTriage, fresh: PatientTriage, now: dt.datetime
) -> list[str]:
    """What the stored row says differently from a recomputation, at `now`: the flags (codes,
    details, acknowledgements) and every column the list reads."""
    urls = selectors.Evidence()
    differences = []
    a = flag_rules.compute_flags(
        patient_facts(patient, stored.facts, now), now=now, no_data_days=7, urls=urls
    )
    b = flag_rules.compute_flags(
        patient_facts(patient, fresh.facts, now), now=now, no_data_days=7, urls=urls
    )
    if [f.as_dict() for f in a] != [f.as_dict() for f in b]:
        differences.append("flags")
    for name in (
        "open_alert",
        "overdue_at",
        "relapse_at",
        "anaphylaxis_until",
        "pens_missing_from",
        "worsening_from",
        "worsening_until",
        "last_activity_at",
        "last_injection_day",
    ):
        if getattr(stored, name) != getattr(fresh, name):
            # A moment already past on both sides reads the same (an episode's window that
            # ended, a worsening run both rows see as over) — not drift.
            old, new = getattr(stored, name), getattr(fresh, name)
            if name in ("anaphylaxis_until", "worsening_until") and all(
                m is None or m < now for m in (old, new)
            ):
                continue
            if (
                name == "worsening_from"
                and stored.worsening_until == fresh.worsening_until
                and all(m is not None and m <= now for m in (old, new))
            ):
                continue
            differences.append(name)
    return differences


def reconcile(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Recompute every patient's row from scratch, log the ones that differed, and store the
    recomputation. There should be no drift; a missing row counts as drift too."""
    from django.utils import timezone

    now = now or timezone.now()
    checked = drifted = 0
    ids = list(Patient.objects.order_by("pk").values_list("pk", flat=True))
    for i in range(0, len(ids), BATCH):
        with transaction.atomic():
            patients = list(Patient.objects.filter(pk__in=ids[i : i + BATCH]))
            _lock([p.pk for p in patients])
            stored = PatientTriage.objects.in_bulk([p.pk for p in patients])
            fresh = _rows(patients, now)
            for patient, row in zip(patients, fresh, strict=True):
                checked += 1
                old = stored.get(patient.pk)
                differences = ["missing"] if old is None else drift(patient, old, row, now)
                if differences:
                    drifted += 1
                    logger.warning(
                        "triage drift for patient %s: %s", patient.pk, ", ".join(differences)
                    )
            _save(fresh)
    if drifted:
        logger.warning("triage reconciliation: %d of %d rows drifted", drifted, checked)
    else:
        logger.info("triage reconciliation: %d rows, no drift", checked)
    return {"checked": checked, "drifted": drifted}


def refresh_stale(patients: Any, now: dt.datetime) -> int:
    """Refresh the rows of `patients` (a Patient queryset) that are missing or past their
    `stale_after`: normally none (one indexed query)."""
    stale = list(
        patients.filter(Q(triage__isnull=True) | Q(triage__stale_after__lte=now)).order_by()
    )
    if stale:
        refresh_many(stale, now=now)
    return len(stale)
