"""The arithmetic behind a patient's insights, as pure functions (tested with hypothesis in
tests/diary/test_insights_arithmetic.py). apps.diary.selectors feeds them from the database.

Two questions are answered, and nothing more is claimed:

**Daily burden per domain.** For each local day of the period and each symptom domain, the
*highest* severity (0–10) logged for a symptom of that domain that day. The maximum, not the sum:
a patient who logs every itch separately would otherwise look sicker than one who logs once a day.
A domain with nothing logged on a day the patient used the diary counts 0; a day with no symptom
entry and no check-in at all is `null` (no data, not "no symptoms"), so a chart can leave a gap.

**Triggers followed by flares.** A *flare* is a symptom entry with severity at or above a
threshold, or an anaphylaxis episode. An exposure is *followed by a flare* when a flare happens
in the window (t, t + w] after it. That proportion is compared with the *baseline*: the chance
that a window of the same length, starting at a random moment of the period, contains a flare —
the share of the period covered by the union of [f − w, f) over the flares f. The ratio
proportion / baseline is > 1 when flares follow this trigger more often than they follow any
moment. With fewer than MIN_EXPOSURES exposures or fewer than MIN_FLARES flares the counts are
still returned but no proportion or ratio is: too few events to mean anything. Moments and the
window are integers on one scale (the caller's: whole microseconds since the epoch,
apps.diary.days.to_moment, as the stored days keep them): exact, and years of them cost no
datetime arithmetic.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MIN_EXPOSURES = 5
MIN_FLARES = 3


# --- daily burden ----------------------------------------------------------------------------------


def daily_burden(
    *,
    days: Sequence[dt.date],
    domains: Sequence[str],
    entries: Iterable[tuple[dt.date, str, int]],
    logged_days: Iterable[dt.date] = (),
) -> dict[str, list[int | None]]:
    """{domain: [value per day]} for `days`, from (local date, domain, severity) entries.

    Value = the day's highest severity in the domain; 0 on a day the diary was used (an entry in
    any domain, or a day in `logged_days` such as a check-in) without that domain; None on a day
    without any data. Entries outside `days` are ignored."""
    index = {day: i for i, day in enumerate(days)}
    used = [False] * len(days)
    for day in logged_days:
        if day in index:
            used[index[day]] = True
    # Per domain, {day's index: peak}: a span of years has a few thousand, not days × domains.
    peaks: dict[str, dict[int, int]] = {domain: {} for domain in domains}
    for day, domain, severity in entries:
        i = index.get(day)
        domain_peaks = peaks.get(domain)
        if i is None or domain_peaks is None:
            continue
        used[i] = True
        domain_peaks[i] = max(domain_peaks.get(i, 0), severity)
    blank = [0 if day_used else None for day_used in used]
    series: dict[str, list[int | None]] = {}
    for domain, domain_peaks in peaks.items():
        values = blank.copy()
        for i, peak in domain_peaks.items():
            values[i] = peak
        series[domain] = values
    return series


# --- triggers followed by flares -------------------------------------------------------------------


def flare_window_coverage(flares: Sequence[int], *, start: int, end: int, window: int) -> float:
    """Probability that a window (s, s + window] with s uniform in [start, end) contains a flare:
    |union of [f − window, f) over flares| ∩ [start, end) / (end − start)."""
    span = end - start
    if span <= 0:
        return 0.0
    covered = 0
    reach = start  # the union so far ends here; flares are sorted, so the windows are too
    for flare in sorted(flares):
        lo = max(flare - window, reach)
        hi = min(flare, end)
        if hi > lo:
            covered += hi - lo
            reach = hi
    return min(covered / span, 1.0)


@dataclass(frozen=True)
class TriggerAssociation:
    trigger: str
    exposures: int
    followed_by_flare: int
    # None when the data are insufficient: the counts stand, no comparison is made.
    proportion: float | None
    baseline: float
    ratio: float | None
    sufficient_data: bool


def followed_by_flare(exposure: int, sorted_flares: Sequence[int], window: int) -> bool:
    """Is there a flare f with exposure < f <= exposure + window?"""
    i = bisect.bisect_right(sorted_flares, exposure)
    return i < len(sorted_flares) and sorted_flares[i] <= exposure + window


def trigger_associations(
    *,
    exposures: Iterable[tuple[str, int]],
    flares: Iterable[int],
    start: int,
    end: int,
    window: int,
    min_exposures: int = MIN_EXPOSURES,
    min_flares: int = MIN_FLARES,
) -> list[TriggerAssociation]:
    """One row per trigger exposed to in [start, end), most exposures first.

    `flares` may reach past `end` (up to end + window) so that an exposure late in the period has
    its whole window; only flares whose window-start region meets the period count towards the
    baseline, and towards the minimum number of flares."""
    sorted_flares = sorted(flares)
    relevant_flares = [f for f in sorted_flares if start < f + window and f - window < end]
    baseline = flare_window_coverage(relevant_flares, start=start, end=end, window=window)
    enough_flares = len(relevant_flares) >= min_flares
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for trigger, at in exposures:
        if not start <= at < end:
            continue
        row = counts[trigger]
        row[0] += 1
        row[1] += followed_by_flare(at, sorted_flares, window)
    rows = []
    for trigger, (n, followed) in counts.items():
        sufficient = n >= min_exposures and enough_flares and baseline > 0
        proportion = followed / n if sufficient else None
        rows.append(
            TriggerAssociation(
                trigger=trigger,
                exposures=n,
                followed_by_flare=followed,
                proportion=proportion,
                baseline=baseline,
                ratio=(proportion / baseline) if proportion is not None else None,
                sufficient_data=sufficient,
            )
        )
    rows.sort(key=lambda row: (-row.exposures, row.trigger))
    return rows
