"""A mail server on 127.0.0.1 for tests: speaks just enough SMTP for Django's backend and keeps
every message it accepts, so a test can count copies by Message-ID."""

from __future__ import annotations

import socketserver
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes


@dataclass
class SmtpSink:
    messages: list[bytes] = field(default_factory=list)
    port: int = 0

    def message_ids(self) -> Counter[str]:
        # A long header arrives folded over two lines.
        return Counter(
            "".join(str(message_from_bytes(m)["Message-ID"]).split()) for m in list(self.messages)
        )


def run_smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    lock = threading.Lock()

    class Session(socketserver.StreamRequestHandler):
        def reply(self, line: str) -> None:
            self.wfile.write(f"{line}\r\n".encode())

        def handle(self) -> None:
            self.reply("220 sink ready")
            while line := self.rfile.readline():
                verb = line.decode(errors="replace").strip().split(" ")[0].upper()
                if verb == "EHLO":
                    self.reply("250-sink")
                    self.reply("250 8BITMIME")
                elif verb == "DATA":
                    self.reply("354 end with <CRLF>.<CRLF>")
                    body = b""
                    while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                        body += chunk[1:] if chunk.startswith(b"..") else chunk
                    with lock:
                        sink.messages.append(body)
                    self.reply("250 queued")
                elif verb == "QUIT":
                    self.reply("221 bye")
                    return
                else:  # HELO, MAIL, RCPT, RSET, NOOP
                    self.reply("250 ok")

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True

        def handle_error(self, request: object, client_address: object) -> None:
            pass  # a sender killed mid-session (the fault test does that) is not our error

    server = Server(("127.0.0.1", 0), Session)
    sink.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()
