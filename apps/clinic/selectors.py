"""Reads of the clinician dashboard. Every function here runs a fixed number of queries whatever
the amount of data behind it: it reads across the patients it is given with one query per kind
of record (IN lists, GROUP BY, Max subqueries), never one query per patient."""

from __future__ import annotations

import contextlib
import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext, ngettext

from apps.careteam.models import Membership, Patient, Role
from apps.diary import insights
from apps.diary.models import (
    AnaphylaxisEpisode,
    DailyCheckIn,
    LabAnalyte,
    LabResult,
    SymptomDomain,
    SymptomEntry,
    TriggerExposure,
)
from apps.medications import selectors as medication_selectors
from apps.medications.models import (
    DoseLog,
    DoseStatus,
    Medication,
    MedicationAlertFlag,
    RegimenKind,
    ReminderStep,
    legacy_source_key,
    source_key,
)
from apps.medications.selectors import OccurrenceState
from apps.notifications.models import Notification, Urgency

from . import flags as flag_rules
from . import response

ADHERENCE_DAYS = 30


def local_start(day: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)


# --- whose patients -------------------------------------------------------------------------------


def clinician_patients(user: Any) -> QuerySet[Patient]:
    """The patients on whose care team `user` is an active clinician. Anyone else: none."""
    if not getattr(user, "is_authenticated", False):
        return Patient.objects.none()
    return Patient.objects.filter(
        Exists(
            Membership.objects.active().filter(
                patient=OuterRef("pk"), user=user, role=Role.CLINICIAN
            )
        )
    )


def _latest(model: type[Any], field: str) -> Subquery:
    return Subquery(
        model.objects.filter(patient=OuterRef("pk"), deleted_at__isnull=True)
        .order_by(f"-{field}")
        .values(field)[:1]
    )


def with_activity(queryset: QuerySet[Patient]) -> QuerySet[Patient]:
    """Each patient with the time of their latest record of each kind (index-backed
    "latest row" subqueries, one SQL statement for the whole list)."""
    return queryset.annotate(
        last_symptom_at=_latest(SymptomEntry, "occurred_at"),
        last_exposure_at=_latest(TriggerExposure, "occurred_at"),
        last_episode_onset_at=_latest(AnaphylaxisEpisode, "onset_at"),
        last_dose_at=_latest(DoseLog, "taken_at"),
        last_check_in_date=_latest(DailyCheckIn, "local_date"),
    )


def last_activity(patient: Any) -> dt.datetime | None:
    """The latest of the annotated times; a check-in counts from the start of its local day."""
    moments = [
        getattr(patient, name, None)
        for name in ("last_symptom_at", "last_exposure_at", "last_episode_onset_at", "last_dose_at")
    ]
    check_in = getattr(patient, "last_check_in_date", None)
    if check_in is not None:
        with contextlib.suppress(OverflowError):  # a stored implausible date (year 9999)
            moments.append(local_start(check_in, patient.zone))
    present = [m for m in moments if m is not None]
    return max(present) if present else None


# --- evidence URLs --------------------------------------------------------------------------------


class Evidence:
    """API URLs of the records behind a flag."""

    @staticmethod
    def _url(name: str, patient_id: Any, **query: Any) -> str:
        url = reverse(name, kwargs={"patient_pk": patient_id})
        return f"{url}?{urlencode(query)}" if query else url

    def doses(self, patient_id: Any, medication_id: Any) -> str:
        return self._url("dose-list", patient_id, medication=medication_id)

    def episodes(self, patient_id: Any, since: dt.datetime) -> str:
        return self._url("anaphylaxis-episode-list", patient_id, **{"from": since.isoformat()})

    def pens(self, patient_id: Any) -> str:
        return self._url("pen-list", patient_id)

    def insights(self, patient_id: Any, since: dt.date) -> str:
        return self._url("diary-insights", patient_id, **{"from": since.isoformat()})

    def timeline(self, patient_id: Any, since: dt.datetime) -> str:
        return self._url("diary-timeline", patient_id, **{"from": since.isoformat()})


# --- the facts behind the flags (gathered by apps.clinic.triage) ---------------------------------


