"""compute_flags (apps/clinic/flags.py) on facts made by hand: each flag at the edge of its rule,
as the module's table documents it, and the order of the flags. No database, no clock: `now` is
given. The selectors that gather the facts are tested through the list (test_patient_list.py)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from apps.clinic.flags import (
    ANAPHYLAXIS_DAYS,
    DEFAULT_NO_DATA_DAYS,
    RELAPSE_AFTER_DUE_DAYS,
    WORSENING_MIN_PREVIOUS_DAYS,
    WORSENING_MIN_RECENT_DAYS,
    WORSENING_MIN_RISE,
    WORSENING_RECENT_DAYS,
    InjectionFacts,
    PatientFacts,
    compute_flags,
    urgency_score,
)

NOW = dt.datetime(2027, 3, 28, 0, 30, tzinfo=dt.UTC)
TODAY = NOW.date()
SECOND = dt.timedelta(seconds=1)


class Urls:
    """Evidence URLs as plain strings: what each flag points at, without Django's URL conf."""

    def doses(self, patient_id, medication_id):  # type: ignore[no-untyped-def]
        return f"doses/{medication_id}"

    def episodes(self, patient_id, since):  # type: ignore[no-untyped-def]
        return f"episodes?from={since.isoformat()}"

    def pens(self, patient_id):  # type: ignore[no-untyped-def]
        return "pens"

    def insights(self, patient_id, since):  # type: ignore[no-untyped-def]
        return f"insights?from={since.isoformat()}"

    def timeline(self, patient_id, since):  # type: ignore[no-untyped-def]
        return f"timeline?from={since.isoformat()}"


def facts(**over) -> PatientFacts:  # type: ignore[no-untyped-def]
    """A patient with nothing to flag: two ready pens, something logged an hour ago."""
    return PatientFacts(
        **{
            "patient_id": uuid.uuid4(),
            "today": TODAY,
            "ready_pens": 2,
            "last_activity_at": NOW - dt.timedelta(hours=1),
            **over,
        }
    )


def injection(*, due: dt.datetime | None, long_interval=True, open_alert=False) -> InjectionFacts:  # type: ignore[no-untyped-def]
    return InjectionFacts(
        medication_id=uuid.uuid4(),
        name="Omalizumab",
        next_dose_due_at=due,
        last_taken_at=None if due is None else due - dt.timedelta(weeks=4),
        long_interval=long_interval,
        open_alert=open_alert,
    )


def codes(patient: PatientFacts, no_data_days: int = DEFAULT_NO_DATA_DAYS) -> list[str]:
    return [f.code for f in compute_flags(patient, now=NOW, no_data_days=no_data_days, urls=Urls())]


def test_nothing_to_flag() -> None:
    assert codes(facts()) == []


def test_overdue_once_the_due_time_has_passed() -> None:
    assert codes(facts(injections=[injection(due=NOW)])) == []
    assert codes(facts(injections=[injection(due=NOW - SECOND)])) == ["overdue_injection"]
    assert codes(facts(injections=[injection(due=None)])) == []


def test_the_relapse_window_opens_the_set_number_of_days_after_the_due_time() -> None:
    edge = NOW - dt.timedelta(days=RELAPSE_AFTER_DUE_DAYS)
    assert codes(facts(injections=[injection(due=edge + SECOND)])) == ["overdue_injection"]
    assert codes(facts(injections=[injection(due=edge)])) == ["relapse_window", "overdue_injection"]
    # Only for long-interval injections…
    assert codes(facts(injections=[injection(due=edge, long_interval=False)])) == [
        "overdue_injection"
    ]
    # …or whenever the medication's own policy raised its urgent step.
    assert codes(facts(injections=[injection(due=NOW + SECOND, open_alert=True)])) == [
        "relapse_window"
    ]


def test_recent_anaphylaxis_points_at_the_last_30_days() -> None:
    assert codes(facts(episodes_30d=0)) == []
    [flag] = compute_flags(
        facts(episodes_30d=2, last_episode_at=NOW - dt.timedelta(days=3)),
        now=NOW,
        no_data_days=DEFAULT_NO_DATA_DAYS,
        urls=Urls(),
    )
    assert flag.code == "recent_anaphylaxis" and flag.severity == "urgent"
    assert flag.evidence_url == Urls().episodes(None, NOW - dt.timedelta(days=ANAPHYLAXIS_DAYS))


@pytest.mark.parametrize(
    ("ready", "needed", "flagged"), [(2, 2, False), (1, 2, True), (0, 2, True), (1, 1, False)]
)
def test_pens_missing_below_the_number_needed(ready: int, needed: int, flagged: bool) -> None:
    assert codes(facts(ready_pens=ready, pens_needed=needed)) == (
        ["pens_missing"] if flagged else []
    )


def _peaks(recent: list[int], previous: list[int]) -> dict[dt.date, int]:
    """Peaks on the most recent days of each window: recent from today back, previous from the
    first day before the recent window back."""
    peaks = {TODAY - dt.timedelta(days=i): peak for i, peak in enumerate(recent)}
    peaks |= {
        TODAY - dt.timedelta(days=WORSENING_RECENT_DAYS + i): peak
        for i, peak in enumerate(previous)
    }
    return peaks


def test_worsening_at_the_documented_rise_with_enough_days_of_data() -> None:
    base = [3, 4] * (WORSENING_MIN_PREVIOUS_DAYS // 2 + 1)  # mean 3.5
    at_edge = [int(3.5 + WORSENING_MIN_RISE)] * WORSENING_MIN_RECENT_DAYS  # mean 5.0: a rise of 1.5
    assert codes(facts(daily_peaks=_peaks(at_edge, base))) == ["worsening_symptoms"]
    just_below = [*at_edge[:-1], at_edge[-1] - 1]  # mean 4.75
    assert codes(facts(daily_peaks=_peaks(just_below, base))) == []
    # Too few days in either window: no verdict.
    assert codes(facts(daily_peaks=_peaks(at_edge[:-1], base))) == []
    assert codes(facts(daily_peaks=_peaks(at_edge, base[: WORSENING_MIN_PREVIOUS_DAYS - 1]))) == []


def test_no_data_after_the_set_number_of_days_or_never() -> None:
    quiet = NOW - dt.timedelta(days=DEFAULT_NO_DATA_DAYS)
    assert codes(facts(last_activity_at=quiet + SECOND)) == []
    assert codes(facts(last_activity_at=quiet)) == ["no_data"]
    assert codes(facts(last_activity_at=None)) == ["no_data"]
    assert codes(facts(last_activity_at=quiet), no_data_days=DEFAULT_NO_DATA_DAYS + 1) == []


def test_urgent_flags_come_first_and_weigh_most() -> None:
    flags = compute_flags(
        facts(
            injections=[injection(due=NOW - dt.timedelta(days=RELAPSE_AFTER_DUE_DAYS))],
            episodes_30d=1,
            ready_pens=0,
            last_activity_at=None,
        ),
        now=NOW,
        no_data_days=DEFAULT_NO_DATA_DAYS,
        urls=Urls(),
    )
    assert [f.severity for f in flags] == ["urgent", "urgent", "warning", "warning", "info"]
    assert urgency_score(flags) == 100 + 100 + 10 + 10 + 1
