"""Event wire names. Past tense, lowercase, dotted; once published they never change."""

from __future__ import annotations

from typing import Final

APPLICATION_SUBMITTED: Final = "application.submitted"
APPLICATION_SCORED: Final = "application.scored"
PACKET_READY: Final = "packet.ready"
HIRE_ACCEPTED: Final = "hire.accepted"
ONBOARDING_STEP_DUE: Final = "onboarding.step_due"
NOTICE_REQUESTED: Final = "notice.requested"  # a delivery to send now (web-originated notices)
DECISION_MADE: Final = "decision.made"
ONBOARDING_STEP_COMPLETED: Final = "onboarding.step_completed"
ONBOARDING_COMPLETED: Final = "onboarding.completed"
WEBHOOK_REQUESTED: Final = "webhook.requested"  # an outbound webhook delivery to send now
