"""Batch actors: many ids in one message, their work in one transaction.

The relay gives each pass's events of one kind to one message of up to ``BATCH_SIZE`` ids, so
screening a burst of submissions costs one transaction and one Dramatiq message per batch
instead of per application. When the batch's transaction fails, each id is tried again in its
own, so one bad application never holds the others back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TypeVar

from sqlalchemy.orm import Session

from core.clock import Clock
from workers import runtime

log = logging.getLogger(__name__)

# Small enough that a burst still spreads over every worker thread, large enough to share
# one commit and a few multi-row statements among many applications.
BATCH_SIZE = 25

T = TypeVar("T")
Work = Callable[[Session, Clock, Sequence[int]], Mapping[int, T]]


def chunks(ids: Sequence[int], size: int = BATCH_SIZE) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def in_one_transaction(ids: Sequence[int], work: Work[T]) -> dict[int, T]:
    """``work`` for every id in one unit of work; if that fails, for each id in its own. Then
    the first error is raised (after the others are done), so Dramatiq retries the message or,
    for a domain rejection, lets it go; the work is idempotent, so a retry redoes nothing."""
    rt = runtime.current()
    try:
        with rt.db.unit_of_work() as session:
            return dict(work(session, rt.clock, ids))
    except Exception:
        if len(ids) <= 1:
            raise
        log.warning("batch failed, retrying its ids one by one", extra={"batch_size": len(ids)})
    results: dict[int, T] = {}
    first_error: Exception | None = None
    for id_ in ids:
        try:
            with rt.db.unit_of_work() as session:
                results.update(work(session, rt.clock, [id_]))
        except Exception as exc:  # raised below, once the rest are done
            first_error = first_error or exc
    if first_error is not None:
        raise first_error
    return results
