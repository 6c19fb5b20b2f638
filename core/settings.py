"""Configuration from the environment, validated once at start-up.

This module is the only reader of ``os.environ``. Everything else receives a frozen
:class:`Settings` object explicitly.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

DEFAULT_DATA_DIR = Path("var")


class SettingsError(Exception):
    """The environment holds an unusable value; the message is one line for the operator."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    env: str = Field(default="development", pattern="^(development|test|production)$")
    database_url: str = f"sqlite:///{DEFAULT_DATA_DIR / 'onramp.db'}"
    redis_url: str = "redis://127.0.0.1:6379/0"
    # Prefix for every Redis key we own (dramatiq queues, rate limits), so several instances
    # can share one Redis without seeing each other's messages.
    redis_namespace: str = "onramp"
    secret_key: str = Field(default_factory=lambda: secrets.token_urlsafe(32), min_length=16)
    base_url: str = "http://127.0.0.1:8000"
    secure_cookies: bool = False
    max_request_bytes: int = Field(default=256 * 1024, ge=1024)
    resume_link_max_age_days: int = Field(default=14, ge=1)
    # Limits key on what abuse would reuse: the client address for starting applications
    # (many honest candidates can share one office NAT), the resume token for page posts.
    rate_limit_start: str = "1000 per hour"
    rate_limit_pages: str = "120 per minute"
    # The JSON API, per API key (an integration's sync job, not a person clicking).
    rate_limit_api: str = "600 per minute"
    rate_limits_enabled: bool = True
    # The worker lets a message run this long before giving up and retrying it.
    actor_time_limit_seconds: int = Field(default=60, ge=1)
    # Outgoing mail (packet deliveries, onboarding steps). `onramp up` runs a local catcher.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_timeout_seconds: float = Field(default=10, gt=0)
    mail_from: str = "onramp <no-reply@onramp.local>"
    # Shared secret for HMAC-signed ATS webhooks; empty disables the webhook endpoint.
    webhook_secret: str = ""
    webhook_tolerance_seconds: int = Field(default=300, ge=1)
    # Outbound webhooks (admins' endpoints): loopback, link-local, private and multicast
    # addresses are refused when an endpoint is saved and again when it is called, unless this
    # is on (a receiver on the same machine or network, as in tests and some deployments).
    webhooks_allow_private: bool = False
    webhook_timeout_seconds: float = Field(default=10, gt=0, le=60)
    webhook_max_attempts: int = Field(default=8, ge=1, le=100)
    rate_limit_login: str = "10 per minute"
    # Sign-in limits beyond the address+account pair above. One address trying many accounts
    # (password spraying) gets far fewer tries than an office NAT's staff ever need; one account
    # tried from many addresses counts failed attempts only, so guessing slows to a crawl while
    # an attacker can hold a targeted account shut for at most the hour.
    rate_limit_login_per_address: str = "30 per minute; 300 per hour"
    rate_limit_login_per_account: str = "10 per minute; 50 per hour"
    # Staff sessions end after this long without a request (and 12 h after sign-in at most).
    session_idle_minutes: int = Field(default=30, ge=1, le=12 * 60)
    # /metrics: with a token, scrapers send `Authorization: Bearer <token>`; without one, only
    # these networks (comma-separated CIDRs) may scrape.
    metrics_token: str = ""
    metrics_allow_networks: str = "127.0.0.0/8,::1/128"
    # Development/demo only: every process reads "now" as system time plus an offset in Redis.
    simulated_clock: bool = False
    scheduler_tick_seconds: float = Field(default=3.0, gt=0)
    relay_batch_size: int = Field(default=500, ge=1, le=10_000)
    # How long the relay waits after a pass that found the outbox empty (or not full): each
    # application crosses it three times on its way to the panel's inbox.
    relay_idle_seconds: float = Field(default=0.05, gt=0)
    # Candidates' personal data is anonymized this long after their application's last
    # activity (the landing page promises it); started, never-submitted ones sooner.
    retention_days: int = Field(default=365, ge=30)
    abandoned_days: int = Field(default=30, ge=1)
    # The daily adverse-impact monitor: impact ratios over this many days of applications; a
    # ratio below 0.80 alerts admins only when both groups have at least this many candidates.
    impact_window_days: int = Field(default=365, ge=7)
    impact_min_group: int = Field(default=30, ge=1)
    # Deliveries (every outgoing email): a claim older than this belongs to a dead worker, so
    # it must outlast the SMTP timeout and the actor time limit; past the cap a delivery is
    # marked failed for an admin to see instead of retrying forever.
    delivery_claim_timeout_seconds: int = Field(default=300, ge=1)
    delivery_max_attempts: int = Field(default=8, ge=1, le=100)
    # The reconciler re-drives work older than this that a crash left half-done.
    reconcile_after_seconds: int = Field(default=180, ge=1)
    reconcile_every_seconds: float = Field(default=60, gt=0)

    @model_validator(mode="after")
    def _abandoned_outlives_resume_links(self) -> Settings:
        # Purging a draft that a still-valid resume link can reopen would let a candidate
        # come back to an emptied form and submit as "Erased candidate".
        if self.abandoned_days < self.resume_link_max_age_days:
            raise ValueError(
                f"ABANDONED_DAYS ({self.abandoned_days}) must be at least "
                f"RESUME_LINK_MAX_AGE_DAYS ({self.resume_link_max_age_days})"
            )
        return self

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        scheme = urlsplit(value).scheme.split("+")[0]
        if scheme not in {"sqlite", "postgresql"}:
            raise ValueError(
                f"unsupported scheme {scheme or '(none)'!r}; use sqlite:///path or "
                "postgresql+psycopg://user@host/db"
            )
        return value

    @field_validator("redis_url")
    @classmethod
    def _known_redis(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"redis", "rediss", "unix"} or not (parts.hostname or parts.path):
            raise ValueError("expected redis://host:port/db")
        try:
            parts.port  # noqa: B018 - raises ValueError on a malformed port
        except ValueError as exc:
            raise ValueError(f"bad port: {exc}") from None
        return value

    @field_validator("metrics_allow_networks")
    @classmethod
    def _cidr_list(cls, value: str) -> str:
        for network in filter(None, (part.strip() for part in value.split(","))):
            try:
                ipaddress.ip_network(network)
            except ValueError as exc:
                raise ValueError(f"expected CIDRs like 10.0.0.0/8: {exc}") from None
        return value

    @property
    def metrics_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """Empty means no address may scrape without the token."""
        parts = (part.strip() for part in self.metrics_allow_networks.split(","))
        return tuple(ipaddress.ip_network(part) for part in parts if part)

    @field_validator("base_url")
    @classmethod
    def _absolute_url(cls, value: str) -> str:
        if urlsplit(value).scheme not in {"http", "https"}:
            raise ValueError("expected an absolute http(s) URL")
        return value.rstrip("/")

    def redis_key(self, name: str) -> str:
        """A Redis key of ours (shared counters, the demo clock), inside our namespace."""
        return f"{self.redis_namespace}:{name}"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Build settings from ``ONRAMP_*`` variables (plus the usual DATABASE_URL, REDIS_URL)."""
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name in cls.model_fields:
            for key in (f"ONRAMP_{name.upper()}", name.upper()):
                if key in environ and environ[key] != "":
                    values[name] = environ[key]
                    break
        values.update(overrides)
        if values.get("env") == "production" and str(values.get("simulated_clock", "")).lower() in {
            "1",
            "true",
            "yes",
            "on",
        }:
            raise SettingsError(
                "invalid configuration: ONRAMP_SIMULATED_CLOCK: not allowed in production"
            )
        if values.get("env") == "production" and "secret_key" not in values:
            raise SettingsError(
                "invalid configuration: ONRAMP_SECRET_KEY: required in production "
                "(sessions, CSRF and resume links are signed with it)"
            )
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            raise SettingsError(_one_line(exc)) from None


def _one_line(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"]) or "settings"
        reason = error["msg"].removeprefix("Value error, ")
        problems.append(f"{field.upper()}: {reason}")
    return "invalid configuration: " + "; ".join(problems)
