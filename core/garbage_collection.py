"""Garbage-collector settings for long-running server processes (workers, web workers).

Python's cyclic collector walks every tracked object of a generation each time it runs. A
worker process holds a large, permanent heap after start-up (modules, SQLAlchemy mappers,
pydantic schemas, parsed definitions), and screening a batch allocates thousands of short-lived
dicts (JSON answers and score results), which set off collections that walk that heap again
and again: measured on a batch of 100 applications, a quarter of a worker's CPU. Freezing
what start-up made moves it out of the collector's sight for good, and a larger first
generation lets a batch's temporaries die before anything scans them (0.03 instead of 1.05 ms
of collection per application).

Only for server processes, once their start-up is done: tests and one-off commands keep
Python's defaults.
"""

from __future__ import annotations

import gc

# Objects allocated (net) before the youngest generation is collected: Python's default is 700.
YOUNG_THRESHOLD = 10_000
OLDER_THRESHOLDS = (20, 20)


def settle_after_startup() -> None:
    """Collect start-up's garbage once, then freeze the rest and raise the thresholds."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
