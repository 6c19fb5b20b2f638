"""Which addresses an outbound webhook may reach (SSRF): public http(s) only, by default.

An admin types a URL; our workers then call it from inside the deployment's network, where
the database, Redis, a cloud metadata service (169.254.169.254) and other private services
answer. So a URL is checked when it is saved and again when it is called: the host is
resolved, every address it resolves to must be public, and the caller connects to the
address that was checked (a DNS answer that changes between check and connect cannot slip a
private address in). ``allow_private`` (``ONRAMP_WEBHOOKS_ALLOW_PRIVATE``) lifts the address
rule for receivers on the same machine or network; the scheme rule always holds.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from typing import Any
from urllib.parse import urlsplit

from core.errors import DomainError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
SCHEMES = {"http": 80, "https": 443}
MAX_URL_LENGTH = 2000
# How long saving an endpoint waits for its host name to resolve.
SAVE_LOOKUP_SECONDS = 3.0


class RefusedURL(DomainError):
    """The URL is not one an outbound webhook may call; the message says why, plainly."""

    status_code = 422


def is_public(address: IPAddress) -> bool:
    """Globally routable unicast: not loopback, link-local, private, shared (CGNAT),
    multicast, reserved or unspecified. IPv4-mapped IPv6 addresses are judged as IPv4."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def check_url(url: str) -> tuple[str, str, int]:
    """The URL's shape: http(s), a host, a valid port, no credentials. Returns (scheme, host,
    port). Does not resolve the host."""
    if len(url) > MAX_URL_LENGTH:
        raise RefusedURL(f"Use a URL of at most {MAX_URL_LENGTH} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise RefusedURL("That is not a valid URL.") from None
    if parts.scheme not in SCHEMES:
        raise RefusedURL("Use an http:// or https:// URL.")
    if not parts.hostname:
        raise RefusedURL("The URL needs a host name, e.g. https://hooks.example.com/onramp.")
    if parts.username is not None or parts.password is not None:
        raise RefusedURL("Leave the user name and password out of the URL; the secret signs.")
    return parts.scheme, parts.hostname, port or SCHEMES[parts.scheme]


def _lookup(host: str, port: int, timeout: float | None) -> list[Any]:
    """``getaddrinfo``, given up after ``timeout`` seconds (it has no timeout of its own: a
    slow resolver would hold the caller, a web worker, for as long as it likes). The lookup
    runs in a daemon thread that is left to finish on its own."""
    if timeout is None:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    answer: list[Any] = []
    failure: list[BaseException] = []

    def look_up() -> None:
        try:
            answer.extend(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=look_up, name="dns-lookup", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise RefusedURL(
            f"Looking up the host {host!r} took longer than {timeout:g} seconds. Check the "
            "address, or try again in a moment."
        )
    if failure:
        raise failure[0]
    return answer


def resolve(
    host: str, port: int, *, allow_private: bool, timeout: float | None = None
) -> list[IPAddress]:
    """Every address ``host`` resolves to, all of them allowed; raises :class:`RefusedURL`
    (also when the lookup takes longer than ``timeout`` seconds)."""
    try:
        found = _lookup(host, port, timeout)
    except (OSError, UnicodeError, ValueError):  # unknown host, or not a host name at all
        raise RefusedURL(f"We could not find the host {host!r}.") from None
    addresses: list[IPAddress] = []
    for *_, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise RefusedURL(f"We could not find the host {host!r}.")
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise RefusedURL(
                    f"{host} points to a private or local address ({address}). Webhooks go "
                    "to public addresses only."
                )
    return addresses


def check_reachable(url: str, *, allow_private: bool, timeout: float = SAVE_LOOKUP_SECONDS) -> str:
    """Shape and addresses both allowed (when an endpoint is saved, inside a web request: the
    lookup is bounded by ``timeout``); returns the URL."""
    _, host, port = check_url(url)
    resolve(host, port, allow_private=allow_private, timeout=timeout)
    return url
