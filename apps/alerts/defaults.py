"""Every default of the alerting, in one place, and where each comes from (docs/alerts.md).

Each value can be changed where the docs say (a medication's `reminder_policy`, a patient's
carry-check settings); these are what applies when nobody changed anything. The modules that
use them import them from here: apps.medications.policy builds its step tables from
`LONG_INTERVAL_STEPS` / `SHORT_INTERVAL_STEPS`, apps.epinephrine plans expiry reminders and carry
checks from the values below, and apps.alerts.tasks claims and fires with the pipeline's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

# --- the pipeline (apps.alerts.tasks) ---------------------------------------------------------

# Beat runs the one scan every minute (a tick not started within 55 s expires): that is wiring,
# in server/settings/base.py CELERY_BEAT_SCHEDULE["alerts-scan"].
# Rows claimed per transaction (FOR UPDATE SKIP LOCKED), per kind.
BATCH_SIZE = 200
# A row whose sending raised is tried again this much later, so one bad row can never stop the
# scan (it would otherwise roll its whole batch back every minute).
RETRY_FAILED_AFTER = dt.timedelta(minutes=5)

# --- missed doses (apps.medications) ----------------------------------------------------------
# Source: Bossi G et al., Ital J Pediatr 2023, doi:10.1186/s13052-022-01402-7 — a child on
# omalizumab every 4 weeks relapsed 6 weeks (day 42) after the last injection.

# The relapse window of the case: symptoms returned 6 weeks after the last injection.
CASE_RELAPSE_DAY = 42
# A "due today" prompt older than this is noise after an outage; escalations carry no cut-off.
REMINDER_LATE_CUTOFF_MINUTES = 12 * 60
# A daily medicine's reminder an hour late is the next dose's business.
SHORT_REMINDER_LATE_CUTOFF_MINUTES = 60
# Its "missed" notice is still useful for a day.
MISSED_LATE_CUTOFF_MINUTES = 24 * 60
# Longest span a daily relapse-watch prompt may be repeated for (custom policies).
MAX_REPEAT_DAYS = 60
# Regimens whose interval is at least this long use LONG_INTERVAL_STEPS.
LONG_INTERVAL_FROM_DAYS = 7

_OWNERS = ["owner"]
_FAMILY = ["owner", "caregiver"]
_EVERYONE = ["owner", "caregiver", "clinician"]

# Long-interval injections (omalizumab every 4 weeks): `days` are local calendar days after the
# due date (day 28 after the last dose). Same shape as a medication's `reminder_policy`.
LONG_INTERVAL_STEPS: tuple[dict[str, Any], ...] = (
    {
        "name": "heads_up",
        "kind": "heads_up",
        "days": -2,
        "audience": _OWNERS,
        "late_cutoff_minutes": REMINDER_LATE_CUTOFF_MINUTES,
    },
    {
        "name": "due",
        "kind": "reminder",
        "days": 0,
        "audience": _OWNERS,
        "late_cutoff_minutes": REMINDER_LATE_CUTOFF_MINUTES,
    },
    {
        "name": "overdue",
        "kind": "overdue",
        "days": 3,  # day 31: the grace of 3 days
        "audience": _OWNERS,
        "urgency": "high",
        "late_cutoff_minutes": None,
    },
    {
        "name": "caregivers",
        "kind": "escalation",
        "days": 7,  # day 35
        "audience": _FAMILY,
        "urgency": "high",
        "late_cutoff_minutes": None,
    },
    {
        "name": "urgent",
        "kind": "urgent",
        "days": 10,  # day 38: 4 days before the relapse window (day 42)
        "audience": _EVERYONE,
        "urgency": "urgent",
        "late_cutoff_minutes": None,
        "flag_clinician": True,
    },
    {
        "name": "relapse_watch",
        "kind": "relapse_watch",
        "days": 3,  # daily from day 31 to day 49
        "repeat_until_days": 21,
        "audience": _OWNERS,
        "late_cutoff_minutes": REMINDER_LATE_CUTOFF_MINUTES,
    },
)

# Daily, weekday and every-N-hours medicines: a reminder at the time, "missed" 2 hours later.
SHORT_INTERVAL_STEPS: tuple[dict[str, Any], ...] = (
    {
        "name": "due",
        "kind": "reminder",
        "days": 0,
        "audience": _OWNERS,
        "late_cutoff_minutes": SHORT_REMINDER_LATE_CUTOFF_MINUTES,
    },
    {
        "name": "missed",
        "kind": "missed",
        "minutes": 120,
        "audience": _OWNERS,
        "late_cutoff_minutes": MISSED_LATE_CUTOFF_MINUTES,
    },
)

# --- epinephrine readiness (apps.epinephrine) -------------------------------------------------

# Expiry reminders: this many days before a pen's expiry date (0: the day itself), at this
# local time. The day itself is high urgency, the others normal.
EXPIRY_REMINDER_DAYS = (30, 7, 0)
EXPIRY_REMINDER_TIME = dt.time(9, 0)
# An unanswered daily carry check is asked once more this long after the first prompt, the
# same local day only (a patient's `CarryCheckSettings.again_after_minutes`).
CARRY_AGAIN_AFTER_MINUTES = 180
# Who hears expiry reminders, carry checks and a pen used: the family, never the clinician.
EPINEPHRINE_AUDIENCE = ("owner", "caregiver")
