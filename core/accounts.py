"""Staff accounts (admins, hiring managers) with argon2id password hashes.

Shared kernel: screening uses accounts as interview panels, onboarding as new hires' managers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.clock import Clock
from core.db import Base

Role = Literal["admin", "manager"]
# argon2-cffi's defaults are argon2id with RFC 9106's low-memory profile.
_hasher = PasswordHasher()
# Verifying against this keeps the time of "no such user" equal to "wrong password".
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(
    session: Session, clock: Clock, *, email: str, name: str, role: Role, password: str
) -> User:
    user = User(
        email=email.strip().lower(),
        name=name,
        role=role,
        password_hash=hash_password(password),
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    return user


def ensure_user(
    session: Session, clock: Clock, *, email: str, name: str, role: Role, password: str
) -> User:
    existing = session.scalar(select(User).filter_by(email=email.strip().lower()))
    return existing or create_user(
        session, clock, email=email, name=name, role=role, password=password
    )


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user for these credentials, or None; the caller shows one generic message."""
    user = session.scalar(select(User).filter_by(email=email.strip().lower(), is_active=True))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user
