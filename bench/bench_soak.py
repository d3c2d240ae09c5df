"""Soak: the real app under gunicorn (2 sync workers) with a realistic clinic on it, driven by
mixed authenticated traffic from several client threads for SOAK_MINUTES (default 30).

The clinic: the demo (`manage.py load_demo`: Alex, Leo, Ada, their family and Dr Lindqvist)
plus SOAK_PATIENTS generated patients (default 40) with a year of diary data each
(bench_diary's generator), every one with an owner who signs in and Dr Lindqvist as clinician.
On PostgreSQL when DATABASE_URL is set (a throw-away `test_<name>`), else SQLite.

The traffic, over HTTP with real sign-ins (the clinician passes the second factor):
  - patients (Alex and generated owners): the Today screen's reads, symptom / check-in / dose
    writes, timeline pages (following `next`), insights, the inbox;
  - the clinician: the patient list, a patient's overview, timeline pages, insights, the FHIR
    and CSV exports, the inbox.
Each minute: requests, errors (any 5xx or a 4xx the request did not expect), p50 / p99 latency
and each gunicorn worker's RSS. At the end the verdict of issue 14: 0 errors, and worker memory
over the last 2/3 of the run (minutes 11–30) within 10 % of its value at the end of the first
third (minute 10); a shorter SOAK_MINUTES scales both windows.

    SOAK_MINUTES=12 DATABASE_URL=postgres://… .venv/bin/python -m bench.bench_soak

SOAK_THREADS (default 4) client threads; SOAK_TICK_SECONDS (default 60) is the length of a
"minute" (for a quick try of the bench itself).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.harness import child_pids, gunicorn, rss_mb, served_database, table

WORKERS = 2
DIARY_DAYS = 365
PASSWORD = "soak-password-123"  # noqa: S105 (a throw-away database)
CLINICIAN_EMAIL = "clinician@demo.mastline.test"
TOTP_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # noqa: S105
GOAL = 0.10


def env_number(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


# --- the clinic ---------------------------------------------------------------------------------


@dataclass
class Clinic:
    patient_logins: list[tuple[str, str]]  # (email, patient id) of owners who sign in
    patient_ids: list[str]  # every patient of the clinician
    csv_kinds: list[str]


def build_clinic(count: int) -> Clinic:
    from django.core.management import call_command
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.careteam.models import Membership, Patient, Role
    from apps.clinic import exports, triage
    from apps.ops.demo import DEMO_PASSWORD
    from bench.bench_diary import _build as build_diary

    began = time.perf_counter()
    call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    now = timezone.now().replace(microsecond=0)
    clinician = User.objects.get(email=CLINICIAN_EMAIL)
    clinician.totp_secret = TOTP_SECRET
    clinician.totp_confirmed_at = now - dt.timedelta(days=1)
    clinician.set_password(PASSWORD)
    clinician.save(update_fields=["totp_secret", "totp_confirmed_at", "password"])
    alex = User.objects.get(email="alex@demo.mastline.test")
    alex.set_password(PASSWORD)
    alex.save(update_fields=["password"])
    logins = [(alex.email, str(Membership.objects.get(user=alex, role=Role.OWNER).patient_id))]
    for i in range(count):
        patient = Patient.objects.create(display_name=f"Soak {i:03d}", time_zone="Europe/Rome")
        owner = User.objects.create_user(
            email=f"soak-{i:03d}@example.org", password=PASSWORD, display_name=f"Soak {i:03d}"
        )
        Membership.objects.create(patient=patient, user=owner, role=Role.OWNER)
        Membership.objects.create(patient=patient, user=clinician, role=Role.CLINICIAN)
        build_diary(patient, DIARY_DAYS, now)
        if i < 5:
            logins.append((owner.email, str(patient.pk)))
    triage.refresh_many(Patient.objects.all())
    patient_ids = [
        str(pk)
        for pk in Membership.objects.filter(user=clinician, revoked_at=None).values_list(
            "patient_id", flat=True
        )
    ]
    print(
        f"clinic: the demo (password {DEMO_PASSWORD}) + {count} patients × {DIARY_DAYS} days "
        f"built in {time.perf_counter() - began:.0f} s; the clinician has {len(patient_ids)}",
        flush=True,
    )
    return Clinic(logins, patient_ids, list(exports.CSV_KINDS))


# --- clients ------------------------------------------------------------------------------------


@dataclass
class Sample:
    seconds: float
    ok: bool


@dataclass
class Recorder:
    lock: threading.Lock = field(default_factory=threading.Lock)
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # the first few, in words

    def record(self, seconds: float, ok: bool, what: str) -> None:
        with self.lock:
            self.samples.append(Sample(seconds, ok))
            if not ok and len(self.errors) < 20:
                self.errors.append(what)

    def take(self) -> list[Sample]:
        with self.lock:
            taken, self.samples = self.samples, []
        return taken


class Client:
    """One signed-in user's HTTP session; every request is timed and judged."""

    def __init__(self, base: str, recorder: Recorder) -> None:
        import requests

        self.base = base
        self.recorder = recorder
        self.http = requests.Session()
        self.csrf = ""

    def call(
        self,
        method: str,
        path: str,
        *,
        expect: tuple[int, ...] = (200,),
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        record: bool = True,
    ) -> Any:
        url = path if path.startswith("http") else f"{self.base}/api/v1/{path}"
        headers = {"X-CSRFToken": self.csrf} if method != "GET" else {}
        started = time.perf_counter()
        try:
            response = self.http.request(
                method, url, params=params, json=body, headers=headers, timeout=120
            )
        except Exception as error:  # a refused or dropped connection is an error too
            self.recorder.record(time.perf_counter() - started, False, f"{method} {path}: {error}")
            return None
        elapsed = time.perf_counter() - started
        ok = response.status_code in expect
        if record or not ok:
            self.recorder.record(
                elapsed,
                ok,
                f"{method} {path} → {response.status_code} {response.text[:200]!r}",
            )
        return response if ok else None

    def sign_in(self, email: str, *, totp_secret: str = "") -> None:
        answer = self.call("GET", "auth/csrf", record=False)
        self.csrf = answer.json()["csrf_token"]
        body = {"email": email, "password": PASSWORD}
        if self.call("POST", "auth/login", body=body, record=False) is None:
            raise RuntimeError(f"sign-in failed for {email}: {self.recorder.errors[-1:]}")
        self.csrf = self.http.cookies.get("csrftoken") or self.csrf
        if totp_secret:
            import pyotp

            code = pyotp.TOTP(totp_secret).now()
            if self.call("POST", "auth/totp/verify", body={"code": code}, record=False) is None:
                raise RuntimeError(f"second factor failed: {self.recorder.errors[-1:]}")
            self.csrf = self.http.cookies.get("csrftoken") or self.csrf

    def share_session_of(self, other: Client) -> None:
        self.http.cookies.update(other.http.cookies)
        self.csrf = other.csrf

    def pages(self, path: str, params: dict[str, Any], *, limit: int) -> None:
        """A cursor-paginated list: the first page, then `next` as given, up to `limit` pages."""
        answer = self.call("GET", path, params=params)
        for _ in range(limit - 1):
            following = answer.json().get("next") if answer is not None else None
            if not following:
                return
            answer = self.call("GET", following)


