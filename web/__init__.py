"""Flask adapter: parses requests, calls the domain, commits, redirects."""

from __future__ import annotations

from web.app import create_app

__all__ = ["create_app"]
