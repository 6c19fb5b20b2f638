"""Use cases for candidates' applications: start, save a page, submit (scoring is
:mod:`screening.screenings`, a batch at a time).

Each function works inside the caller's unit of work (a Session in a transaction) and never
commits: the caller's transaction is what makes the business rows, audit entries and outbox
events land together.
"""

from __future__ import annotations

import json
import logging
import secrets
import typing
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import ARRAY, Engine, Table, Text, bindparam, cast, func, insert, select, update
from sqlalchemy.dialects.postgresql import JSONB, array
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from core import audit, outbox
from core.clock import Clock
from core.companies import Company
from core.db import rows_changed
from core.errors import Conflict, DomainError, NotFound
from core.events import APPLICATION_SUBMITTED
from screening import erasure, notices
from screening.definition import (
    AssessmentDefinition,
    CheckItem,
    LikertItem,
    Page,
    SjtItem,
    TextItem,
    parse_definition,
    with_overrides,
)
from screening.models import (
    Application,
    AssessmentVersion,
    Candidate,
    Opening,
    Response,
)

log = logging.getLogger(__name__)


class AlreadySubmitted(Conflict):
    """The application was submitted; its answers can no longer change."""


@dataclass(frozen=True)
class UnfinishedPage:
    number: int  # 1-based, as the candidate's page links count
    title: str


class UnfinishedPages(DomainError):
    """Submitted with pages still to answer; ``pages`` says which (the answers are kept)."""

    status_code = 422

    def __init__(self, pages: list[UnfinishedPage]) -> None:
        self.pages = pages
        super().__init__(
            "Some pages are not finished yet: " + ", ".join(page.title for page in pages)
        )


@dataclass(frozen=True)
class Started:
    """What the start form led to. ``resumed``: this address already had an open application
    for the opening; its link was emailed again and no second application was made."""

    application: Application
    resumed: bool


def publish_definition(
    session: Session, clock: Clock, company: Company, definition: AssessmentDefinition
) -> AssessmentVersion:
    """Store a definition as an immutable version; publishing the same content again is a no-op."""
    existing = session.scalar(
        select(AssessmentVersion).filter_by(
            company_id=company.id, key=definition.key, version=definition.version
        )
    )
    if existing is not None:
        if existing.checksum != definition.checksum:
            raise Conflict(
                f"{definition.key} version {definition.version} is already published with "
                "different content; give the changed definition a new version number"
            )
        return existing
    version = AssessmentVersion(
        company_id=company.id,
        key=definition.key,
        version=definition.version,
        checksum=definition.checksum,
        definition=definition.model_dump(mode="json"),
        published_at=clock.now(),
    )
    session.add(version)
    session.flush()
    return version


# Versions never change once published, so their parsed definitions are kept per database
# (engine) and version id: a hit costs no query at all. Parsing is also shared by checksum.
_definitions: WeakKeyDictionary[Engine, dict[int, AssessmentDefinition]] = WeakKeyDictionary()
_parsed: dict[str, AssessmentDefinition] = {}


def definition_for(session: Session, version_id: int) -> AssessmentDefinition:
    """The parsed definition of a published version (a hot path: every scoring, packet and
    page view needs it); the large JSON column is read only on a miss.

    A version this session already holds may be its own, not yet committed: if the
    transaction rolls back, SQLite hands the same id to the next version, so such a version
    is parsed but not remembered by id."""
    by_id = _definitions.setdefault(session.get_bind().engine, {})
    parsed = by_id.get(version_id)
    if parsed is not None:
        return parsed
    held = session.identity_key(AssessmentVersion, version_id) in session.identity_map
    version = session.get_one(AssessmentVersion, version_id)
    parsed = _parsed.get(version.checksum)
    if parsed is None:
        parsed = parse_definition(version.definition, f"assessment_version {version.id}")
        _parsed[version.checksum] = parsed
    if not held:
        by_id[version_id] = parsed
    return parsed


_scoring_definitions: dict[tuple[str, str], AssessmentDefinition] = {}