def _acknowledgements(facts: dict[Any, flag_rules.PatientFacts]) -> None:
    """Who acknowledged the urgent alert behind each open dashboard flag (two queries, none
    without an open flag): apps.notifications records it on every copy of the alert."""
    injections = {
        inj.medication_id: inj
        for fact in facts.values()
        for inj in fact.injections
        if inj.open_alert
    }
    if not injections:
        return
    # The flag names the missed moment; the alert is named by the step's cycle (ReminderStep),
    # or by the moment for alerts sent before cycles existed.
    open_flags = Q()
    keys: dict[str, Any] = {}
    for flag in MedicationAlertFlag.objects.filter(
        medication_id__in=list(injections), cleared_at__isnull=True
    ).only("medication_id", "due_at"):
        open_flags |= Q(medication_id=flag.medication_id, due_at=flag.due_at)
        keys[legacy_source_key(flag.medication_id, flag.due_at)] = flag.medication_id
    if not keys:
        return
    for medication_id, cycle in (
        ReminderStep.objects.filter(open_flags).values_list("medication_id", "cycle").distinct()
    ):
        keys[source_key(medication_id, cycle)] = medication_id
    for notification in (
        Notification.objects.filter(
            source_key__in=list(keys), urgency=Urgency.URGENT, acknowledged_at__isnull=False
        )
        .select_related("acknowledged_by")
        .order_by("acknowledged_at")
    ):
        inj = injections[keys[notification.source_key]]
        if inj.acknowledged_at is None:
            by = notification.acknowledged_by
            inj.acknowledged_at = notification.acknowledged_at
            inj.acknowledged_by = {"id": by.pk, "name": by.display_name} if by else None


# --- adherence ------------------------------------------------------------------------------------


def adherence(patients: Sequence[Patient], *, now: dt.datetime) -> dict[Any, float | None]:
    """Share of the last 30 days' decided doses that were taken, per patient: apps.medications'
    one adherence rule (apps.medications.selectors.adherence)."""
    return medication_selectors.adherence(
        patients, start=now - dt.timedelta(days=ADHERENCE_DAYS), end=now, now=now
    )


# --- one patient's overview -----------------------------------------------------------------------


def days_of(start: dt.datetime, end: dt.datetime, zone: zoneinfo.ZoneInfo) -> list[dt.date]:
    day = start.astimezone(zone).date()
    last = (end - dt.timedelta(microseconds=1)).astimezone(zone).date()
    days = []
    while day <= last:
        days.append(day)
        day += dt.timedelta(days=1)
    return days


def burden_and_qol(
    patient: Patient, first: dt.date, last: dt.date
) -> tuple[list[dt.date], dict[str, list[int | None]], dict[dt.date, int]]:
    """Daily burden per domain (apps.diary.insights.daily_burden) and QoL of local days
    [first, last]: two queries."""
    zone = patient.zone
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    start = local_start(first, zone)
    end = local_start(last + dt.timedelta(days=1), zone)
    entries = [
        (occurred_at.astimezone(zone).date(), domain, severity)
        for occurred_at, domain, severity in SymptomEntry.objects.filter(
            patient=patient, deleted_at__isnull=True, occurred_at__gte=start, occurred_at__lt=end
        ).values_list("occurred_at", "symptom__domain", "severity")
    ]
    qol = dict(
        DailyCheckIn.objects.filter(
            patient=patient, deleted_at__isnull=True, local_date__gte=first, local_date__lte=last
        ).values_list("local_date", "quality_of_life")
    )
    burden = insights.daily_burden(
        days=days, domains=list(SymptomDomain.values), entries=entries, logged_days=qol.keys()
    )
    return days, burden, qol


