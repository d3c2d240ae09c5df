"""`make bench`: runs every bench/bench_*.py (or those named: `python -m bench endpoint diary`),
each in its own process so one benchmark's caches and memory do not colour the next.

Benchmarks print ratios measured within one run (e.g. "endpoint / bare view = 1.42x"): on a
shared, noisy machine a ratio of two things measured side by side means something; an absolute
time does not. Nothing here is a pass/fail test.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules([str(here)])
        if m.name.startswith("bench_")
    )
    chosen = argv or names
    unknown = sorted(set(chosen) - set(names))
    if unknown:
        print(f"unknown benchmarks: {', '.join(unknown)}; known: {', '.join(names)}")
        return 2
    failed = 0
    for name in chosen:
        print(f"\n=== {name} " + "=" * (60 - len(name)), flush=True)
        result = subprocess.run([sys.executable, "-m", f"bench.bench_{name}"], check=False)
        failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