def scoring_definition(
    session: Session,
    version_id: int,
    cut_scores: dict[str, Any] | None,
    weights: dict[str, Any] | None,
) -> AssessmentDefinition:
    """What an opening's applications are scored against: the pinned version with the
    opening's own cut scores and dimension weights (``Opening.cut_scores``,
    ``Opening.dimension_weights``) if it sets any; cached like the versions themselves.

    An application keeps the version it started on, which may be older than the one the
    opening pins now: weights of dimensions that version does not have do not apply to it.
    """
    definition = definition_for(session, version_id)
    weights = {k: v for k, v in (weights or {}).items() if k in definition.dimensions_by_key}
    if not cut_scores and not weights:
        return definition
    key = (definition.checksum, json.dumps([cut_scores, weights], sort_keys=True))
    if key not in _scoring_definitions:
        _scoring_definitions[key] = with_overrides(
            definition, cut_scores=cut_scores, weights=weights
        )
    return _scoring_definitions[key]


def open_opening(session: Session, slug: str) -> Opening:
    opening = session.scalar(select(Opening).where(Opening.slug == slug, Opening.is_open))
    if opening is None:
        raise NotFound("This job opening does not exist or is no longer taking applications.")
    return opening


def start_or_resume(
    session: Session, clock: Clock, opening: Opening, *, name: str, email: str, start_key: str
) -> Started:
    """The start form: a new application, or, when this address already has an open one for
    the opening, that one with its link emailed again (never a second application). The same
    ``start_key`` again (a double click) returns what the first click made."""
    same_form = session.scalar(select(Application).filter_by(start_key=start_key))
    if same_form is not None:
        return Started(_same_opening(same_form, opening), resumed=False)
    existing = open_application(session, opening, email)
    if existing is not None:
        notices.ask_for_receipt(session, clock, existing, again=True)
        return Started(existing, resumed=True)
    application = _new_application(
        session, clock, opening, name=name, email=email, start_key=start_key
    )
    return Started(application, resumed=False)


def open_application(session: Session, opening: Opening, email: str) -> Application | None:
    """This address's unsubmitted application for the opening, if it has one."""
    return session.scalar(
        select(Application)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .where(
            Application.opening_id == opening.id,
            Application.status == "started",
            Candidate.email == email.strip().lower(),
        )
        .order_by(Application.id)
        .limit(1)
    )


def start_application(
    session: Session, clock: Clock, opening: Opening, *, name: str, email: str, start_key: str
) -> Application:
    """Start an application and ask for its receipt (the resume link by email); the same
    ``start_key`` again returns the first one."""
    existing = session.scalar(select(Application).filter_by(start_key=start_key))
    if existing is not None:
        return _same_opening(existing, opening)
    return _new_application(session, clock, opening, name=name, email=email, start_key=start_key)


def _same_opening(application: Application, opening: Opening) -> Application:
    """The application a start key already made, if it was made for this opening."""
    if application.opening_id != opening.id:
        raise DomainError("This form belongs to another job opening. Please start again.")
    return application


def _new_application(
    session: Session, clock: Clock, opening: Opening, *, name: str, email: str, start_key: str
) -> Application:
    """Both callers have just looked ``start_key`` up (once: it was a second query here)."""
    if not opening.is_open:
        raise Conflict("This job opening is not taking applications at the moment.")
    now = clock.now()
    candidate = Candidate(name=name.strip(), email=email.strip().lower(), created_at=now)
    application = Application(
        public_id=secrets.token_hex(16),
        start_key=start_key,
        opening=opening,
        candidate=candidate,
        assessment_version_id=opening.assessment_version_id,
        status="started",
        draft={},
        page_seconds={},
        page_opened_at={},
        started_at=now,
    )
    session.add(application)
    session.flush()
    audit.record(
        session,
        clock,
        actor="candidate",
        action="application.started",
        subject_type="application",
        subject_id=application.id,
        opening_id=opening.id,
    )
    notices.ask_for_receipt(session, clock, application)
    return application


def find_application(
    session: Session, public_id: str, *, with_opening: bool = False
) -> Application:
    """The application behind a candidate's link. ``with_opening``: its opening and company
    in the same query, for views that show the company's colours or submit (which asks for
    the confirmation email by company); a lazy load of each was a second query on every page
    view, and a page post that saves and redirects needs neither."""
    query = select(Application).where(Application.public_id == public_id)
    if with_opening:
        query = query.options(joinedload(Application.opening))
    application = session.scalar(query)
    if application is None:
        raise NotFound("We could not find this application. The link may be incomplete.")
    return application


# The answers of a started application change one page at a time, and a candidate may have two
# tabs open: each write below is one UPDATE that merges the page's keys into the JSON document
# as the row holds it now, instead of writing back a whole document read earlier (which lost
# the other tab's page). The written attributes are expired, so reading them again reloads
# what the database holds.