def period(days: int) -> dict[str, str]:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return {"from": (now - dt.timedelta(days=days)).isoformat(), "to": now.isoformat()}


def patient_actions(client: Client, patient: str) -> list[tuple[int, Callable[[], None]]]:
    at = f"patients/{patient}/"
    medications: list[str] = []

    def today() -> None:
        answer = client.call("GET", at + "medications/")
        if answer is not None:
            rows = answer.json()
            rows = rows.get("results", rows) if isinstance(rows, dict) else rows
            medications[:] = [m["id"] for m in rows if not m.get("end_date")]
        client.call("GET", at + "carry-checks", params={"days": 1})
        client.call("GET", at + "pens/readiness/")
        client.call("GET", "notifications/", params={"unread": "true", "page_size": 20})

    def symptom() -> None:
        body = {
            "occurred_at": dt.datetime.now(dt.UTC).isoformat(),
            "symptom": random.choice(["skin.flushing", "skin.itching", "gi.abdominal_pain"]),
            "severity": random.randint(0, 10),
        }
        client.call("POST", at + "symptom-entries/", body=body, expect=(201,))

    def check_in() -> None:
        from zoneinfo import ZoneInfo

        day = dt.datetime.now(ZoneInfo("Europe/Rome")).date() - dt.timedelta(days=1)
        body = {"local_date": day.isoformat(), "overall_severity": random.randint(0, 10),
                "quality_of_life": random.randint(20, 100)}  # fmt: skip
        # One a day: a repeat is answered 409 `check_in_exists` (or updates), both expected.
        client.call("POST", at + "check-ins/", body=body, expect=(200, 201, 409))

    def dose() -> None:
        if medications:
            body = {"medication": random.choice(medications), "status": "taken",
                    "taken_at": dt.datetime.now(dt.UTC).isoformat()}  # fmt: skip
            client.call("POST", at + "doses/", body=body, expect=(201,))

    return [
        (40, today),
        (15, symptom),
        (5, check_in),
        (5, dose),
        (15, lambda: client.pages(at + "timeline", period(30), limit=3)),
        (10, lambda: client.call("GET", at + "insights", params=period(90))),
        (10, lambda: client.call("GET", "notifications/", params={"page_size": 20})),
    ]


def clinician_actions(client: Client, clinic: Clinic) -> list[tuple[int, Callable[[], None]]]:
    def one() -> str:
        return f"patients/{random.choice(clinic.patient_ids)}/"

    def patient_list() -> None:
        client.pages("clinic/patients/", {"page_size": 50}, limit=2)

    return [
        (30, patient_list),
        (20, lambda: client.call("GET", one() + "clinic/overview")),
        (15, lambda: client.pages(one() + "timeline", period(90), limit=4)),
        (15, lambda: client.call("GET", one() + "insights", params=period(365))),
        (5, lambda: client.call("GET", one() + "export/fhir")),
        (5, lambda: client.call("GET", one() + f"export/{random.choice(clinic.csv_kinds)}.csv")),
        (10, lambda: client.call("GET", "notifications/", params={"page_size": 20})),
    ]


