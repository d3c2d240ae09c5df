"""`make run`'s stack for real: web + Celery worker + Celery beat as separate processes, healthy
within a minute, and all of them gone after Ctrl-C — on the embedded transport with SQLite, and on
PostgreSQL + Redis."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback only)
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def stack_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="server.settings.base", MASTLINE_VAR_DIR=str(tmp_path), **extra
    )
    return env


def run_stack_until_healthy(env: dict[str, str]) -> None:
    manage = [sys.executable, "manage.py"]
    for step in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([*manage, *step], cwd=ROOT, env=env, check=True, timeout=180)  # noqa: S603
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    stack = subprocess.Popen(  # noqa: S603
        [*manage, "serve_all", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        status, body = 0, b""
        while time.monotonic() < deadline:
            if stack.poll() is not None:
                pytest.fail(
                    f"the stack exited early:\n{stack.stdout.read() if stack.stdout else ''}"
                )
            try:
                status, body = get(f"{base}/api/health")
            except OSError:
                status = 0
            if status == 200:
                break
            time.sleep(1)
        assert status == 200, body.decode(errors="replace")
        checks = json.loads(body)["checks"]
        assert all(check["ok"] for check in checks.values()), checks
        assert get(f"{base}/api/docs/")[0] == 200
        assert get(f"{base}/")[0] in {200, 503}  # 503 only when the front end is not built
    finally:
        stack.send_signal(signal.SIGINT)
        try:
            output, _ = stack.communicate(timeout=40)
        except subprocess.TimeoutExpired:
            stack.kill()
            output, _ = stack.communicate()
            pytest.fail(f"Ctrl-C did not stop the stack:\n{output}")
    assert stack.returncode == 0, output
    assert "Demo logins" in output and "Stopped." in output
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0, "the web server is still listening"


def test_make_run_stack_on_sqlite_and_the_embedded_transport(tmp_path: Path) -> None:
    run_stack_until_healthy(stack_env(tmp_path))


@pytest.mark.postgres
@pytest.mark.redis
def test_the_stack_on_postgresql_and_redis(tmp_path: Path) -> None:
    import psycopg

    server = urlsplit(os.environ["DATABASE_URL"])
    admin_url = urlunsplit(server._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS mastline_stack_test WITH (FORCE)")
        conn.execute("CREATE DATABASE mastline_stack_test")
    redis_url = urlunsplit(urlsplit(os.environ["REDIS_URL"])._replace(path="/3"))
    try:
        run_stack_until_healthy(
            stack_env(
                tmp_path,
                DATABASE_URL=urlunsplit(server._replace(path="/mastline_stack_test")),
                REDIS_URL=redis_url,
            )
        )
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS mastline_stack_test WITH (FORCE)")
