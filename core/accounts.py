"""Staff accounts with argon2id password hashes; each belongs to one company with a role.

Shared kernel: screening uses accounts as interview panels, onboarding as new hires' managers.
Roles: an admin sets the company up (people, openings, customization); a recruiter works
across the company's openings but does not manage people or settings; a manager sees the
openings whose panel they sit on and the hires they look after.

Each account carries a session version: a signed-in session remembers the version it began
with, and bumping it (sign-out, deactivation, a new password) ends every session at once,
including copies of the cookie.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from core import audit
from core.clock import Clock
from core.companies import Company  # noqa: F401 - company must be on the metadata
from core.db import Base
from core.errors import DomainError


class Role(StrEnum):
    ADMIN = "admin"
    RECRUITER = "recruiter"
    MANAGER = "manager"


ROLE_LABELS = {Role.ADMIN: "Admin", Role.RECRUITER: "Recruiter", Role.MANAGER: "Hiring manager"}
# argon2-cffi's defaults are argon2id with RFC 9106's low-memory profile.
_hasher = PasswordHasher()
# Verifying against this keeps the time of "no such user" equal to "wrong password".
_DUMMY_HASH = _hasher.hash("not-a-real-password")

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 200  # the sign-in form accepts no more
COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt")
# Separators people add to a common password without making it any harder to guess.
_SEPARATORS = re.compile(r"[\s._-]+")


class WeakPassword(DomainError):
    """A password the rules refuse; the message tells the person what to change."""

    status_code = 422


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    # Sessions started under an older version are over (see the module docstring).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def sees_whole_company(self) -> bool:
        """Admins and recruiters work across every opening and hire of their company."""
        return self.role in (Role.ADMIN, Role.RECRUITER)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def _common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(_normalized(line) for line in lines if line and not line.startswith("#"))


def _normalized(password: str) -> str:
    return _SEPARATORS.sub("", password.casefold())


def check_password(password: str, *, email: str = "") -> None:
    """Refuse passwords that are short or easy to guess (NIST SP 800-63B's rules: a minimum
    length and a list of common values, no composition rules)."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise WeakPassword(f"Choose a password of at least {PASSWORD_MIN_LENGTH} characters.")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise WeakPassword(f"Choose a password of at most {PASSWORD_MAX_LENGTH} characters.")
    normalized = _normalized(password)
    if normalized in _common_passwords():
        raise WeakPassword(
            "That password is one of the most commonly used ones. Choose another, for example "
            "a few unrelated words."
        )
    if len(set(normalized)) < 4:
        raise WeakPassword("That password repeats too few characters. Choose another.")
    local_part = _normalized(email.partition("@")[0])
    if len(local_part) >= 4 and local_part in normalized:
        raise WeakPassword("Choose a password that does not contain your email address.")


def create_user(
    session: Session,
    clock: Clock,
    *,
    company_id: int,
    email: str,
    name: str,
    role: Role | str,
    password: str,
) -> User:
    email = email.strip().lower()
    check_password(password, email=email)
    user = User(
        company_id=company_id,
        email=email,
        name=name,
        role=Role(role),
        password_hash=hash_password(password),
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    return user


def ensure_user(
    session: Session,
    clock: Clock,
    *,
    company_id: int,
    email: str,
    name: str,
    role: Role | str,
    password: str,
) -> User:
    existing = session.scalar(select(User).filter_by(email=email.strip().lower()))
    return existing or create_user(
        session,
        clock,
        company_id=company_id,
        email=email,
        name=name,
        role=role,
        password=password,
    )


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).filter_by(email=email.strip().lower()))


def staff_of(session: Session, company_id: int) -> list[User]:
    return list(session.scalars(select(User).filter_by(company_id=company_id).order_by(User.name)))


def set_password(session: Session, user: User, password: str) -> None:
    """A new password; it also ends the account's sessions (a leaked cookie dies with the old
    password)."""
    check_password(password, email=user.email)
    user.password_hash = hash_password(password)
    end_sessions(session, user)


def end_sessions(session: Session, user: User) -> None:
    """End every session of this account (on every device, and any copied cookie)."""
    session.execute(
        update(User)
        .where(User.id == user.id)
        .values(session_version=User.session_version + 1)
        .execution_options(synchronize_session=False)
    )
    session.expire(user, ["session_version"])


def deactivate(session: Session, clock: Clock, user: User, *, by: User | None = None) -> None:
    """The account can no longer sign in, and its open sessions end now."""
    user.is_active = False
    end_sessions(session, user)
    audit.record(
        session,
        clock,
        actor=f"user:{by.id}" if by else "system",
        action="user.deactivated",
        subject_type="user",
        subject_id=user.id,
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
