"""Dramatiq's dead-lettered messages, read and re-sent at the Redis level.

The web app has no broker (and cannot import ``workers``), so this mirrors the layout that
Dramatiq's ``RedisBroker`` keeps (its ``dispatch.lua``) under ``<namespace>-dramatiq:``:

- ``<queue>``: a list of Redis message ids waiting to be fetched;
- ``<queue>.msgs``: a hash, Redis message id → encoded message;
- ``<queue>.XQ``: a sorted set of dead-lettered Redis message ids, scored by when (ms) they died;
- ``<queue>.XQ.msgs``: a hash, Redis message id → encoded message.

Only what a message is for and the ids in its arguments leave this module: never other
argument values, options or tracebacks.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from redis import Redis

from core.settings import Settings

LIST_LIMIT = 200  # per queue, newest first: enough to act on, small enough to render

# What each actor does, in the words an admin uses; the ids follow in brackets.
ACTOR_WORDS: dict[str, str] = {
    "screen_applications": "Score applications and email their packets",
    "enroll_hire": "Enroll a new hire in onboarding",
    "deliver_step": "Deliver an onboarding step",
    "remind_step": "Send a reminder about an onboarding step",
    "escalate_step": "Escalate an overdue onboarding step",
    "send_deliveries": "Send emails",
    "fan_out_webhooks": "Prepare webhook deliveries for an event",
    "send_webhook": "Send a webhook",
}

# The options a message gathers on its way to the dead-letter queue; a re-sent message starts
# afresh without them (all its retries again, no stale delay).
_SPENT_OPTIONS = ("retries", "traceback", "eta", "redis_message_id")

# Atomic like Dramatiq's own scripts: only the caller that takes the message off the
# dead-letter set enqueues it, so a double click sends it once.
# KEYS: dead set, dead messages, queue, queue messages; ARGV: dead id, new id, new message.
_RESEND = """
if redis.call("zrem", KEYS[1], ARGV[1]) == 0 then
    return 0
end
redis.call("hdel", KEYS[2], ARGV[1])
redis.call("hset", KEYS[4], ARGV[2], ARGV[3])
redis.call("rpush", KEYS[3], ARGV[2])
return 1
"""


@dataclass(frozen=True)
class DeadLetter:
    queue: str
    redis_id: str  # the message's key in the dead-letter set
    actor_name: str
    ids: tuple[int, ...]
    died_at: datetime

    @property
    def description(self) -> str:
        """E.g. "Score an application (#123)"."""
        words = ACTOR_WORDS.get(self.actor_name, f"Run {self.actor_name}")
        if not self.ids:
            return words
        return f"{words} ({', '.join(f'#{i}' for i in self.ids)})"


def _prefix(settings: Settings) -> str:
    return f"{settings.redis_namespace}-dramatiq:"


def _client(settings: Settings) -> Redis:
    return Redis.from_url(settings.redis_url, socket_timeout=2)


def _ids(message: dict[str, Any]) -> tuple[int, ...]:
    """The integer arguments, positional then keyword: actors take ids, or lists of ids."""
    values = [*message.get("args", ()), *dict(message.get("kwargs") or {}).values()]
    flat = [item for value in values for item in (value if isinstance(value, list) else [value])]
    return tuple(v for v in flat if isinstance(v, int) and not isinstance(v, bool))


def _queues(client: Redis, prefix: str) -> list[str]:
    names = {
        key.decode().removeprefix(prefix).removesuffix(".XQ")
        for key in client.scan_iter(match=f"{prefix}*.XQ", count=100)
    }
    return sorted(names)


def _letters(client: Redis, prefix: str, queue: str) -> Iterator[DeadLetter]:
    dead = f"{prefix}{queue}.XQ"
    entries = cast(
        "list[tuple[bytes, float]]", client.zrevrange(dead, 0, LIST_LIMIT - 1, withscores=True)
    )
    if not entries:
        return
    bodies: list[bytes | str | None] = client.hmget(
        f"{dead}.msgs", [member for member, _ in entries]
    )
    for (member, score), body in zip(entries, bodies, strict=True):
        if body is None:
            continue  # expired between the two reads
        try:
            message = json.loads(body)
        except ValueError:
            continue
        yield DeadLetter(
            queue=queue,
            redis_id=member.decode(),
            actor_name=str(message.get("actor_name", "unknown")),
            ids=_ids(message),
            died_at=datetime.fromtimestamp(score / 1000, tz=UTC),
        )


def dead_letters(settings: Settings) -> list[DeadLetter]:
    """Every dead-lettered message of the deployment, newest first."""
    prefix = _prefix(settings)
    with _client(settings) as client:
        letters = [
            letter
            for queue in _queues(client, prefix)
            for letter in _letters(client, prefix, queue)
        ]
    return sorted(letters, key=lambda letter: letter.died_at, reverse=True)


def resend(settings: Settings, queue: str, redis_id: str) -> DeadLetter | None:
    """Put a dead-lettered message back on its queue and take it off the dead-letter set, as
    Dramatiq's ``enqueue`` would (a fresh Redis id and timestamp, so ``AgeLimit`` lets it
    run, and no spent retries). None if it is no longer there (re-sent or expired)."""
    prefix = _prefix(settings)
    dead = f"{prefix}{queue}.XQ"
    with _client(settings) as client:
        body = client.hget(f"{dead}.msgs", redis_id)
        if body is None:
            return None
        message = json.loads(body)
        died = client.zscore(dead, redis_id) or 0.0
        new_id = str(uuid.uuid4())
        options = {k: v for k, v in dict(message.get("options") or {}).items()}
        for spent in _SPENT_OPTIONS:
            options.pop(spent, None)
        options["redis_message_id"] = new_id
        message.update(queue_name=queue, message_timestamp=int(time.time() * 1000), options=options)
        encoded = json.dumps(message, separators=(",", ":"))
        keys = [dead, f"{dead}.msgs", f"{prefix}{queue}", f"{prefix}{queue}.msgs"]
        if not client.eval(_RESEND, 4, *keys, redis_id, new_id, encoded):
            return None
    return DeadLetter(
        queue=queue,
        redis_id=redis_id,
        actor_name=str(message.get("actor_name", "unknown")),
        ids=_ids(message),
        died_at=datetime.fromtimestamp(died / 1000, tz=UTC),
    )
