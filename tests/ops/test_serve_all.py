"""`make run`'s serve_all: links point at the port served, no shared gunicorn control socket, and
the address is printed only once the web server answers."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from apps.ops.management.commands.serve_all import (
    child_env,
    gunicorn_command,
    site_url,
    wait_until_answering,
)


def test_site_url_follows_the_port_unless_it_is_set() -> None:
    assert child_env("127.0.0.1", 8101, {})["SITE_URL"] == "http://127.0.0.1:8101"
    assert child_env("0.0.0.0", 8101, {})["SITE_URL"] == "http://127.0.0.1:8101"  # noqa: S104
    chosen = {"SITE_URL": "https://mastline.example.org"}
    assert child_env("127.0.0.1", 8101, chosen)["SITE_URL"] == "https://mastline.example.org"
    assert site_url("localhost", 9000) == "http://localhost:9000"


def test_gunicorn_gets_no_shared_control_socket() -> None:
    command = gunicorn_command("/venv/bin", "127.0.0.1", 8101)
    assert "--no-control-socket" in command
    assert command[command.index("--bind") + 1] == "127.0.0.1:8101"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Answer(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(503)  # any answer counts: the server is up, health is another matter
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_the_address_waits_for_an_answer_and_gives_up_when_the_server_dies() -> None:
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        port = _free_port()
        assert wait_until_answering("127.0.0.1", port, alive, timeout=0.5) is False
        server = HTTPServer(("127.0.0.1", port), _Answer)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            assert wait_until_answering("127.0.0.1", port, alive, timeout=5) is True
        finally:
            server.shutdown()
            server.server_close()
    finally:
        alive.kill()
        alive.wait()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    assert wait_until_answering("127.0.0.1", _free_port(), dead, timeout=30) is False
