"""Insight for admins: the statistics behind the funnel, item quality, fairness and validity.

Pure functions over plain data (:mod:`.items`, :mod:`.fairness`, :mod:`.validity`,
:mod:`.funnel`), fed either by :mod:`.queries` (the admin pages) or by a CSV file
(``onramp stats``), so both give the same numbers. No Flask, no Dramatiq, no database access
outside :mod:`.queries`.
"""

from __future__ import annotations

from core.errors import DomainError


class AnalysisInputError(DomainError):
    """The data cannot be analysed as asked (a value off the scale, no rows); the message
    says what to fix and is safe to show."""

    status_code = 422
