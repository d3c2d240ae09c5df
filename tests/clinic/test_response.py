"""The thresholds of the treatment-response report (apps.clinic.response), on their own."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from apps.clinic import response
from apps.clinic.response import Category, classify, cohort_rows, stopped

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


def test_cohort_percentages_of_the_brief() -> None:
    cats = [Category.COMPLETE] * 5 + [Category.MAJOR] * 3 + [Category.PARTIAL] * 3
    cats += [Category.STOPPED] * 2 + [None]
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
