"""Enqueue many messages in one Redis round trip.

``broker.enqueue`` is one round trip (a Lua ``dispatch`` call) per message: a relay pass of 500
events or a scheduler tick of 1,000 due steps paid for 500 or 1,000 of them. On a Redis broker
this writes what ``dispatch``'s "enqueue" command writes for each message (the message under
its id in ``<namespace>:<queue>.msgs``, the id pushed onto ``<namespace>:<queue>``, this
broker's heartbeat) as three commands per queue, in one pipeline, and runs the enqueue
middleware hooks around them as ``RedisBroker.enqueue`` does. Any other broker (a stub in a
test) gets the messages one by one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from uuid import uuid4

from dramatiq import Broker, Message
from dramatiq.brokers.redis import RedisBroker
from dramatiq.common import current_millis


def enqueue_all(broker: Broker, messages: Sequence[Message]) -> list[Message]:
    """Enqueue ``messages`` (no delays), in order, and return them as enqueued. A queue's
    messages land together (one MULTI/EXEC); callers are idempotent if some queues do not."""
    if not messages:
        return []
    if not isinstance(broker, RedisBroker):
        return [broker.enqueue(message) for message in messages]
    sent = [m.copy(options={"redis_message_id": str(uuid4())}) for m in messages]
    by_queue: dict[str, list[Message]] = defaultdict(list)
    for message in sent:
        broker.emit_before("enqueue", message, None)
        by_queue[message.queue_name].append(message)
    namespace = broker.namespace
    with broker.client.pipeline(transaction=True) as pipeline:
        pipeline.zadd(f"{namespace}:__heartbeats__", {broker.broker_id: current_millis()})
        for queue_name, queued in by_queue.items():
            ids = [message.options["redis_message_id"] for message in queued]
            pipeline.hset(
                f"{namespace}:{queue_name}.msgs",
                mapping={m.options["redis_message_id"]: m.encode() for m in queued},
            )
            pipeline.rpush(f"{namespace}:{queue_name}", *ids)
        pipeline.execute()
    for message in sent:
        broker.emit_after("enqueue", message, None)
    return sent
