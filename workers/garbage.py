"""Worker middleware: settle the garbage collector once a worker process has booted
(:mod:`core.garbage_collection` says why)."""

from __future__ import annotations

from typing import Any

from dramatiq import Middleware

from core import garbage_collection


class SettledHeap(Middleware):
    def after_worker_boot(self, broker: Any, worker: Any) -> None:
        garbage_collection.settle_after_startup()
