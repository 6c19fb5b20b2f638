"""The webhook signature recipe, shared by the inbound ATS webhook and outbound webhooks.

``X-Onramp-Timestamp: <unix seconds>`` and ``X-Onramp-Signature: sha256=<hex>`` where the hex
is HMAC-SHA256(secret, "<timestamp>.<raw body>"). Receivers recompute it over the raw bytes
they got, compare in constant time, and reject timestamps far from their own clock.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Onramp-Signature"
TIMESTAMP_HEADER = "X-Onramp-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """sha256=HMAC(secret, "<timestamp>.<raw body>")."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()
