"""The thresholds of the treatment-response report (apps.clinic.response), on their own."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.clinic import response
from apps.clinic.response import Category, Reason, classify, cohort_rows, decide, stopped

RANK = {c: i for i, c in enumerate(response.CATEGORY_ORDER)}
burden = st.floats(min_value=0, max_value=10, allow_nan=False)


def test_the_bands() -> None:
    assert classify(8, 0.4) == Category.COMPLETE  # at most 0.5 left
    assert classify(8, 0.8) == Category.COMPLETE  # 90 % less
    assert classify(8, 0.81) == Category.MAJOR
    assert classify(8, 3.2) == Category.MAJOR  # exactly 60 %
    assert classify(8, 3.3) == Category.PARTIAL
    assert classify(8, 5.6) == Category.PARTIAL  # exactly 30 %
    assert classify(8, 5.7) == Category.NONE
    assert classify(8, 9.5) == Category.NONE  # worse is no response
    assert classify(0.9, 0) is None  # nothing to improve at baseline
    assert classify(None, 1) is None
    assert classify(5, None) is None


@given(baseline=burden, a=burden, b=burden)
def test_a_lower_burden_never_classifies_worse(baseline: float, a: float, b: float) -> None:
    lower, higher = sorted((a, b))
    got_lower, got_higher = classify(baseline, lower), classify(baseline, higher)
    if got_lower is None:
        assert got_higher is None
        return
    assert got_higher is not None
    assert RANK[got_lower] <= RANK[got_higher]


@given(baseline=st.floats(min_value=1, max_value=10), cut=st.floats(min_value=0, max_value=1))
def test_classification_is_monotonic_in_the_reduction(baseline: float, cut: float) -> None:
    window = baseline * (1 - cut)
    got = classify(baseline, window)
    assert got is not None
    if cut >= 0.9 + 1e-9:
        assert got == Category.COMPLETE
    elif cut < 0.3 - 1e-9 and window > response.COMPLETE_MAX_BURDEN:
        assert got == Category.NONE


def test_stopped_after_the_first_dose_or_an_early_end() -> None:
    start = dt.date(2025, 1, 1)
    every_4_weeks = [start + dt.timedelta(days=28 * i) for i in range(7)]
    assert not stopped(start=start, end_date=None, taken_dates=every_4_weeks)
    assert stopped(start=start, end_date=None, taken_dates=[start])
    assert stopped(start=start, end_date=start + dt.timedelta(days=40), taken_dates=every_4_weeks)
    assert not stopped(
        start=start, end_date=start + dt.timedelta(days=300), taken_dates=every_4_weeks
    )
    # a second dose only after the month-3 window: counted as stopped
    assert stopped(start=start, end_date=None, taken_dates=[start, start + dt.timedelta(days=120)])
    assert not stopped(start=start, end_date=None, taken_dates=[])


START = dt.date(2025, 1, 1)
DAY = dt.timedelta(days=1)
GAP = response.STOP_AFTER_INTERVALS * 28  # two 4-weekly intervals


def _decide(today: dt.date, taken: list[dt.date], **kw: object) -> response.Decision:
    args: dict = {
        "start": START,
        "today": today,
        "end_date": None,
        "taken_dates": taken,
        "interval": 28,
        "baseline": 8.0,
        "by_month": {"3": Category.MAJOR, "6": Category.COMPLETE},
    }
    args.update(kw)
    return decide(**args)


def test_stopped_boundary_two_intervals_after_the_first_dose() -> None:
    first = START + 20 * DAY
    later = START + 300 * DAY
    # A second dose exactly two intervals after the first: not stopped.
    got = _decide(later, [first, first + GAP * DAY])
    assert got == response.Decision(Category.COMPLETE, Reason.MONTH_6)
    # One day later: stopped.
    got = _decide(later, [first, first + (GAP + 1) * DAY])
    assert got == response.Decision(Category.STOPPED, Reason.NO_DOSE_WITHIN_INTERVALS)


def test_no_dose_yet_is_not_stopped_while_there_was_no_time_for_one() -> None:
    """Leo of the demo: one dose, the next not yet due — never "stopped"."""
    first = START + 180 * DAY
    on_deadline = first + GAP * DAY
    got = _decide(on_deadline, [first])
    assert got == response.Decision(Category.COMPLETE, Reason.MONTH_6)
    got = _decide(on_deadline + DAY, [first])
    assert got == response.Decision(Category.STOPPED, Reason.NO_DOSE_WITHIN_INTERVALS)
    # Only one dose, 20 days ago, started 200 days ago, no diary before: not evaluable.
    today = START + 200 * DAY
    got = _decide(today, [today - 20 * DAY], baseline=None, by_month={"3": None, "6": None})
    assert got == response.Decision(Category.NOT_EVALUABLE, Reason.NO_BASELINE)


def test_ended_boundary() -> None:
    later = START + 300 * DAY
    doses = [START + 28 * i * DAY for i in range(10)]
    decided_by = START + response.STOP_DECIDED_BY_DAY * DAY
    assert _decide(later, doses, end_date=decided_by - DAY).reason == Reason.ENDED
    assert _decide(later, doses, end_date=decided_by).category == Category.COMPLETE
    # An end date still in the future has not ended anything.
    assert _decide(START + 50 * DAY, doses[:2], end_date=START + 60 * DAY).reason == (
        Reason.TOO_EARLY
    )


def test_too_early_boundary() -> None:
    closes = START + response.MONTH_WINDOWS["3"][1] * DAY
    doses = [START + 28 * i * DAY for i in range(4)]
    assert _decide(closes, doses, by_month={"3": None, "6": None}) == response.Decision(
        Category.NOT_EVALUABLE, Reason.TOO_EARLY
    )
    got = _decide(closes + DAY, doses, by_month={"3": Category.PARTIAL, "6": None})
    assert got == response.Decision(Category.PARTIAL, Reason.MONTH_3)


def test_baseline_boundary() -> None:
    later = START + 300 * DAY
    doses = [START + 28 * i * DAY for i in range(10)]
    low = response.MIN_BASELINE_BURDEN
    assert _decide(later, doses, baseline=low).category == Category.COMPLETE
    assert _decide(later, doses, baseline=low - 0.01).reason == Reason.NO_BASELINE
    assert _decide(later, doses, baseline=None).reason == Reason.NO_BASELINE


def test_no_dose_too_little_data_and_excluded() -> None:
    later = START + 300 * DAY
    doses = [START + 28 * i * DAY for i in range(10)]
    assert _decide(later, []).reason == Reason.NO_DOSE
    assert _decide(later, [START - DAY]).reason == Reason.NO_DOSE  # before the start
    none = {"3": None, "6": None}
    assert _decide(later, doses, by_month=none).reason == Reason.TOO_LITTLE_DATA
    assert _decide(later, doses, excluded=True) == response.Decision(
        Category.NOT_EVALUABLE, Reason.EXCLUDED
    )
    # As needed: no dose-gap rule.
    assert _decide(later, [START], interval=None).category == Category.COMPLETE


def test_interval_of_each_regimen() -> None:
    assert response.interval_days("interval", 28) == 28
    assert response.interval_days("daily", None) == 1
    assert response.interval_days("weekdays", None) == 7
    assert response.interval_days("as_needed", None) is None


def test_cohort_percentages_of_the_brief() -> None:
    cats: list[Category | None] = (
        [Category.COMPLETE] * 5 + [Category.MAJOR] * 3 + [Category.PARTIAL] * 3
    )
    cats += [Category.STOPPED] * 2 + [Category.NOT_EVALUABLE, None]
    evaluable, rows = cohort_rows(cats)
    assert evaluable == 13
    assert [(r.category, r.count, r.percent) for r in rows] == [
        ("complete", 5, 38.5),
        ("major", 3, 23.1),
        ("partial", 3, 23.1),
        ("none", 0, 0.0),
        ("stopped", 2, 15.4),
    ]


def test_too_few_days_of_data_is_not_evaluable() -> None:
    assert response.mean_burden([5] * (response.MIN_DAYS_WITH_DATA - 1) + [None] * 20) is None
    assert response.mean_burden([5] * response.MIN_DAYS_WITH_DATA) == 5


@pytest.mark.django_db
def test_the_demo_leo_is_not_yet_evaluable() -> None:
    """Leo's omalizumab (one dose 20 days ago, next due in about 8 days) is not "stopped"."""
    from apps.clinic import selectors
    from apps.medications.models import Medication
    from apps.ops.demo import load_demo

    load_demo()
    med = Medication.objects.select_related("patient").get(name="Omalizumab")
    body = selectors.evaluate_response(med, selectors.response_data([med])[med.pk])
    assert body["classification"] == "not_evaluable", body["reason"]
    assert body["stopped"] is False
    assert body["evidence"]["doses_taken"] == 1
    assert body["evidence"]["days_since_last_dose"] == 20
    assert body["evidence"]["interval_days"] == 28
