"""API keys: how an ATS or HR system calls the JSON API on behalf of one company.

A key is ``onr_<prefix>_<secret>``: the prefix names the key in lists and logs, the secret
(32 random bytes) is shown once and stored only as its SHA-256 digest. A slow password hash
would be wrong here: the secret is high-entropy, so a fast digest cannot be brute-forced,
and it is checked on every request. A key belongs to one company and sees nothing of
another; ``read`` keys only read, ``write`` keys also change things. Revoked keys stop
working at once. ``last_used_at`` is written at most once a minute per key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from core import audit
from core.clock import Clock
from core.companies import Company  # noqa: F401 - company must be on the metadata
from core.db import Base
from core.errors import DomainError, NotFound

KEY_PREFIX = "onr"
NAME_MAX = 80
LAST_USED_PRECISION = timedelta(minutes=1)
# onr_<8 hex>_<43 url-safe base64 characters>
_KEY = re.compile(r"onr_([0-9a-f]{8})_([A-Za-z0-9_-]{43})")


class ApiScope(StrEnum):
    READ = "read"
    WRITE = "write"


class ApiKey(Base):
    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    scope: Mapped[str] = mapped_column(String(8))
    prefix: Mapped[str] = mapped_column(String(8), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def may_write(self) -> bool:
        return self.scope == ApiScope.WRITE

    @property
    def actor(self) -> str:
        """How the audit log names this key's actions."""
        return f"api_key:{self.id}"

    @property
    def shown_as(self) -> str:
        """The key as lists show it: enough to recognize, nothing to use."""
        return f"{KEY_PREFIX}_{self.prefix}_…"


@dataclass(frozen=True)
class IssuedKey:
    """A new key and its full text, which exists only here: show it once."""

    key: ApiKey
    text: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(
    session: Session,
    clock: Clock,
    *,
    company_id: int,
    name: str,
    scope: ApiScope | str,
    by: int | None = None,
) -> IssuedKey:
    """A new key for ``company_id``; ``by`` is the admin's user id (None: the command line)."""
    name = name.strip()
    if not name:
        raise DomainError("Name the key after what uses it, e.g. “Greenhouse sync”.")
    if len(name) > NAME_MAX:
        raise DomainError(f"Keep the name to {NAME_MAX} characters or fewer.")
    try:
        scope = ApiScope(scope)
    except ValueError:
        raise DomainError("Choose the scope read or write.") from None
    prefix = secrets.token_hex(4)
    while session.scalar(select(ApiKey.id).filter_by(prefix=prefix)) is not None:
        prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(
        company_id=company_id,
        name=name,
        scope=scope,
        prefix=prefix,
        secret_hash=_digest(secret),
        created_by=by,
        created_at=clock.now(),
    )
    session.add(key)
    session.flush()
    audit.record(
        session,
        clock,
        actor=f"user:{by}" if by else "cli",
        action="api_key.created",
        subject_type="api_key",
        subject_id=key.id,
        scope=str(scope),
        company_id=company_id,
    )
    return IssuedKey(key, f"{KEY_PREFIX}_{prefix}_{secret}")


def prefix_of(text: str) -> str | None:
    """The public part of a presented key (for rate limits), or None if it is no key."""
    match = _KEY.fullmatch(text)
    return match.group(1) if match else None


def authenticate(session: Session, clock: Clock, text: str) -> ApiKey | None:
    """The active key ``text`` is, or None; notes when it was used (once a minute at most)."""
    match = _KEY.fullmatch(text)
    if match is None:
        return None
    prefix, secret = match.groups()
    key = session.scalar(select(ApiKey).filter_by(prefix=prefix))
    if key is None or not hmac.compare_digest(key.secret_hash, _digest(secret)):
        return None
    if not key.is_active:
        return None
    now = clock.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_PRECISION:
        # Conditional, so concurrent requests write once and never wait on each other long.
        session.execute(
            update(ApiKey)
            .where(
                ApiKey.id == key.id,
                (ApiKey.last_used_at.is_(None))
                | (ApiKey.last_used_at <= now - LAST_USED_PRECISION),
            )
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
        key.last_used_at = now
    return key


def keys_of(session: Session, company_id: int) -> list[ApiKey]:
    """The company's keys, active ones first, newest first."""
    return list(
        session.scalars(
            select(ApiKey)
            .where(ApiKey.company_id == company_id)
            .order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(), ApiKey.id.desc())
        )
    )


def key_of(session: Session, company_id: int, key_id: int) -> ApiKey:
    key = session.scalar(select(ApiKey).where(ApiKey.id == key_id, ApiKey.company_id == company_id))
    if key is None:
        raise NotFound("We could not find that API key.")
    return key


def revoke(
    session: Session, clock: Clock, company_id: int, key_id: int, *, by: int | None = None
) -> bool:
    """Stop a key working now; False when it was already revoked."""
    key = key_of(session, company_id, key_id)
    if key.revoked_at is not None:
        return False
    key.revoked_at = clock.now()
    audit.record(
        session,
        clock,
        actor=f"user:{by}" if by else "cli",
        action="api_key.revoked",
        subject_type="api_key",
        subject_id=key.id,
        company_id=company_id,
    )
    return True
