"""Enqueue many messages in one Redis round trip.

``broker.enqueue`` is one round trip per message: 500 due steps were 500 round trips per tick.
On a Redis broker this sends the same Lua ``dispatch`` calls that ``RedisBroker.enqueue``
makes, through one pipeline, and runs the enqueue middleware hooks around them as it does.
Any other broker (a stub in a test) gets the messages one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import uuid4

from dramatiq import Broker, Message
from dramatiq.brokers.redis import RedisBroker
from dramatiq.common import current_millis


def enqueue_all(broker: Broker, messages: Sequence[Message]) -> list[Message]:
    """Enqueue ``messages`` (no delays) and return them as enqueued. Atomic per message, not as
    a whole: if Redis goes away mid-pipeline, some may be queued; callers are idempotent."""
    if not messages:
        return []
    if not isinstance(broker, RedisBroker):
        return [broker.enqueue(message) for message in messages]
    sent = [m.copy(options={"redis_message_id": str(uuid4())}) for m in messages]
    for message in sent:
        broker.emit_before("enqueue", message, None)
    dispatch = broker.scripts["dispatch"]
    with broker.client.pipeline(transaction=False) as pipeline:
        for message in sent:
            dispatch(
                keys=[broker.namespace],
                args=[
                    "enqueue",
                    current_millis(),
                    message.queue_name,
                    broker.broker_id,
                    broker.heartbeat_timeout,
                    broker.dead_message_ttl,
                    broker._should_do_maintenance("enqueue"),
                    broker._max_unpack_size(),
                    message.options["redis_message_id"],
                    message.encode(),
                ],
                client=pipeline,
            )
        pipeline.execute()
    for message in sent:
        broker.emit_after("enqueue", message, None)
    return sent

