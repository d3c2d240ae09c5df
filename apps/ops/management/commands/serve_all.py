"""Runs the web server, a Celery worker and Celery beat together for `make run`.

Ctrl-C (or SIGTERM) stops all three; if one of them dies the others are stopped too, so a
half-running stack never looks healthy.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from apps.ops.demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Runs web (gunicorn) + Celery worker + Celery beat until Ctrl-C."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        bin_dir = os.path.dirname(sys.executable)
        schedule = settings.CELERY_BEAT_SCHEDULE_FILENAME
        commands = {
            "web": [
                os.path.join(bin_dir, "gunicorn"),
                "server.wsgi",
                "--bind",
                f"{host}:{port}",
                "--workers",
                "2",
                "--access-logfile",
                "-",
            ],
            "worker": [
                os.path.join(bin_dir, "celery"),
                "-A",
                "server",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
                "--queues",
                "deliveries,scans",  # docs/delivery.md: scans never wait behind deliveries
            ],
            "beat": [
                os.path.join(bin_dir, "celery"),
                "-A",
                "server",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                schedule,
            ],
        }
        children: dict[str, subprocess.Popen[bytes]] = {}
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        for name, command in commands.items():
            children[name] = subprocess.Popen(command, start_new_session=True)  # noqa: S603

        url = f"http://{host}:{port}/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Mastline is running at {url}"))
        self.stdout.write(f"  API docs: {url}api/docs/   health: {url}api/health")
        self.stdout.write(f"  Demo logins (password {DEMO_PASSWORD}):")
        for user in DEMO_USERS:
            self.stdout.write(f"    {user.email:34} {user.describes}")
        self.stdout.write("  Press Ctrl-C to stop web, worker and beat.\n")

        exit_code = 0
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    self.stderr.write(f"{name} exited with {child.returncode}; stopping the rest.")
                    exit_code = child.returncode or 1
                    stopping = True
                    break
            time.sleep(0.5)

        for child in children.values():
            if child.poll() is None:
                child.terminate()  # each stops its own workers gracefully
        deadline = time.monotonic() + 15
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
        self.stdout.write("Stopped.")
        if exit_code:
            raise SystemExit(exit_code)