def note_page_opened(clock: Clock, application: Application, page: Page) -> None:
    """Remember when a page was first shown, to time how long it took to answer."""
    if application.status == "started" and page.key not in application.page_opened_at:
        opened = {page.key: clock.now().isoformat()}
        # Not started any more (submitted from another tab meanwhile): nothing to time.
        _update_started(application, {"page_opened_at": _Patch(opened, keep_existing=True)})


def save_page(clock: Clock, application: Application, page: Page, answers: dict[str, Any]) -> None:
    """Keep a page's answers in the draft; rules are checked here, not only in the form."""
    if application.status != "started":
        raise AlreadySubmitted("This assessment has already been submitted.")
    for item in page.items:
        if item.id not in answers:
            raise DomainError(f"Please answer every question on this page ({item.id}).")
        check_answer(item, answers[item.id])
    patches: dict[str, _Patch] = {
        "draft": _Patch({item.id: answers[item.id] for item in page.items})
    }
    opened = application.page_opened_at.get(page.key)
    if opened is not None and page.key not in application.page_seconds:
        seconds = (clock.now() - datetime.fromisoformat(opened)).total_seconds()
        # The first save of a page times it; a later save (the candidate came back) does not.
        patches["page_seconds"] = _Patch({page.key: round(seconds, 1)}, keep_existing=True)
    if not _update_started(application, patches):
        raise AlreadySubmitted("This assessment has already been submitted.")


def keep_page(application: Application, page: Page, answers: dict[str, Any]) -> None:
    """Keep what is on a page as it stands, finished or not (the candidate went back): each
    answer that fits its question is kept, a cleared one is dropped. An unfinished answer
    keeps its page unfinished (:func:`unfinished_pages`), so it is never submitted."""
    if application.status != "started":
        raise AlreadySubmitted("This assessment has already been submitted.")
    kept: dict[str, Any] = {}
    dropped: list[str] = []
    for item in page.items:
        value = _partial(item, answers.get(item.id))
        if value is None:
            dropped.append(item.id)
        else:
            kept[item.id] = value
    if not _update_started(application, {"draft": _Patch(kept, dropped)}):
        raise AlreadySubmitted("This assessment has already been submitted.")


@dataclass(frozen=True)
class _Patch:
    """Top-level keys to set in a JSON document column and keys to remove from it.
    ``keep_existing``: set only the keys the document does not have yet (first write wins)."""

    values: dict[str, Any]
    removed: list[str] = field(default_factory=list)
    keep_existing: bool = False


def _update_started(application: Application, patches: dict[str, _Patch]) -> bool:
    """One UPDATE of the application's JSON columns, only while it is still started (False if
    it no longer is): a page saved in one tab while another tab submits is refused, not
    written after the answers were copied."""
    session = Session.object_session(application)
    if session is None:
        raise RuntimeError("the application must belong to a session")
    postgres = session.get_bind().dialect.name == "postgresql"
    table = typing.cast(Table, Application.__table__)
    values = {
        name: (_pg_merged if postgres else _sqlite_merged)(table.c[name], patch)
        for name, patch in patches.items()
    }
    # A Core UPDATE of the table, not an ORM one: the merged values exist only in the
    # database, so the written columns are expired below (the ORM's UPDATE path would try to
    # evaluate them for the objects the session holds, at a tenth more per page post).
    changed = rows_changed(
        session,
        update(table)
        .where(table.c.id == application.id, table.c.status == "started")
        .values(values),
    )
    session.expire(application, [*patches, *([] if changed else ["status"])])
    return bool(changed)


def _pg_merged(column: Any, patch: _Patch) -> Any:
    """``(column - removed) || values`` on JSONB (``values || column`` keeps existing keys)."""
    document = column
    if patch.removed:
        document = document.op("-")(cast(array(patch.removed), ARRAY(Text)))
    values = bindparam(None, patch.values, type_=JSONB)
    return values.op("||")(document) if patch.keep_existing else document.op("||")(values)


def _sqlite_merged(column: Any, patch: _Patch) -> Any:
    """The same with SQLite's JSON functions: ``json_remove``, then ``json_set`` (or
    ``json_insert``, which leaves existing keys alone). Keys are slugs (``[a-z0-9_-]``), safe
    inside a quoted path; ``json()`` makes each value JSON rather than a string."""
    document = column
    if patch.removed:
        document = func.json_remove(document, *[f'$."{key}"' for key in patch.removed])
    if patch.values:
        pairs: list[Any] = []
        for key, value in patch.values.items():
            pairs += [f'$."{key}"', func.json(json.dumps(value))]
        setter = func.json_insert if patch.keep_existing else func.json_set
        document = setter(document, *pairs)
    return document


