"""Count the SQL a block sends: deterministic evidence for the performance work, where times
on a shared machine are not."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from core.db import Database


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    """Every SQL statement sent on the engine while the block runs."""
    seen: list[str] = []

    def capture(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
