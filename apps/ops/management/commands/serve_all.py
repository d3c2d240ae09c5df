"""Runs the web server, a Celery worker and Celery beat together for `make run`.

Ctrl-C (or SIGTERM) stops all three; if one of them dies the others are stopped too, so a
half-running stack never looks healthy. The address is printed once the web server answers, and
links the server writes (share links, QR codes, invitation and reset emails) point at the port it
runs on: SITE_URL follows --port / PORT unless it is set.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from apps.ops.demo import DEMO_PASSWORD, DEMO_USERS

# How long the web server may take to answer its first request before the stack gives up.
STARTUP_SECONDS = 60


def site_url(host: str, port: int) -> str:
    """The address people use to reach this server: a wildcard bind is reached on loopback."""
    shown = "127.0.0.1" if host in {"", "0.0.0.0", "::", "[::]"} else host  # noqa: S104
    return f"http://{shown}:{port}"


def child_env(host: str, port: int, environ: Mapping[str, str]) -> dict[str, str]:
    """The environment of web, worker and beat: SITE_URL follows the port unless it is set, so
    links in emails and QR codes never point at another port than the one being served."""
    env = dict(environ)
    if not env.get("SITE_URL"):
        env["SITE_URL"] = site_url(host, port)
    return env


def gunicorn_command(bin_dir: str, host: str, port: int) -> list[str]:
    return [
        os.path.join(bin_dir, "gunicorn"),
        "server.wsgi",
        "--bind",
        f"{host}:{port}",
        "--workers",
        "2",
        "--access-logfile",
        "-",
        # gunicorn's control socket is one path per user (~/.gunicorn/gunicorn.ctl): a second
        # instance on this machine would take it over and delete it when it stops. We never use it.
        "--no-control-socket",
    ]


def wait_until_answering(
    host: str,
    port: int,
    web: subprocess.Popen[bytes],
    timeout: float,
    stopping: Callable[[], bool] = lambda: False,
) -> bool:
    """True once the web server answers any HTTP request; False if it exits, time runs out or
    the stack is being stopped."""
    address = "127.0.0.1" if host in {"", "0.0.0.0"} else host.strip("[]")  # noqa: S104
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and web.poll() is None and not stopping():
        try:
            # Any answer will do, so ask for something cheap: /api/health checks the database,
            # the broker and the worker, and on a loaded machine it can outlast a short timeout.
            connection = http.client.HTTPConnection(address, port, timeout=10)
            connection.request("HEAD", "/manifest.webmanifest")
            connection.getresponse().read()
            return True
        except OSError:
            time.sleep(0.3)
    return False


class Command(BaseCommand):
    help = "Runs web (gunicorn) + Celery worker + Celery beat until Ctrl-C."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        bin_dir = os.path.dirname(sys.executable)
        schedule = settings.CELERY_BEAT_SCHEDULE_FILENAME
        commands = {
            "web": gunicorn_command(bin_dir, host, port),
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
        env = child_env(host, port, os.environ)
        for name, command in commands.items():
            children[name] = subprocess.Popen(command, start_new_session=True, env=env)  # noqa: S603

        exit_code = 0
        if wait_until_answering(host, port, children["web"], STARTUP_SECONDS, lambda: stopping):
            url = f"{site_url(host, port)}/"
            self.stdout.write("")
            self.stdout.write(self.style.SUCCESS(f"Mastline is running at {url}"))
            if env["SITE_URL"].rstrip("/") != url.rstrip("/"):
                self.stdout.write(f"  Links in emails and QR codes use SITE_URL={env['SITE_URL']}")
            self.stdout.write(f"  API docs: {url}api/docs/   health: {url}api/health")
            self.stdout.write(f"  Demo logins (password {DEMO_PASSWORD}):")
            for user in DEMO_USERS:
                self.stdout.write(f"    {user.email:34} {user.describes}")
            self.stdout.write("  Press Ctrl-C to stop web, worker and beat.\n")
            self.stdout.flush()
        elif not stopping:
            self.stderr.write(f"The web server did not answer on port {port}; stopping.")
            exit_code = 1
            stopping = True

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
