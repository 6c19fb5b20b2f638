"""POST one signed webhook, connecting only to an address that passed the SSRF check.

httpx resolves host names itself, after any check of ours: a DNS answer that changes in
between (DNS rebinding) would reach a private address. :class:`CheckedAddressTransport`
resolves the host, checks every address (``core.safe_urls``) and connects to the first one,
keeping the host name for the ``Host`` header and for TLS (SNI and certificate checks).
Redirects are not followed, and proxy variables from the environment are ignored.
"""

from __future__ import annotations

import time

import httpx

from core import safe_urls
from core.settings import Settings
from core.signatures import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from core.webhook_deliveries import SNIPPET_LENGTH, Claimed, Outcome

USER_AGENT = "onramp-webhooks/1"


class CheckedAddressTransport(httpx.BaseTransport):
    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private
        self.inner = httpx.HTTPTransport(retries=0)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        port = request.url.port or safe_urls.SCHEMES[request.url.scheme]
        address = safe_urls.resolve(host, port, allow_private=self.allow_private)[0]
        if request.url.scheme == "https":
            request.extensions = {**request.extensions, "sni_hostname": host}
        request.url = request.url.copy_with(host=str(address))
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def post(settings: Settings, claimed: Claimed) -> Outcome:
    """One attempt; never raises for the receiver's or the network's failures."""
    timestamp = str(int(time.time()))  # real time, whatever the app's clock: receivers check it
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Onramp-Event": claimed.event,
        "X-Onramp-Event-Id": str(claimed.event_id),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(claimed.secret, timestamp, claimed.body),
    }
    started = time.perf_counter()

    def elapsed_ms() -> int:
        return round((time.perf_counter() - started) * 1000)

    try:
        safe_urls.check_url(claimed.url)
        transport = CheckedAddressTransport(allow_private=settings.webhooks_allow_private)
        with (
            httpx.Client(
                transport=transport,
                timeout=settings.webhook_timeout_seconds,
                trust_env=False,
                follow_redirects=False,
            ) as client,
            client.stream("POST", claimed.url, content=claimed.body, headers=headers) as response,
        ):
            snippet = b""
            for chunk in response.iter_bytes():
                snippet += chunk
                if len(snippet) >= SNIPPET_LENGTH:
                    break
    except safe_urls.RefusedURL:
        return Outcome(None, elapsed_ms(), error="refused: not a public address")
    except httpx.TimeoutException:
        return Outcome(None, elapsed_ms(), error="timed out")
    except httpx.HTTPError as exc:
        return Outcome(None, elapsed_ms(), error=f"could not connect ({type(exc).__name__})")
    text = snippet[:SNIPPET_LENGTH].decode("utf-8", errors="replace")
    return Outcome(response.status_code, elapsed_ms(), text)