def dose_timeline(
    patient: Patient, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> list[dict[str, Any]]:
    """Per local day and medication: doses taken and skipped (the dose log) and missed (due
    occurrences left unanswered past their grace, by apps.medications.selectors)."""
    from apps.medications.selectors import patient_schedule

    zone = patient.zone
    first, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    names = dict(Medication.objects.filter(patient=patient).values_list("id", "name"))
    rows: dict[tuple[dt.date, Any], dict[str, int]] = defaultdict(
        lambda: {"taken": 0, "missed": 0, "skipped": 0}
    )
    # Missed: occurrences nobody answered, by apps.medications' schedule and its rules.
    schedule = patient_schedule(patient=patient, start=first, end=last, now=now)
    for occurrence in schedule.occurrences:
        if occurrence.state == OccurrenceState.MISSED:
            day = occurrence.due_at.astimezone(zone).date()
            rows[(day, occurrence.medication_id)]["missed"] += 1
    # Taken and skipped: the dose log itself, scheduled or as-needed alike.
    for medication_id, taken_at, status in DoseLog.objects.filter(
        patient=patient, deleted_at__isnull=True, taken_at__gte=start, taken_at__lt=end
    ).values_list("medication_id", "taken_at", "status"):
        rows[(taken_at.astimezone(zone).date(), medication_id)][
            "taken" if status == DoseStatus.TAKEN else "skipped"
        ] += 1
    return [
        {
            "date": day,
            "medication_id": medication_id,
            "medication": names.get(medication_id, ""),
            **counts,
        }
        for (day, medication_id), counts in sorted(
            rows.items(), key=lambda i: (i[0][0], str(i[0][1]))
        )
    ]


def labs(patient: Patient, start: dt.datetime, end: dt.datetime) -> dict[str, list[dict[str, Any]]]:
    series: dict[str, list[dict[str, Any]]] = {analyte: [] for analyte in LabAnalyte.values}
    for analyte, sampled_at, value in (
        LabResult.objects.filter(
            patient=patient, deleted_at__isnull=True, sampled_at__gte=start, sampled_at__lt=end
        )
        .order_by("sampled_at")
        .values_list("analyte", "sampled_at", "value")
    ):
        series[analyte].append({"sampled_at": sampled_at, "value": value})
    return series


def regimen_summary(med: Medication) -> str:
    """The regimen in words, in the reader's language ("every 4 weeks from the last dose")."""
    if med.regimen_kind == RegimenKind.AS_NEEDED:
        return gettext("as needed")
    if med.regimen_kind == RegimenKind.INTERVAL:
        count = med.interval or 0
        units = {
            "hours": ngettext("every %(count)d hour", "every %(count)d hours", count),
            "days": ngettext("every %(count)d day", "every %(count)d days", count),
            "weeks": ngettext("every %(count)d week", "every %(count)d weeks", count),
        }
        every = units.get(med.interval_unit, units["days"]) % {"count": count}
        if med.interval_anchor == "last_dose":
            return gettext("%(every)s from the last dose") % {"every": every}
        return every
    times = ", ".join(med.times_of_day or [])
    if med.regimen_kind == RegimenKind.WEEKDAYS:
        days = ", ".join(str(WEEKDAYS_ABBR[d]) for d in sorted(med.weekdays))
        return gettext("on %(days)s at %(times)s") % {"days": days, "times": times}
    return gettext("every day at %(times)s") % {"times": times}


# --- treatment response ---------------------------------------------------------------------------


@dataclass
class ResponseData:
    """The diary rows one response evaluation reads, for one patient and medication."""

    burden_by_day: dict[dt.date, dict[str, int | None]]
    qol_by_day: dict[dt.date, int]
    taken_dates: list[dt.date]
    labs: list[tuple[str, dt.date, Any]]
    concomitant: list[str]


# Therapy that changes the disease itself: a patient on it during the report's span is excluded
# from the cohort, as the cohort of seeds/002 excluded one on concomitant cytoreductive therapy.
CYTOREDUCTIVE_CLASSES = ("cytoreductive", "tki", "interferon")
LAB_BASELINE_DAYS = 365
LAB_TARGETS = {"m3": (90, 60, 120), "m6": (180, 150, 210)}  # target day, window


def _span(med: Medication) -> tuple[dt.date, dt.date]:
    first = med.start_date + dt.timedelta(days=response.BASELINE_WINDOW[0])
    last = med.start_date + dt.timedelta(days=response.MONTH_WINDOWS["6"][1])
    return first, last


def response_data(medications: Sequence[Medication]) -> dict[Any, ResponseData]:
    """Rows for the response report of each medication (its patient preloaded): five
    queries however many medications and patients."""
    if not medications:
        return {}
    spans = {m.pk: _span(m) for m in medications}
    zones = {m.pk: m.patient.zone for m in medications}
    by_patient: dict[Any, list[Medication]] = defaultdict(list)
    for m in medications:
        by_patient[m.patient_id].append(m)

    def window_q(field: str, as_datetime: bool) -> Q:
        q = Q(pk__in=[])
        for m in medications:
            first, last = spans[m.pk]
            if as_datetime:
                lo = local_start(first, zones[m.pk])
                hi = local_start(last + dt.timedelta(days=1), zones[m.pk])
                q |= Q(patient_id=m.patient_id, **{f"{field}__gte": lo, f"{field}__lt": hi})
            else:
                q |= Q(patient_id=m.patient_id, **{f"{field}__gte": first, f"{field}__lte": last})
        return q

    results = {
        m.pk: ResponseData(burden_by_day={}, qol_by_day={}, taken_dates=[], labs=[], concomitant=[])
        for m in medications
    }
    domains = list(SymptomDomain.values)
    entries: dict[Any, list[tuple[dt.datetime, str, int]]] = defaultdict(list)
    for patient_id, occurred_at, domain, severity in SymptomEntry.objects.filter(
        window_q("occurred_at", True), deleted_at__isnull=True
    ).values_list("patient_id", "occurred_at", "symptom__domain", "severity"):
        entries[patient_id].append((occurred_at, domain, severity))
    check_ins: dict[Any, list[tuple[dt.date, int]]] = defaultdict(list)
    for patient_id, local_date, vas in DailyCheckIn.objects.filter(
        window_q("local_date", False), deleted_at__isnull=True
    ).values_list("patient_id", "local_date", "quality_of_life"):
        check_ins[patient_id].append((local_date, vas))
    doses: dict[Any, list[dt.datetime]] = defaultdict(list)
    for medication_id, taken_at in DoseLog.objects.filter(
        medication__in=medications, status=DoseStatus.TAKEN, deleted_at__isnull=True
    ).values_list("medication_id", "taken_at"):
        doses[medication_id].append(taken_at)
    lab_rows: dict[Any, list[tuple[str, dt.datetime, Any]]] = defaultdict(list)
    lab_q = Q(pk__in=[])
    for m in medications:
        lo = local_start(m.start_date - dt.timedelta(days=LAB_BASELINE_DAYS), zones[m.pk])
        hi = local_start(m.start_date + dt.timedelta(days=LAB_TARGETS["m6"][2] + 1), zones[m.pk])
        lab_q |= Q(patient_id=m.patient_id, sampled_at__gte=lo, sampled_at__lt=hi)
    for patient_id, analyte, sampled_at, value in LabResult.objects.filter(
        lab_q, deleted_at__isnull=True
    ).values_list("patient_id", "analyte", "sampled_at", "value"):
        lab_rows[patient_id].append((analyte, sampled_at, value))
    others = list(
        Medication.objects.filter(
            patient_id__in=list(by_patient), drug_class__in=CYTOREDUCTIVE_CLASSES
        ).values_list("id", "patient_id", "name", "start_date", "end_date")
    )

    for m in medications:
        zone = zones[m.pk]
        first, last = spans[m.pk]
        days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        qol = {d: v for d, v in check_ins[m.patient_id] if first <= d <= last}
        local_entries = [
            (at.astimezone(zone).date(), dom, sev) for at, dom, sev in entries[m.patient_id]
        ]
        burden = insights.daily_burden(
            days=days, domains=domains, entries=local_entries, logged_days=qol.keys()
        )
        data = results[m.pk]
        data.burden_by_day = {
            day: {domain: burden[domain][i] for domain in domains} for i, day in enumerate(days)
        }
        data.qol_by_day = qol
        data.taken_dates = sorted(at.astimezone(zone).date() for at in doses[m.pk])
        data.labs = [
            (analyte, at.astimezone(zone).date(), value)
            for analyte, at, value in sorted(lab_rows[m.patient_id], key=lambda r: r[1])
        ]
        data.concomitant = [
            name
            for pk, patient_id, name, start_date, end_date in others
            if patient_id == m.patient_id
            and pk != m.pk
            and start_date <= last
            and (end_date is None or end_date >= first)
        ]
    return results


def _lab_points(rows: list[tuple[str, dt.date, Any]], start: dt.date) -> dict[str, dict[str, Any]]:
    """Per analyte: the last value on or before the start (up to a year before), and the value
    closest to day 90 (days 60–120) and to day 180 (days 150–210)."""
    out: dict[str, dict[str, Any]] = {}
    for analyte in LabAnalyte.values:
        mine = [(day, value) for a, day, value in rows if a == analyte]
        before = [(d, v) for d, v in mine if d <= start]
        point: dict[str, Any] = {"baseline": before[-1][1] if before else None}
        for key, (target, lo, hi) in LAB_TARGETS.items():
            near = [
                (abs((d - start).days - target), v) for d, v in mine if lo <= (d - start).days <= hi
            ]
            point[key] = min(near, key=lambda item: item[0])[1] if near else None
        out[analyte] = point
    return out


def evaluate_response(med: Medication, data: ResponseData) -> dict[str, Any]:
    """The report of one medication (see apps.clinic.response for the rules)."""
    domains = list(SymptomDomain.values)
    start = med.start_date
    base = response.summarise_window(
        start=start,
        window=response.BASELINE_WINDOW,
        burden_by_day=data.burden_by_day,
        qol_by_day=data.qol_by_day,
        domains=domains,
    )
    months: dict[str, Any] = {}
    overall_by_month: dict[str, response.Category | None] = {}
    today = timezone.now().astimezone(med.patient.zone).date()
    for month, window in response.MONTH_WINDOWS.items():
        result = response.summarise_window(
            start=start,
            window=window,
            burden_by_day=data.burden_by_day,
            qol_by_day=data.qol_by_day,
            domains=domains,
        )
        complete_window = result.end < today
        overall = response.classify(base.overall, result.overall) if complete_window else None
        overall_by_month[month] = overall
        months[month] = {
            "from": result.start,
            "to": result.end,
            "complete": complete_window,
            "overall": result.overall,
            "domains": result.domains,
            "qol": result.qol,
            "qol_change": (result.qol - base.qol)
            if result.qol is not None and base.qol is not None
            else None,
            "classification": overall,
            "domain_classification": {
                domain: response.classify(base.domains[domain], result.domains[domain])
                if complete_window
                else None
                for domain in domains
            },
        }
    excluded = (
        f"concomitant cytoreductive therapy ({', '.join(data.concomitant)})"
        if data.concomitant
        else None
    )
    interval = response.interval_days(med.regimen_kind, med.regimen().interval_days)
    decision = response.decide(
        start=start,
        today=today,
        end_date=med.end_date,
        taken_dates=data.taken_dates,
        interval=interval,
        baseline=base.overall,
        by_month=overall_by_month,
        excluded=excluded is not None,
    )
    taken = [d for d in data.taken_dates if d >= start]
    evidence = {
        "doses_taken": len(taken),
        "first_dose": taken[0] if taken else None,
        "last_dose": taken[-1] if taken else None,
        "interval_days": interval,
        "days_on_treatment": (today - start).days,
        "days_since_last_dose": (today - taken[-1]).days if taken else None,
        "burden_baseline": base.overall,
        **{
            f"burden_month_{m}": months[m]["overall"] if months[m]["complete"] else None
            for m in response.MONTH_WINDOWS
        },
    }
    return {
        "medication": {"id": med.pk, "name": med.name, "drug_class": med.drug_class},
        "start_date": start,
        "end_date": med.end_date,
        "baseline": {
            "from": base.start,
            "to": base.end,
            "overall": base.overall,
            "domains": base.domains,
            "qol": base.qol,
        },
        "months": months,
        "classification": decision.category,
        "reason": decision.reason,
        "evidence": evidence,
        "stopped": decision.category == response.Category.STOPPED,
        "excluded": excluded,
        "doses_taken": len(taken),
        "labs": _lab_points(data.labs, start),
        "thresholds": response.thresholds(),
    }