def _partial(item: SjtItem | LikertItem | TextItem | CheckItem, value: Any) -> Any:
    """The part of an answer worth keeping for later, or None."""
    if isinstance(item, SjtItem):
        ids = {option.id for option in item.options}
        if not isinstance(value, dict):
            return None
        kept = {
            side: value.get(side) if value.get(side) in ids else None for side in ("most", "least")
        }
        return kept if any(kept.values()) else None
    if isinstance(item, TextItem):
        text = value.strip()[: item.max_chars] if isinstance(value, str) else ""
        return text or None
    return value if is_answered(item, value) else None


def is_answered(item: SjtItem | LikertItem | TextItem | CheckItem, value: Any) -> bool:
    """Whether a kept answer is a complete one (a page kept on "Back" may hold partial ones)."""
    try:
        check_answer(item, value)
    except DomainError:
        return False
    return True


def unfinished_pages(
    definition: AssessmentDefinition, draft: dict[str, Any]
) -> list[UnfinishedPage]:
    return [
        UnfinishedPage(number, page.title)
        for number, page in enumerate(definition.pages, start=1)
        if not all(is_answered(item, draft.get(item.id)) for item in page.items)
    ]


def check_answer(item: SjtItem | LikertItem | TextItem | CheckItem, value: Any) -> None:
    if isinstance(item, SjtItem):
        ids = {option.id for option in item.options}
        if (
            not isinstance(value, dict)
            or value.get("most") not in ids
            or value.get("least") not in ids
        ):
            raise DomainError("Choose one of the listed responses as most and as least effective.")
        if value["most"] == value["least"]:
            raise DomainError("The most and least effective responses must be different.")
    elif isinstance(item, TextItem):
        if not isinstance(value, str) or not item.min_chars <= len(value.strip()) <= item.max_chars:
            raise DomainError(f"Write between {item.min_chars} and {item.max_chars} characters.")
    elif not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
        raise DomainError("Choose a point on the scale from 1 to 5.")


def submit_application(session: Session, clock: Clock, application: Application) -> bool:
    """Submit once. Returns False when it was already submitted (a double click, a retry)."""
    definition = definition_for(session, application.assessment_version_id)
    if application.status == "started":
        missing = unfinished_pages(definition, application.draft)
        if missing:
            raise UnfinishedPages(missing)
    now = clock.now()
    claimed = rows_changed(
        session,
        update(Application)
        .where(Application.id == application.id, Application.status == "started")
        .values(status="submitted", submitted_at=now),
    )
    if not claimed:
        return False
    session.execute(
        insert(Response),
        [
            {"application_id": application.id, "item_id": item_id, "value": {"v": value}}
            for item_id, value in application.draft.items()
        ],
    )
    audit.record(
        session,
        clock,
        actor="candidate",
        action="application.submitted",
        subject_type="application",
        subject_id=application.id,
    )
    outbox.record(session, clock, APPLICATION_SUBMITTED, application_id=application.id)
    notices.ask_for_confirmation(session, clock, application)
    # What the UPDATE wrote, without reading the row (and its draft) back.
    set_committed_value(application, "status", "submitted")
    set_committed_value(application, "submitted_at", now)
    return True


def stuck_submitted(session: Session, submitted_before: datetime, limit: int) -> list[int]:
    """Applications submitted before ``submitted_before`` and still unscored: their
    screen_applications message was lost (the reconciler's question)."""
    return list(
        session.scalars(
            select(Application.id)
            .where(Application.status == "submitted", Application.submitted_at < submitted_before)
            .order_by(Application.id)
            .limit(limit)
        )
    )


def status_counts(session: Session) -> dict[str, int]:
    """Applications per status (started, submitted, scored), for operators."""
    rows = session.execute(select(Application.status, func.count()).group_by(Application.status))
    return {status: count for status, count in rows}


def erase_candidate(session: Session, clock: Clock, application: Application) -> bool:
    """The candidate's own erasure link: their name, email and every word they wrote go, and
    what staff wrote about them is scrubbed (:func:`screening.erasure.anonymize_candidate`,
    shared with the retention purge). False if already erased; a hire is refused (HR's data).
    """
    done = erasure.anonymize_candidate(
        session, clock, application.candidate, erasure.ErasureReason.REQUEST
    )
    return done is not None
