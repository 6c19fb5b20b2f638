"""The reconciler: the database is the truth, queues are only transport.

Every minute it looks for work that a crash, a lost Redis or a dead consumer left half-done
and sends it round again:

- applications still ``submitted`` a few minutes after submission, and scored ones without a
  packet → ``screen_applications``
- accepted offers without an enrollment → ``enroll_hire``
- deliveries never claimed, or claimed by a worker that died → ``send_deliveries``
  (and deliveries out of attempts are marked failed for admins to see)
- outbox rows still unsent → sent now, in case no relay is keeping up
- outbound webhook deliveries never claimed, held by a dead worker, or whose scheduled
  retry is due (``next_attempt_at``) → ``send_webhook`` (and those out of attempts are
  marked failed)
- webhook-eligible events of the last day (or retry horizon, if longer) that an endpoint
  wanted but whose fan-out never ran (its message lost after the relay marked the event
  sent) → ``fan_out_webhooks``

Each actor claims its work, so a re-drive of something that was merely slow changes nothing:
at-least-once transport plus idempotent actors gives an exactly-once effect. Re-drives are
logged with ids only and counted in Redis for ``/metrics``.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from dramatiq import Broker

from core import counters, deliveries, webhook_deliveries
from core.clock import Clock
from core.db import Database
from core.settings import Settings
from onboarding import enrollments
from screening import applications, decisions, hiring
from workers import batches
from workers.actors import webhooks
from workers.actors.deliveries import policy
from workers.relay import Relay

log = logging.getLogger(__name__)

BATCH = 500
# Accepted offers older than this without an enrollment are left to a person: a week of
# silent re-drives would have been noticed on the dashboard long before.
ENROLLMENT_LOOKBACK = timedelta(days=7)
# Lost webhook fan-outs are looked for this far back at least (retries last about a day).
FAN_OUT_LOOKBACK = timedelta(days=1)


@dataclass(frozen=True)
class Redrives:
    scoring: int = 0
    packets: int = 0
    enrollments: int = 0
    deliveries: int = 0
    deliveries_failed: int = 0
    outbox: int = 0
    webhooks: int = 0
    webhooks_failed: int = 0
    webhook_fan_outs: int = 0

    @property
    def total(self) -> int:
        return sum(asdict(self).values())


class Reconciler:
    def __init__(self, db: Database, broker: Broker, clock: Clock, settings: Settings) -> None:
        self.db = db
        self.broker = broker
        self.clock = clock
        self.settings = settings

    def run_once(self) -> Redrives:
        now = self.clock.now()
        cutoff = now - timedelta(seconds=self.settings.reconcile_after_seconds)
        rules = policy(self.settings)
        hook_rules = webhooks.policy(self.settings)
        with self.db.unit_of_work() as session:
            hooks_failed = webhook_deliveries.fail_exhausted(session, self.clock, hook_rules)
            hooks = webhook_deliveries.stalled(session, now, now - cutoff, hook_rules, BATCH)
            unscored = applications.stuck_submitted(session, cutoff, BATCH)
            unpacked = hiring.packets_missing(session, cutoff, BATCH)
            accepted = decisions.accepted_since(session, now - ENROLLMENT_LOOKBACK, cutoff)
            unenrolled = sorted(set(accepted) - enrollments.enrolled_among(session, accepted))
            failed = deliveries.fail_exhausted(session, self.clock, rules)
            stalled = deliveries.stalled(
                session, now, timedelta(seconds=self.settings.reconcile_after_seconds), rules, BATCH
            )
            fan_outs = webhook_deliveries.missing_fan_outs(
                session, webhooks.event_companies(), self._fan_out_since(now), cutoff, BATCH
            )
        relay = Relay(self.db, self.broker, self.clock, BATCH)
        unsent = 0
        while sent := relay.relay_once(created_before=cutoff):
            unsent += sent
        self._enqueue_batches(
            "screen_applications", "application_ids", sorted({*unscored, *unpacked})
        )
        self._enqueue("enroll_hire", "application_id", unenrolled)
        self._enqueue_batches("send_deliveries", "delivery_ids", stalled)
        self._enqueue("send_webhook", "webhook_delivery_id", hooks)
        self._enqueue("fan_out_webhooks", "event_id", fan_outs)
        result = Redrives(
            len(unscored),
            len(unpacked),
            len(unenrolled),
            len(stalled),
            failed,
            unsent,
            webhooks=len(hooks),
            webhooks_failed=hooks_failed,
            webhook_fan_outs=len(fan_outs),
        )
        if result.total:
            log.warning(
                "reconciler re-drove unfinished work",
                extra={
                    **asdict(result),
                    "application_ids": unscored + unpacked + unenrolled,
                    "delivery_ids": stalled,
                    "event_ids": fan_outs,
                },
            )
            counters.add(self.settings, counters.REDRIVES, asdict(result))
        return result

    def _fan_out_since(self, now: datetime) -> datetime:
        """How far back lost fan-outs are looked for (events sent before the cutoff, so their
        fan-out had time to run): as long as a delivery is retried, so a late one still arrives
        while those of its day might, and never less than a day, so a low attempt cap keeps
        the pass."""
        retried = webhook_deliveries.retry_horizon(self.settings.webhook_max_attempts)
        return now - max(retried, FAN_OUT_LOOKBACK)

    def _enqueue_batches(self, actor_name: str, argument: str, ids: list[int]) -> None:
        actor = self.broker.get_actor(actor_name)
        for chunk in batches.chunks(ids):
            self.broker.enqueue(actor.message_with_options(kwargs={argument: chunk}))

    def _enqueue(self, actor_name: str, argument: str, ids: list[int]) -> None:
        actor = self.broker.get_actor(actor_name)
        for id_ in ids:
            self.broker.enqueue(actor.message_with_options(kwargs={argument: id_}))
