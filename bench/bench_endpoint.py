"""GET /api/v1/patients/ (DRF, access rules, audit hook, strict serializer) against a bare Django
view running the same query — in-process and over HTTP through gunicorn — with query counts.

The ratio is what our framework layers cost on a hot authenticated list. Run: python -m bench.bench_endpoint
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.harness import alternate, table

ROOT = Path(__file__).resolve().parents[1]
PATIENTS = 25


def setup_database(var_dir: str) -> None:
    os.environ["MASTLINE_VAR_DIR"] = var_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from apps.accounts.models import User
    from apps.careteam.models import Membership, Patient, Role

    user = User.objects.create_user(
        email="bench@example.org", password="bench-password-123", display_name="Bench"
    )
    for i in range(PATIENTS):
        patient = Patient.objects.create(display_name=f"Patient {i:02d}", time_zone="Europe/Rome")
        Membership.objects.create(patient=patient, user=user, role=Role.OWNER)
        Membership.objects.create(
            patient=patient,
            user=User.objects.create_user(email=f"c{i}@example.org", display_name="C"),
            role=Role.CAREGIVER,
        )


def in_process() -> tuple[dict[str, float], dict[str, int]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from apps.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email="bench@example.org"))
    urls = {"endpoint": "/api/v1/patients/", "bare view": "/bench/bare-patients"}
    queries = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200 and len(response.json()) == PATIENTS, response.content
        queries[name] = len(captured)

    def fetcher(url: str) -> Callable[[], object]:
        return lambda: client.get(url)

    timings = alternate({name: fetcher(url) for name, url in urls.items()}, repeat=7, number=100)
    return timings, queries


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def over_http(var_dir: str) -> dict[str, float]:
    port = free_port()
    env = {**os.environ, "MASTLINE_VAR_DIR": var_dir, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    gunicorn = subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"),
            "server.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for _ in range(100):
            try:
                conn.request("GET", "/api/v1/auth/csrf")
                break
            except OSError:
                time.sleep(0.1)
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        response = conn.getresponse()
        csrf = json.loads(response.read())["csrf_token"]
        cookies = {
            c.split("=", 1)[0]: c.split(";", 1)[0]
            for c in response.headers.get_all("Set-Cookie") or []
        }
        conn.request(
            "POST",
            "/api/v1/auth/login",
            body=json.dumps({"email": "bench@example.org", "password": "bench-password-123"}),
            headers={
                "Content-Type": "application/json",
                "X-CSRFToken": csrf,
                "Cookie": "; ".join(cookies.values()),
            },
        )
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"login failed: {response.status}")
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies[header.split("=", 1)[0]] = header.split(";", 1)[0]
        cookie = "; ".join(cookies.values())

        def fetch(url: str) -> None:
            conn.request("GET", url, headers={"Cookie": cookie})
            reply = conn.getresponse()
            reply.read()
            if reply.status != 200:
                raise RuntimeError(f"{url}: {reply.status}")

        return alternate(
            {
                "endpoint": lambda: fetch("/api/v1/patients/"),
                "bare view": lambda: fetch("/bench/bare-patients"),
            },
            repeat=7,
            number=100,
        )
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=20)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="mastline-bench-") as var_dir:
        setup_database(var_dir)
        local, queries = in_process()
        http_times = over_http(var_dir)
    print(
        f"GET /api/v1/patients/ ({PATIENTS} patients, session auth, SQLite) vs a bare Django view with the same query"
    )
    table(
        [
            ("", "endpoint", "bare view", "ratio"),
            ("queries per request", str(queries["endpoint"]), str(queries["bare view"]), ""),
            (
                "in-process, ms/request",
                f"{local['endpoint'] * 1000:.2f}",
                f"{local['bare view'] * 1000:.2f}",
                f"{local['endpoint'] / local['bare view']:.2f}x",
            ),
            (
                "over HTTP (gunicorn), ms/request",
                f"{http_times['endpoint'] * 1000:.2f}",
                f"{http_times['bare view'] * 1000:.2f}",
                f"{http_times['endpoint'] / http_times['bare view']:.2f}x",
            ),
        ]
    )


if __name__ == "__main__":
    main()
