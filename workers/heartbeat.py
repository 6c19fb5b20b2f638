"""Heartbeat files: how compose's health checks see that a worker, the relay or the scheduler
is alive and getting on with its work.

Each long-running process touches ``onramp-<role>.heartbeat`` in the temporary directory
while it works (the relay after each pass that reached the database and Redis, the scheduler
from its job loop, a Dramatiq worker while Redis answers its ping); ``onramp healthcheck
<role>`` exits 0 when that file was touched recently, 1 otherwise. A file, not a port: the
check runs inside the container and needs neither Redis nor the database to answer.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from dramatiq import Middleware

log = logging.getLogger(__name__)

ROLES = ("worker", "relay", "scheduler")
EVERY_SECONDS = 10.0
# Stale after this long: a few missed beats, longer than the relay's longest Redis backoff.
MAX_AGE_SECONDS = 60.0


def path_of(role: str) -> Path:
    return Path(tempfile.gettempdir()) / f"onramp-{role}.heartbeat"


class Heartbeat:
    """Touches one role's file at most every ``every`` seconds, however often it is called."""

    def __init__(self, role: str, every: float = EVERY_SECONDS) -> None:
        self.path = path_of(role)
        self.every = every
        self._last = float("-inf")

    def beat(self) -> None:
        now = time.monotonic()
        if now - self._last < self.every:
            return
        try:
            self.path.touch()
        except OSError as exc:  # a full or read-only /tmp must not stop the work itself
            log.warning("could not write the heartbeat file: %s", exc)
            return
        self._last = now


def is_fresh(role: str, max_age: float = MAX_AGE_SECONDS) -> bool:
    try:
        touched = path_of(role).stat().st_mtime
    except OSError:
        return False
    return time.time() - touched <= max_age


class WorkerHeartbeat(Middleware):
    """In each Dramatiq worker process: beat while the broker's Redis answers."""

    def __init__(self) -> None:
        self._stop = threading.Event()

    def after_worker_boot(self, broker: Any, worker: Any) -> None:
        heartbeat = Heartbeat("worker", every=0)
        threading.Thread(
            target=self._run, args=(broker, heartbeat), name="heartbeat", daemon=True
        ).start()

    def before_worker_shutdown(self, broker: Any, worker: Any) -> None:
        self._stop.set()

    def _run(self, broker: Any, heartbeat: Heartbeat) -> None:
        while not self._stop.is_set():
            try:
                broker.client.ping()
            except Exception as exc:
                log.warning("worker heartbeat: Redis did not answer: %s", exc)
            else:
                heartbeat.beat()
            self._stop.wait(EVERY_SECONDS)
