"""schemathesis against the app's own OpenAPI document: every operation, called with a write
key of a company that has an opening and a scored candidate, answers no 5xx, only statuses
and content types the document lists, and bodies that match its schemas; a body that does not
parse is a documented 400 on every operation that takes one.

The document is loaded from the app through WSGI; each operation gets its own Hypothesis run
(schemathesis's ``from_fixture`` parametrization does not work with pytest 9 yet).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from core.db import Database
from tests.integration.api_helpers import bearer, issue_key

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 50


def test_every_operation_keeps_to_the_document(
    app: Flask, db: Database, opening: Any, scored_application: Callable[..., int]
) -> None:
    scored_application()
    headers = bearer(issue_key(db, opening.company_id, "write"))
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def keeps_to_the_document(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        keeps_to_the_document()

    # A body that is not JSON at all: a documented 400 problem, on every operation taking one.
    writes = [op for op in operations if op.method.upper() in {"POST", "PUT", "PATCH"}]
    assert writes
    for operation in writes:
        case = operation.Case(
            path_parameters={param.name: 1 for param in operation.path_parameters},
            media_type="application/json",
        )
        response = case.call(
            headers={**headers, "Content-Type": "application/json"}, data=b'{"title": '
        )
        assert response.status_code == 400, operation.label
        case.validate_response(response, checks=CHECKS)
