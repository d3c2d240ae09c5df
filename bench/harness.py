"""What every benchmark needs: Django on a throw-away database, timing, and a table printer."""

from __future__ import annotations

import contextlib
import gc
import os
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings.test")


@contextlib.contextmanager
def django_database() -> Iterator[None]:
    """A fresh test database (SQLite in memory, or `test_<name>` on DATABASE_URL's server),
    migrated, and dropped at the end."""
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def best_of(fn: Callable[[], Any], *, repeat: int = 5, number: int = 20) -> float:
    """Seconds per call: the median of `repeat` rounds of `number` calls (after one warm-up)."""
    fn()
    rounds = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        for _ in range(number):
            fn()
        rounds.append((time.perf_counter() - start) / number)
    return statistics.median(rounds)


def alternate(
    fns: dict[str, Callable[[], Any]], *, repeat: int = 7, number: int = 20
) -> dict[str, float]:
    """Like best_of for several functions, interleaving their rounds so that a burst of noise on
    the machine falls on all of them alike: the ratios stay meaningful."""
    for fn in fns.values():
        fn()
    rounds: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            gc.collect()
            start = time.perf_counter()
            for _ in range(number):
                fn()
            rounds[name].append((time.perf_counter() - start) / number)
    return {name: statistics.median(values) for name, values in rounds.items()}


def table(rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  "
            + "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        )
