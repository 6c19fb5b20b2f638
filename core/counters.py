"""Running totals shared by every process (e.g. the reconciler's re-drives), kept in Redis.

Best effort by design: a count lost while Redis is away is also in the logs, and nothing
decides anything from these numbers; operators read them in /metrics and `onramp status`.
"""

from __future__ import annotations

from collections.abc import Mapping

from redis import Redis
from redis.exceptions import RedisError

from core.settings import Settings

REDRIVES = "redrives"


def add(settings: Settings, name: str, counts: Mapping[str, int]) -> None:
    try:
        with Redis.from_url(settings.redis_url, socket_timeout=1) as client:
            pipe = client.pipeline()
            for field, count in counts.items():
                if count:
                    pipe.hincrby(settings.redis_key(name), field, count)
            pipe.execute()
    except RedisError:
        pass


def totals(settings: Settings, name: str) -> dict[str, int]:
    """Totals by field; empty when Redis cannot be reached."""
    try:
        with Redis.from_url(settings.redis_url, socket_timeout=1) as client:
            raw = client.hgetall(settings.redis_key(name))
    except RedisError:
        return {}
    return {key.decode(): int(value) for key, value in raw.items()}
