"""The treatment-response report: the one place its windows and thresholds are defined.

Pure functions, no database (tests/clinic/test_response.py, with hypothesis). The selectors feed
them a patient's daily burden per symptom domain (apps.diary.insights.daily_burden: each local
day's *highest* severity 0–10 in a domain, 0 on a day the diary was used without that domain,
None on a day without any data).

**Where the categories come from.** The omalizumab cohort this report reproduces (seeds/002)
rated symptoms at baseline, 3 and 6 months and reported *complete symptom control*, *major
response*, *partial response*, and patients who *withdrew after the first dose*; it also says
the drug worked better for some organ domains than for others, so each domain is classified on
its own as well as overall. The abstract gives no numeric cut-offs (it used a physician global
assessment), so Mastline states its own, from the patient's diary:

* **burden** of a window = the mean, over the window's days with data, of the daily burden
  (per domain: the domain's daily peak; overall: the daily peak over every domain). A window
  with fewer than MIN_DAYS_WITH_DATA days of data is not evaluable.
* **reduction** = (baseline − window) / baseline.
* **complete** control: window burden ≤ COMPLETE_MAX_BURDEN (0.5 of 10: essentially no symptom
  left — a threshold on the level, so a patient starting mild can reach it too) or a reduction
  ≥ 90 %;
  **major**: reduction ≥ 60 %; **partial**: ≥ 30 %; **none**: less (including a worsening).
  Those are the bands response criteria in mastocytosis commonly use for symptom scores
  (≥ 90 / 60–89 / 30–59 / < 30 %), and they are monotonic: a lower window burden never gives a
  worse category.
* A domain whose baseline burden is below MIN_BASELINE_BURDEN (1 of 10) had nothing to improve
  and is not classified.
* **stopped**: the medication ended (its end date, already past) before the month-3 window
  closed; or no dose came within STOP_AFTER_INTERVALS dose intervals after the first dose while
  there was time for one (that deadline is already past) — the cohort's "withdrew at first
  dose". A stopped patient is counted as stopped whatever the diary shows afterwards. The dose
  interval is the regimen's: every N days/weeks → N days/weeks, daily → 1 day, on some weekdays →
  7 days; as-needed (and every-N-hours) regimens have no dose-gap rule.
* **not evaluable** (a category of its own, never "stopped"), with its reason, first that applies:
  excluded (concomitant cytoreductive therapy); no dose taken yet; too early (the month-3 window
  has not closed); no baseline (fewer than MIN_DAYS_WITH_DATA days of diary data in the baseline
  window, or a baseline burden below MIN_BASELINE_BURDEN); too little data in the month windows.
  The cohort table counts not-evaluable patients apart; its percentages are of the evaluable ones.

Every report states its evidence: doses taken (count, first, last), days on treatment and since
the last dose, the dose interval, and the burden at baseline, month 3 and month 6.
docs/clinic.md repeats these rules for readers of the product; this module is the one the code
reads.

Windows, in days after the medication's start date (day 0): baseline is the 28 days before it
(days −28…−1); month 3 is days 77–104 and month 6 days 168–195 — four weeks each, centred near
day 90 and day 180 so that one 4-weekly dose interval sits entirely inside each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext


class Category(StrEnum):
    COMPLETE = "complete"
    MAJOR = "major"
    PARTIAL = "partial"
    NONE = "none"
    STOPPED = "stopped"
    NOT_EVALUABLE = "not_evaluable"


class Reason(StrEnum):
    """Why a patient got their category (the `reason` of a report)."""

    MONTH_6 = "month_6"  # the month-6 classification
    MONTH_3 = "month_3"  # the month-3 classification (month 6 not available)
    ENDED = "ended"
    NO_DOSE_WITHIN_INTERVALS = "no_dose_within_intervals"
    EXCLUDED = "excluded"
    NO_DOSE = "no_dose"
    TOO_EARLY = "too_early"
    NO_BASELINE = "no_baseline"
    TOO_LITTLE_DATA = "too_little_data"


# Best first: the order of the cohort table's rows.
CATEGORY_ORDER: tuple[Category, ...] = (
    Category.COMPLETE,
    Category.MAJOR,
    Category.PARTIAL,
    Category.NONE,
    Category.STOPPED,
)

# --- windows (days relative to the start date, both ends included) -----------------------------
BASELINE_WINDOW = (-28, -1)
MONTH_WINDOWS: dict[str, tuple[int, int]] = {"3": (77, 104), "6": (168, 195)}
# "Stopped" is decided by the end of the month-3 window.
STOP_DECIDED_BY_DAY = MONTH_WINDOWS["3"][1]
# Stopped: no dose within this many dose intervals after the first one.
STOP_AFTER_INTERVALS = 2

# --- thresholds ------------------------------------------------------------------------------------
COMPLETE_MIN_REDUCTION = 0.90
MAJOR_MIN_REDUCTION = 0.60
PARTIAL_MIN_REDUCTION = 0.30
COMPLETE_MAX_BURDEN = 0.5
MIN_BASELINE_BURDEN = 1.0
MIN_DAYS_WITH_DATA = 7


def thresholds() -> dict[str, object]:
    """The rules above in words, in the reader's language (the report's "method")."""
    percent = {
        "complete": f"{COMPLETE_MIN_REDUCTION:.0%}",
        "major": f"{MAJOR_MIN_REDUCTION:.0%}",
        "partial": f"{PARTIAL_MIN_REDUCTION:.0%}",
    }
    return {
        "burden": gettext(
            "Mean over the window's days with data of the daily peak severity (0–10), per "
            "domain and over all domains (overall)."
        ),
        "reduction": gettext("(baseline − window) / baseline"),
        "complete": gettext("window burden ≤ %(burden)s or reduction ≥ %(reduction)s")
        % {"burden": COMPLETE_MAX_BURDEN, "reduction": percent["complete"]},
        "major": gettext("reduction ≥ %(reduction)s") % {"reduction": percent["major"]},
        "partial": gettext("reduction ≥ %(reduction)s") % {"reduction": percent["partial"]},
        "none": gettext("reduction < %(reduction)s (including a worsening)")
        % {"reduction": percent["partial"]},
        "stopped": gettext(
            "the medication ended before day %(day)d after the start, or no dose came within "
            "%(intervals)d dose intervals after the first while there was time for one"
        )
        % {"day": STOP_DECIDED_BY_DAY, "intervals": STOP_AFTER_INTERVALS},
        "not_evaluable": gettext(
            "excluded (concomitant cytoreductive therapy), no dose taken yet, too early (the "
            "month-3 window ends on day %(day)d), no baseline (fewer than %(days)d days of data "
            "in the baseline window, or a baseline burden below %(burden)s), or too little data "
            "in the month windows"
        )
        % {"day": MONTH_WINDOWS["3"][1], "days": MIN_DAYS_WITH_DATA, "burden": MIN_BASELINE_BURDEN},
        "min_baseline_burden": MIN_BASELINE_BURDEN,
        "min_days_with_data": MIN_DAYS_WITH_DATA,
        "windows": {
            "baseline": list(BASELINE_WINDOW),
            **{month: list(days) for month, days in MONTH_WINDOWS.items()},
        },
    }


def window_dates(start: dt.date, window: tuple[int, int]) -> list[dt.date]:
    first, last = window
    return [start + dt.timedelta(days=offset) for offset in range(first, last + 1)]


def mean_burden(values: Iterable[int | float | None]) -> float | None:
    """The mean of the days with data, or None with fewer than MIN_DAYS_WITH_DATA of them."""
    present = [v for v in values if v is not None]
    if len(present) < MIN_DAYS_WITH_DATA:
        return None
    return sum(present) / len(present)


def reduction(baseline: float, window: float) -> float:
    return (baseline - window) / baseline


def classify(baseline: float | None, window: float | None) -> Category | None:
    """The category of one domain (or overall) in one window; None when not evaluable."""
    if baseline is None or window is None or baseline < MIN_BASELINE_BURDEN:
        return None
    change = reduction(baseline, window)
    if window <= COMPLETE_MAX_BURDEN or change >= COMPLETE_MIN_REDUCTION:
        return Category.COMPLETE
    if change >= MAJOR_MIN_REDUCTION:
        return Category.MAJOR
    if change >= PARTIAL_MIN_REDUCTION:
        return Category.PARTIAL
    return Category.NONE


def interval_days(kind: str, regimen_interval_days: int | None) -> int | None:
    """The dose interval the stopped rule waits for, in days (None: no dose-gap rule)."""
    if kind == "interval":
        return regimen_interval_days
    if kind == "daily":
        return 1
    if kind == "weekdays":
        return 7
    return None


def stop_reason(
    *,
    start: dt.date,
    end_date: dt.date | None,
    taken_dates: Sequence[dt.date],
    interval: int | None,
    today: dt.date,
) -> Reason | None:
    """ENDED or NO_DOSE_WITHIN_INTERVALS when the patient stopped, else None (see the module)."""
    if (
        end_date is not None
        and end_date < today
        and end_date < start + dt.timedelta(days=STOP_DECIDED_BY_DAY)
    ):
        return Reason.ENDED
    taken = sorted(d for d in taken_dates if d >= start)
    if not taken or interval is None:
        return None  # never started: not a withdrawal, just not evaluable
    first = taken[0]
    deadline = first + dt.timedelta(days=STOP_AFTER_INTERVALS * interval)
    if deadline >= today:
        return None  # there has not been time for the next dose yet
    if any(first < d <= deadline for d in taken[1:]):
        return None
    return Reason.NO_DOSE_WITHIN_INTERVALS


def stopped(
    *,
    start: dt.date,
    end_date: dt.date | None,
    taken_dates: Sequence[dt.date],
    interval: int | None = 28,
    today: dt.date | None = None,
) -> bool:
    return (
        stop_reason(
            start=start,
            end_date=end_date,
            taken_dates=taken_dates,
            interval=interval,
            today=today or dt.date.max,
        )
        is not None
    )


@dataclass(frozen=True)
class WindowResult:
    start: dt.date
    end: dt.date
    overall: float | None
    domains: dict[str, float | None]
    qol: float | None


def summarise_window(
    *,
    start: dt.date,
    window: tuple[int, int],
    burden_by_day: Mapping[dt.date, Mapping[str, int | None]],
    qol_by_day: Mapping[dt.date, int],
    domains: Sequence[str],
) -> WindowResult:
    """Burden per domain and overall, and mean QoL (VAS 0–100, any number of days), of one
    window. `burden_by_day` maps a local day to {domain: daily peak or None}."""
    days = window_dates(start, window)
    per_domain = {
        domain: mean_burden((burden_by_day.get(day) or {}).get(domain) for day in days)
        for domain in domains
    }
    overall = mean_burden(_day_peak(burden_by_day.get(day)) for day in days)
    qol_values = [qol_by_day[day] for day in days if day in qol_by_day]
    return WindowResult(
        start=days[0],
        end=days[-1],
        overall=overall,
        domains=per_domain,
        qol=sum(qol_values) / len(qol_values) if qol_values else None,
    )


def _day_peak(day: Mapping[str, int | None] | None) -> int | None:
    if not day:
        return None
    values = [v for v in day.values() if v is not None]
    return max(values) if values else None


@dataclass(frozen=True)
class Decision:
    category: Category
    reason: Reason


def decide(
    *,
    start: dt.date,
    today: dt.date,
    end_date: dt.date | None,
    taken_dates: Sequence[dt.date],
    interval: int | None,
    baseline: float | None,
    by_month: Mapping[str, Category | None],
    excluded: bool = False,
) -> Decision:
    """The overall category of one patient and why (the order is the module's)."""
    if excluded:
        return Decision(Category.NOT_EVALUABLE, Reason.EXCLUDED)
    stop = stop_reason(
        start=start, end_date=end_date, taken_dates=taken_dates, interval=interval, today=today
    )
    if stop is not None:
        return Decision(Category.STOPPED, stop)
    if not any(d >= start for d in taken_dates):
        return Decision(Category.NOT_EVALUABLE, Reason.NO_DOSE)
    if start + dt.timedelta(days=MONTH_WINDOWS["3"][1]) >= today:
        return Decision(Category.NOT_EVALUABLE, Reason.TOO_EARLY)
    if baseline is None or baseline < MIN_BASELINE_BURDEN:
        return Decision(Category.NOT_EVALUABLE, Reason.NO_BASELINE)
    for month in sorted(by_month, key=int, reverse=True):
        category = by_month[month]
        if category is not None:
            return Decision(category, Reason(f"month_{month}"))
    return Decision(Category.NOT_EVALUABLE, Reason.TOO_LITTLE_DATA)


@dataclass(frozen=True)
class CohortRow:
    category: Category
    count: int
    percent: float


def cohort_rows(classifications: Iterable[Category | None]) -> tuple[int, list[CohortRow]]:
    """(evaluable, one row per category) — percent of the evaluable patients, one decimal.
    Not-evaluable patients (and None) count in no row."""
    counted: list[Category] = [
        c for c in classifications if c is not None and c != Category.NOT_EVALUABLE
    ]
    evaluable = len(counted)
    rows = [
        CohortRow(
            category=category,
            count=counted.count(category),
            percent=round(100 * counted.count(category) / evaluable, 1) if evaluable else 0.0,
        )
        for category in CATEGORY_ORDER
    ]
    return evaluable, rows
