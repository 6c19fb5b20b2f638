"""A real local HTTP receiver for outbound webhook tests: it keeps every request it gets and
answers each with the next scripted reply (a status code, or "hang" to outlast the sender's
timeout); once the script runs out it answers 200."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HANG_SECONDS = 3.0


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    server: ThreadingHTTPServer
    received: list[Received] = field(default_factory=list)
    script: deque[int | str] = field(default_factory=deque)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/hooks"

    def reply(self, *replies: int | str) -> None:
        self.script.extend(replies)


def start_receiver() -> Receiver:
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            receiver.received.append(Received(dict(self.headers.items()), body))
            reply = receiver.script.popleft() if receiver.script else 200
            if reply == "hang":
                time.sleep(HANG_SECONDS)
                reply = 200
            payload = b'{"ok": true}' if reply == 200 else b"receiver says no"
            self.send_response(int(reply))
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver = Receiver(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver
