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


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def served_database(var_dir: str) -> Iterator[dict[str, str]]:
    """A throw-away database that a server process can share with this one, with bench.settings
    in this process: on DATABASE_URL's PostgreSQL, `test_<name>` (created, migrated, dropped at
    the end); else an SQLite file under `var_dir`. Yields the environment a server needs to use
    it (stop the server before the block ends: PostgreSQL cannot drop a database in use)."""
    from urllib.parse import urlsplit

    os.environ["MASTLINE_VAR_DIR"] = var_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    env = {"MASTLINE_VAR_DIR": var_dir, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        with django_database():
            from django.db import connection

            name = connection.settings_dict["NAME"]
            yield {**env, "DATABASE_URL": urlsplit(url)._replace(path=f"/{name}").geturl()}
            connection.close()
        return
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    yield env


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, workers: int = 1) -> Iterator[tuple[Any, str]]:
    """The app under gunicorn (`server.wsgi`, sync workers) on a free local port, with `env` on
    top of this process's environment. Yields (the master's Popen, base URL) once /api/health
    answers; terminates it at the end."""
    import subprocess
    import sys
    import urllib.request
    from pathlib import Path

    port = free_port()
    master = subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"),
            "server.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=Path(__file__).resolve().parents[1],
        env={**os.environ, **env},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{base}/api/health", timeout=5):  # noqa: S310
                    break
            except OSError:
                if master.poll() is not None:
                    raise RuntimeError(f"gunicorn exited with {master.returncode}") from None
                time.sleep(0.1)
        yield master, base
    finally:
        master.terminate()
        master.wait(timeout=30)


def child_pids(pid: int) -> list[int]:
    """The live children of a process (a gunicorn master's workers), from /proc."""
    children: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as handle:
            children.extend(int(child) for child in handle.read().split())
    return sorted(children)


def rss_mb(pid: int) -> float:
    """A process's resident set size in MB, from /proc/<pid>/status (psutil is not a dependency)."""
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")
