"""The candidate's feedback report, opened with their own resume link once a decision is in.

A view on the candidate blueprint; what the report may say is decided by
:mod:`screening.feedback` (no scores, no key), its words are in the template.
"""

from __future__ import annotations

from typing import Any

from flask import render_template

from screening import applications, feedback
from screening.models import Application
from web import extensions
from web.candidate.routes import _public_id, bp


@bp.app_template_global("feedback_offered")
def feedback_offered(application: Application) -> bool:
    """For the thank-you page's link: is there a report to read?"""
    return feedback.is_offered(application)


@bp.get("/a/<token>/feedback")
def feedback_report(token: str) -> tuple[str, int]:
    with extensions.db().unit_of_work() as session:
        application = applications.find_application(session, _public_id(token))
        report = feedback.feedback_report(session, application)
        context: dict[str, Any] = {"opening": application.opening, "token": token}
        if report is None:
            return render_template("candidate/feedback_unavailable.html", **context), 404
        return render_template("candidate/feedback.html", report=report, **context), 200
