"""The suite's start instant: MASTLINE_TEST_NOW (an ISO instant with an offset or Z), or None for
the real clock. tests/conftest.py pins every test's clock there; realstack starts its worker
processes on it. Kept apart from the fixtures so that bench/ (type-checked) may import it."""

from __future__ import annotations

import datetime as dt
import os

import pytest


def _pinned_now() -> dt.datetime | None:
    value = os.environ.get("MASTLINE_TEST_NOW", "").strip()
    if not value:
        return None
    try:
        instant = dt.datetime.fromisoformat(value)
    except ValueError:
        raise pytest.UsageError(
            f"MASTLINE_TEST_NOW={value!r} is not an ISO instant (e.g. 2027-03-28T00:30:00Z)"
        ) from None
    if instant.tzinfo is None:
        raise pytest.UsageError(f"MASTLINE_TEST_NOW={value!r} needs an offset or Z")
    return instant.astimezone(dt.UTC)


PINNED_NOW = _pinned_now()