def drive(actions: list[tuple[int, Callable[[], None]]], stop: threading.Event) -> None:
    weights = [weight for weight, _ in actions]
    calls = [call for _, call in actions]
    while not stop.is_set():
        random.choices(calls, weights)[0]()
        stop.wait(0.02)  # a breath between actions: the machine is shared


# --- the run ------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def soak(base: str, master: int, clinic: Clinic, minutes: int, threads: int, tick: float) -> None:
    recorder = Recorder()
    clinician = Client(base, recorder)
    clinician.sign_in(CLINICIAN_EMAIL, totp_secret=TOTP_SECRET)
    plans = []
    for n in range(threads):
        client = Client(base, recorder)
        if n % 2:  # every other thread is the clinician (one session, as several tabs)
            client.share_session_of(clinician)
            plans.append(clinician_actions(client, clinic))
        else:
            email, patient = clinic.patient_logins[(n // 2) % len(clinic.patient_logins)]
            client.sign_in(email)
            plans.append(patient_actions(client, patient))
    stop = threading.Event()
    workers = [threading.Thread(target=drive, args=(p, stop), daemon=True) for p in plans]
    for worker in workers:
        worker.start()
    print(
        f"soak: {minutes} min, {threads} client threads, gunicorn {WORKERS} workers "
        f"(pids {child_pids(master)})",
        flush=True,
    )
    memory: list[dict[int, float]] = []
    rows: list[list[str]] = [["min", "requests", "errors", "p50 ms", "p99 ms", "worker RSS MB"]]
    total = errors = 0
    started = time.monotonic()
    try:
        for minute in range(1, minutes + 1):
            time.sleep(max(0.0, started + minute * tick - time.monotonic()))
            samples = recorder.take()
            latencies = [s.seconds * 1000 for s in samples]
            bad = sum(not s.ok for s in samples)
            total += len(samples)
            errors += bad
            rss = {pid: rss_mb(pid) for pid in child_pids(master)}
            memory.append(rss)
            row = [str(minute), str(len(samples)), str(bad),
                   f"{percentile(latencies, 0.5):.0f}", f"{percentile(latencies, 0.99):.0f}",
                   "  ".join(f"{pid}:{mb:.1f}" for pid, mb in rss.items())]  # fmt: skip
            rows.append(row)
            print("  " + "  ".join(row), flush=True)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=130)
    print()
    table(rows)
    verdict(memory, total, errors, recorder.errors)


def verdict(memory: list[dict[int, float]], total: int, errors: int, samples: list[str]) -> None:
    minutes = len(memory)
    warm = max(1, round(minutes / 3))  # minute 10 of 30
    print(f"\nverdict: {total:,} requests, {errors} errors (goal 0)")
    for line in samples[:10]:
        print(f"  error: {line}")
    baseline = memory[warm - 1]
    later = memory[warm:]
    if not later:
        print("  too short to judge memory")
        return
    print(f"  worker memory at minute {warm} vs minutes {warm + 1}–{minutes} (goal within 10 %):")
    restarted = set().union(*later) - set(baseline)
    for pid, at_warm in baseline.items():
        values = [m[pid] for m in later if pid in m]
        if not values:
            print(f"    worker {pid}: gone after minute {warm} (restarted)")
            continue
        high = max(values)
        ratio = high / at_warm
        within = abs(ratio - 1) <= GOAL and abs(min(values) / at_warm - 1) <= GOAL
        print(
            f"    worker {pid}: {at_warm:.1f} MB at minute {warm}, max {high:.1f} MB after, "
            f"ratio {ratio:.3f} ({'within' if within else 'NOT within'} 10 %)"
        )
    sums = [sum(m.values()) for m in memory]
    print(
        f"    all workers: {sums[warm - 1]:.1f} MB at minute {warm}, max {max(sums[warm:]):.1f} MB "
        f"after, ratio {max(sums[warm:]) / sums[warm - 1]:.3f}; slope over minutes "
        f"{warm + 1}–{minutes}: {slope(sums[warm:]):+.2f} MB/min"
    )
    if restarted:
        print(f"    new worker pids after minute {warm}: {sorted(restarted)} (a worker restarted)")


def slope(values: list[float]) -> float:
    if len(values) < 2:
        return 0.0
    return statistics.linear_regression(range(len(values)), values).slope


def main() -> int:
    minutes = int(env_number("SOAK_MINUTES", 30))
    threads = int(env_number("SOAK_THREADS", 4))
    tick = env_number("SOAK_TICK_SECONDS", 60)
    count = int(env_number("SOAK_PATIENTS", 40))
    with (
        tempfile.TemporaryDirectory(prefix="mastline-soak-") as var_dir,
        served_database(var_dir) as env,
    ):
        clinic = build_clinic(count)
        from django.db import connections

        connections.close_all()
        with gunicorn(env, workers=WORKERS) as (master, base):
            soak(base, master.pid, clinic, minutes, threads, tick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
