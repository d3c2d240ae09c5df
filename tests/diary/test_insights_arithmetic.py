"""Property tests of the pure arithmetic: insights, the 20 % + 2 tryptase rule and the grade."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from apps.diary import insights
from apps.diary.rules import (
    ANAPHYLAXIS_FINDINGS,
    TryptaseActivation,
    anaphylaxis_grade,
    tryptase_activation,
)

SPAN = 600  # minutes: the functions take moments on any one integer scale


def at(minute: int) -> int:
    return minute


minutes = st.integers(min_value=-50, max_value=SPAN + 50)
windows = st.integers(min_value=1, max_value=120)


def brute_force_coverage(flares: list[int], window: int) -> int:
    """Whole minutes s in [0, SPAN) whose window (s, s + window] holds a flare."""
    return sum(any(s < f <= s + window for f in flares) for s in range(SPAN))


@given(st.lists(minutes, max_size=25), windows)
def test_the_baseline_is_the_share_of_windows_holding_a_flare(flares, window):
    coverage = insights.flare_window_coverage(
        [at(f) for f in flares], start=at(0), end=at(SPAN), window=window
    )
    assert 0.0 <= coverage <= 1.0
    assert round(coverage * SPAN, 6) == brute_force_coverage(flares, window)


@given(
    st.lists(st.tuples(st.sampled_from("abc"), minutes), max_size=40),
    st.lists(minutes, max_size=25),
    windows,
)
def test_trigger_counts_match_a_direct_count(exposures, flares, window):
    rows = insights.trigger_associations(
        exposures=[(t, at(m)) for t, m in exposures],
        flares=[at(f) for f in flares],
        start=at(0),
        end=at(SPAN),
        window=window,
    )
    in_period = [(t, m) for t, m in exposures if 0 <= m < SPAN]
    assert {row.trigger for row in rows} == {t for t, _ in in_period}
    baseline = brute_force_coverage(flares, window) / SPAN
    relevant = [f for f in flares if f + window > 0 and f - window < SPAN]
    for row in rows:
        mine = [m for t, m in in_period if t == row.trigger]
        followed = sum(any(m < f <= m + window for f in flares) for m in mine)
        assert (row.exposures, row.followed_by_flare) == (len(mine), followed)
        assert abs(row.baseline - baseline) < 1e-9
        enough = len(mine) >= insights.MIN_EXPOSURES and len(relevant) >= insights.MIN_FLARES
        assert row.sufficient_data == (enough and baseline > 0)
        if row.sufficient_data:
            assert row.proportion == followed / len(mine)
            assert row.ratio is not None and abs(row.ratio * baseline - row.proportion) < 1e-9
        else:
            assert row.proportion is None and row.ratio is None


@given(st.lists(minutes, max_size=20), windows, windows)
def test_a_longer_window_never_lowers_the_baseline(flares, w1, w2):
    short, long_ = sorted((w1, w2))
    kwargs = {"start": at(0), "end": at(SPAN)}
    times = [at(f) for f in flares]
    assert insights.flare_window_coverage(
        times, window=short, **kwargs
    ) <= insights.flare_window_coverage(times, window=long_, **kwargs)


def test_too_few_events_give_counts_and_no_claim():
    rows = insights.trigger_associations(
        exposures=[("heat", at(m)) for m in (10, 100, 200, 300)],
        flares=[at(m) for m in (20, 110, 210, 310)],
        start=at(0),
        end=at(SPAN),
        window=30,
    )
    assert rows[0].followed_by_flare == 4 and rows[0].exposures == 4
    assert (rows[0].sufficient_data, rows[0].proportion, rows[0].ratio) == (False, None, None)


def test_a_trigger_always_followed_by_a_flare_stands_out():
    rows = insights.trigger_associations(
        exposures=[("heat", at(m)) for m in range(0, 500, 100)]
        + [("food", at(m)) for m in range(50, 550, 100)],
        flares=[at(m + 10) for m in range(0, 500, 100)],
        start=at(0),
        end=at(SPAN),
        window=30,
    )
    by = {row.trigger: row for row in rows}
    assert by["heat"].proportion == 1.0 and by["food"].proportion == 0.0
    # windows ending at a flare: [0, 10) clipped at the start, then four whole 30-minute ones
    assert by["heat"].baseline == 130 / SPAN
    assert by["heat"].ratio == SPAN / 130
    assert by["food"].ratio == 0.0


days = [dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(7)]


@given(
    st.lists(
        st.tuples(st.sampled_from(days), st.sampled_from(["skin", "gi"]), st.integers(0, 10)),
        max_size=40,
    ),
    st.sets(st.sampled_from(days), max_size=3),
)
def test_daily_burden_is_the_days_highest_severity_per_domain(entries, checked_in):
    series = insights.daily_burden(
        days=days, domains=["skin", "gi"], entries=entries, logged_days=checked_in
    )
    for domain, values in series.items():
        assert len(values) == len(days)
        for day, value in zip(days, values, strict=True):
            same = [s for d, dom, s in entries if d == day and dom == domain]
            used = day in checked_in or any(d == day for d, _, _ in entries)
            assert value == (max(same) if same else (0 if used else None))


# --- the tryptase rule ----------------------------------------------------------------------------

ng_ml = st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False, allow_infinity=False)


@given(ng_ml, ng_ml)
def test_tryptase_is_elevated_exactly_above_120_percent_of_baseline_plus_2(acute, baseline):
    threshold, result = tryptase_activation(acute, baseline)
    assert threshold == baseline * Decimal("1.2") + 2
    assert (result == TryptaseActivation.ELEVATED) == (acute > threshold)
    assert result in (TryptaseActivation.ELEVATED, TryptaseActivation.NOT_ELEVATED)


@given(ng_ml, ng_ml, ng_ml)
def test_a_higher_acute_value_is_never_less_elevated(a, b, baseline):
    low, high = sorted((a, b))
    if tryptase_activation(low, baseline)[1] == TryptaseActivation.ELEVATED:
        assert tryptase_activation(high, baseline)[1] == TryptaseActivation.ELEVATED


def test_tryptase_examples_and_no_baseline():
    assert tryptase_activation(Decimal("14"), Decimal("10"))[1] == TryptaseActivation.NOT_ELEVATED
    assert tryptase_activation(Decimal("14.001"), Decimal("10"))[1] == TryptaseActivation.ELEVATED
    assert tryptase_activation(Decimal("2.5"), Decimal("0"))[1] == TryptaseActivation.ELEVATED
    assert tryptase_activation(Decimal("50"), None) == (None, TryptaseActivation.NO_BASELINE)


@given(st.lists(st.sampled_from(sorted(ANAPHYLAXIS_FINDINGS)), max_size=8))
def test_the_grade_is_the_worst_finding(findings):
    grade = anaphylaxis_grade(findings)
    if not findings:
        assert grade is None
        return
    assert grade == max(ANAPHYLAXIS_FINDINGS[f][1] for f in findings)
    only_skin = all(f.startswith("skin.") for f in findings)
    assert (grade == 1) == only_skin
