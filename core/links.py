"""Signed, expiring links (resume, new-hire portal), made the same way by web and workers."""

from __future__ import annotations

from itsdangerous import URLSafeTimedSerializer

from core.settings import Settings

PORTAL = "portal"
RESUME = "resume"
PORTAL_LINK_MAX_AGE_SECONDS = 30 * 24 * 3600


def signer(settings: Settings, purpose: str) -> URLSafeTimedSerializer:
    """One salt per purpose so a token for one kind of link never opens another."""
    return URLSafeTimedSerializer(settings.secret_key, salt=f"onramp.{purpose}")


def portal_url(settings: Settings, portal_key: str, path: str = "") -> str:
    token = signer(settings, PORTAL).dumps(portal_key)
    return f"{settings.base_url}/welcome/{token}{path}"


def resume_url(settings: Settings, public_id: str) -> str:
    """A candidate's link back to their application (its lifetime is checked when opened)."""
    token = signer(settings, RESUME).dumps(public_id)
    return f"{settings.base_url}/a/{token}"


INVITATION = "invitation"


def invitation_url(settings: Settings, invitation_id: int, nonce: str) -> str:
    """The single-use sign-up link; its lifetime and use are tracked on the invitation row."""
    token = signer(settings, INVITATION).dumps({"i": invitation_id, "n": nonce})
    return f"{settings.base_url}/invitations/{token}"
