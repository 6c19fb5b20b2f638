"""Every module that defines tables, so Alembic (env.py) and the migration test see the whole
schema. A new model module is added here, once."""

from __future__ import annotations

from core import (
    accounts,
    api_keys,
    audit,
    companies,
    deliveries,
    invitations,
    outbox,
    webhook_deliveries,
    webhook_endpoints,
    webhooks,
)
from core import definition_versions as definition_version_models
from onboarding import models as onboarding_models
from screening import impact_alerts, self_identification
from screening import models as screening_models

MODEL_MODULES = (
    accounts,
    api_keys,
    audit,
    companies,
    definition_version_models,
    deliveries,
    invitations,
    outbox,
    webhooks,
    webhook_endpoints,
    webhook_deliveries,
    onboarding_models,
    screening_models,
    self_identification,
    impact_alerts,
)
