"""All time goes through a clock, so tests and demos can move it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from core.settings import Settings


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FrozenClock:
    """A clock that only moves when told to."""

    current: datetime = field(default_factory=lambda: datetime(2026, 1, 5, 9, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


class SharedOffsetClock:
    """System time plus an offset kept in Redis, so `onramp demo --days N` can move every
    process's time forward together. Only used when ONRAMP_SIMULATED_CLOCK is on."""

    def __init__(self, redis_url: str, key: str, cache_seconds: float = 0.2) -> None:
        from redis import Redis

        self._redis = Redis.from_url(redis_url, socket_timeout=1)
        self._key = key
        self._cache_seconds = cache_seconds
        self._offset = 0.0
        self._read_at = -1.0

    def offset_seconds(self) -> float:
        from redis.exceptions import RedisError

        if time.monotonic() - self._read_at > self._cache_seconds:
            try:
                self._offset = float(self._redis.get(self._key) or 0)
                self._read_at = time.monotonic()
            except RedisError:
                pass  # keep the last known offset while Redis is away
        return self._offset

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.offset_seconds())

    def advance(self, **delta: float) -> datetime:
        self._redis.incrbyfloat(self._key, timedelta(**delta).total_seconds())
        self._read_at = -1.0
        return self.now()


def clock_for(settings: Settings) -> Clock:
    if settings.simulated_clock:
        return SharedOffsetClock(settings.redis_url, f"{settings.redis_namespace}:clock-offset")
    return SystemClock()
