"""Every action the code records has plain words on the admin audit page."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient

from core import audit
from core.accounts import User
from core.clock import SystemClock
from core.db import Database
from screening.models import Opening
from screening.openings import STATUS_ACTIONS
from tests.integration.conftest import login
from web.admin.operations import AUDIT_WORDS

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("core", "screening", "onboarding", "web", "workers")
# Calls that pass the action on to ``audit.record`` from a variable, and where its values are.
HELPERS = {"_audit"}


def _recorded_actions() -> set[str]:
    """Every ``action`` given to ``audit.record`` (or to a helper named in HELPERS, as a string
    argument) anywhere in the code."""
    found: set[str] = set(STATUS_ACTIONS.values())  # screening.openings.set_status
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                if name in HELPERS:
                    found |= {
                        arg.value
                        for arg in node.args
                        if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                    }
                if not (name == "record" and ast.unparse(node.func) == "audit.record"):
                    continue
                [action] = [k.value for k in node.keywords if k.arg == "action"]
                if isinstance(action, ast.Constant):
                    found.add(action.value)
                else:
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    assert ast.unparse(action) in {"action", "STATUS_ACTIONS[wanted]"}, where
    return found


def test_every_recorded_action_has_plain_words_on_the_audit_page() -> None:
    recorded = _recorded_actions()
    assert {"start_date.changed", "candidates.exported", "invitation.sent"} <= recorded
    assert sorted(recorded - set(AUDIT_WORDS)) == []


def test_a_changed_start_date_and_an_export_read_as_sentences(
    client: FlaskClient,
    db: Database,
    clock: SystemClock,
    opening: Opening,
    make_user: Callable[..., User],
    scored_application: Callable[..., int],
) -> None:
    admin, manager = make_user(role="admin"), make_user()
    application_id = scored_application()
    with db.unit_of_work() as session:
        audit.record(
            session,
            clock,
            actor=f"user:{manager.id}",
            action="start_date.changed",
            subject_type="application",
            subject_id=application_id,
            old_start="2027-03-01",
            new_start="2027-03-15",
        )
        audit.record(
            session,
            clock,
            actor=f"user:{manager.id}",
            action="candidates.exported",
            subject_type="opening",
            subject_id=opening.id,
            rows=22,
        )
    login(client, admin)

    page = client.get("/admin/audit")

    assert page.status_code == 200
    text = " ".join(page.text.split())
    assert f"<td>{manager.name}</td>" in text
    assert (
        "<td>changed a hire&#39;s start date from Mon 01 Mar 2027 to Mon 15 Mar 2027 "
        f"(“{opening.title}”)</td>"
    ) in text
    assert f"<td>downloaded the candidate list of “{opening.title}” (22 rows)</td>" in text
    assert 'aria-current="page">Audit trail</a>' in text  # the staff nav marks where you are
    assert "start_date.changed" not in text and "candidates.exported" not in text
