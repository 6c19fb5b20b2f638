"""Domain rejections: the web turns them into 4xx pages, workers do not retry them."""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses; the message is safe to show to the user."""

    status_code = 400


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class Gone(DomainError):
    """It existed but is over: an expired or already used single-use link."""

    status_code = 410
