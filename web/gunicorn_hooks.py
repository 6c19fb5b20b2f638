"""gunicorn server hooks for onramp's web workers: ``gunicorn -c python:web.gunicorn_hooks``.

Each worker, once it has loaded the app, settles its garbage collector
(:mod:`core.garbage_collection` says why): a page view allocates thousands of short-lived
objects, and every collection they set off walked the app's whole start-up heap again.
"""

from __future__ import annotations

from typing import Any

from core import garbage_collection


def post_worker_init(worker: Any) -> None:
    garbage_collection.settle_after_startup()
