"""What actors need at run time (settings, database, clock), set once per worker process."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.clock import Clock, SystemClock
from core.db import Database
from core.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock = field(default_factory=SystemClock)


_current: Runtime | None = None


def install(runtime: Runtime) -> Runtime:
    global _current
    _current = runtime
    return runtime


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("workers.broker.setup_broker() has not been called in this process")
    return _current
