"""Every module that defines tables, so Alembic (env.py) and the migration test see the whole
schema. A new model module is added here, once."""

from __future__ import annotations

from core import accounts, audit, companies, deliveries, invitations, outbox, webhooks
from core import definition_versions as definition_version_models
from onboarding import models as onboarding_models
from screening import models as screening_models
from screening import self_identification

MODEL_MODULES = (
    accounts,
    audit,
    companies,
    definition_version_models,
    deliveries,
    invitations,
    outbox,
    webhooks,
    onboarding_models,
    screening_models,
    self_identification,
)
