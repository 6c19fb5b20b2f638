"""Company-owned, immutable, numbered versions of customizable documents.

Shared kernel for the documents a company customizes in the browser or from the command line:
the question bank (screening) and the onboarding sequence (onboarding) are stored here, one
row per published version with the YAML text it was written as. Assessments keep their own
table (``assessment_version``, which applications point at) but are numbered and compared the
same way, through :func:`prepare`.

A version never changes once written. The company's *current* document of a kind is its most
recently published version; what already started on an older one (an enrollment, a packet)
keeps what it started with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

import yaml
from pydantic import BaseModel
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from core import audit, definitions, yaml_text
from core.accounts import User  # noqa: F401 - user_account must be on the metadata
from core.clock import Clock
from core.companies import Company  # noqa: F401 - company must be on the metadata
from core.db import Base
from core.definitions import DefinitionError, DocumentKind, Problem
from core.errors import Conflict, NotFound

Model = TypeVar("Model", bound=BaseModel)


class DefinitionVersion(Base):
    """One published version of a company's question bank or onboarding sequence."""

    __tablename__ = "definition_version"
    __table_args__ = (UniqueConstraint("company_id", "kind", "key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # DocumentKind.name: question_bank, sequence
    key: Mapped[str] = mapped_column(String(64))
    version: Mapped[int]
    checksum: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict[str, Any]]  # the validated document, as JSON
    yaml_text: Mapped[str] = mapped_column(Text)  # as written, comments and all
    published_at: Mapped[datetime]
    published_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class Published(Protocol):
    """What numbering needs of a stored version, whichever table holds it."""

    @property
    def version(self) -> int: ...

    @property
    def checksum(self) -> str: ...


class Unchanged(Conflict):
    """The draft says what a published version already says: there is nothing to publish."""

    def __init__(self, key: str, version: int) -> None:
        self.key, self.version = key, version
        super().__init__(f"Nothing changed since version {version}, so nothing was published.")


@dataclass(frozen=True)
class Draft(Generic[Model]):
    """A validated document and its text, numbered as the version it will be stored as."""

    model: Model
    text: str

    @property
    def checksum(self) -> str:
        return definitions.checksum(self.model)

    @property
    def version(self) -> int:
        number: int = self.model.version  # type: ignore[attr-defined]
        return number


def prepare(
    kind: DocumentKind[Model],
    text: str,
    source: str,
    *,
    latest_of: Callable[[str], Published | None],
    at_number: Callable[[str, int], Published | None],
    key: str | None = None,
    own_number: bool = False,
    check: Callable[[Model, str], list[Problem]] | None = None,
) -> Draft[Model]:
    """Validate YAML text and number it for publishing.

    By default it becomes one more than the latest version of its key (the text's own number
    when none is published), its ``version:`` line rewritten to say so; with ``own_number``
    the text's number is kept and must be free. Raises DefinitionError (every problem at its
    line), :class:`Unchanged` when the content is what the latest version (or the version of
    that number) already says, and Conflict when ``own_number`` is taken by other content.
    ``key``, when given, is the only key the text may have (an editor publishes one document);
    ``check`` adds the caller's own rules (e.g. that a question bank covers the assessments
    in use), as problems at their lines.
    """
    text = normalized_newlines(text)
    refused = unreadable(text)
    if refused:
        raise DefinitionError(source, refused)
    model = kind.parse_text(text, source)
    draft_key: str = model.key  # type: ignore[attr-defined]
    if key is not None and draft_key != key:
        reason = f"this editor publishes versions of {key!r}; change the key back to {key!r}"
        raise DefinitionError(source, [Problem("key", reason, line_of(text, ("key",)), 1)])
    problems = check(model, text) if check else []
    if problems:
        raise DefinitionError(source, problems)
    if own_number:
        number: int = model.version  # type: ignore[attr-defined]
        taken = at_number(draft_key, number)
        if taken is None:
            return Draft(model, text)
        if taken.checksum == definitions.checksum(model):
            raise Unchanged(draft_key, number)
        raise Conflict(
            f"{draft_key} version {number} is already published with different content; "
            "give the changed definition a new version number"
        )
    latest = latest_of(draft_key)
    if latest is None:
        return Draft(model, text)
    if numbered(kind, text, source, latest.version).checksum == latest.checksum:
        raise Unchanged(draft_key, latest.version)
    return numbered(kind, text, source, latest.version + 1)


def unreadable(text: str) -> list[Problem]:
    """What stops a draft from being read at all, before its schema is checked: aliases
    (``*name``, see :func:`core.yaml_text.aliases`), and values YAML cannot build."""
    reason = "aliases (*name) are not supported here; write the value out in full"
    problems = [Problem("", reason, line, column) for line, column in yaml_text.aliases(text)]
    if not problems and (found := yaml_text.unbuildable(text)) is not None:
        line, column, why = found
        problems.append(Problem("", f"not a value we can read: {why}", line, column))
    return problems


def check(kind: DocumentKind[Any], text: str) -> list[Problem]:
    """Every problem of a draft at its line: what :func:`unreadable` finds, else
    :func:`core.definitions.check_text`'s."""
    return unreadable(text) or definitions.check_text(kind, text)


def normalized_newlines(text: str) -> str:
    """Browsers send line breaks as CRLF; a stored text has LF only, so diffs compare lines."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def line_of(text: str, path: yaml_text.Path) -> int | None:
    """The line (from 1) where the value at ``path`` is written; None if it is not there."""
    try:
        return yaml_text.node_at(yaml_text.compose(text), path).start_mark.line + 1
    except (yaml_text.NotEditable, yaml.YAMLError):
        return None


def numbered(kind: DocumentKind[Model], text: str, source: str, version: int) -> Draft[Model]:
    """The text with its ``version:`` set to ``version``, parsed again."""
    renumbered = yaml_text.replace_scalars(text, {("version",): version})
    return Draft(kind.parse_text(renumbered, source), renumbered)


def publish(
    session: Session,
    clock: Clock,
    kind: DocumentKind[Model],
    company_id: int,
    text: str,
    *,
    source: str,
    published_by: int | None,
    key: str | None = None,
    own_number: bool = False,
    check: Callable[[Model, str], list[Problem]] | None = None,
    default: Draft[Model] | None = None,
) -> DefinitionVersion:
    """Store a YAML text as a new immutable version of a company's document (see
    :func:`prepare` for the numbering and what is refused) and audit it.

    ``default`` is the document a company uses while it has published none of that key: the
    first version it publishes is numbered after it, and publishing it unchanged is refused.
    """

    def latest_or_default(draft_key: str) -> Published | None:
        row = latest(session, company_id, kind, draft_key)
        if row is None and default is not None and default.model.key == draft_key:  # type: ignore[attr-defined]
            return default
        return row

    draft = prepare(
        kind,
        text,
        source,
        latest_of=latest_or_default,
        at_number=lambda draft_key, number: session.scalar(
            select(DefinitionVersion).filter_by(
                company_id=company_id, kind=kind.name, key=draft_key, version=number
            )
        ),
        key=key,
        own_number=own_number,
        check=check,
    )
    row = DefinitionVersion(
        company_id=company_id,
        kind=kind.name,
        key=draft.model.key,  # type: ignore[attr-defined]
        version=draft.model.version,  # type: ignore[attr-defined]
        checksum=draft.checksum,
        document=draft.model.model_dump(mode="json"),
        yaml_text=draft.text,
        published_at=clock.now(),
        published_by=published_by,
    )
    store(session, row)
    audit.record(
        session,
        clock,
        actor=f"user:{published_by}" if published_by else "cli",
        action="definition.published",
        subject_type=kind.name,
        subject_id=row.id,
        company_id=company_id,
        key=row.key,
        version=row.version,
        checksum=row.checksum,
    )
    return row


def store(session: Session, row: Base) -> None:
    """Insert a new version; two people publishing the same number at once get a Conflict
    for the second (the unique constraint decides), not an error page."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Conflict(
            "Someone published a version of this at the same moment. Reload the page to see "
            "it, then publish your changes again."
        ) from None


def latest(
    session: Session, company_id: int, kind: DocumentKind[Any], key: str | None = None
) -> DefinitionVersion | None:
    """The most recently published version of the company's document of this kind (of this
    key, when given)."""
    query = select(DefinitionVersion).filter_by(company_id=company_id, kind=kind.name)
    if key is not None:
        query = query.filter_by(key=key)
    return session.scalar(query.order_by(DefinitionVersion.id.desc()).limit(1))


def history(
    session: Session, company_id: int, kind: DocumentKind[Any], key: str
) -> list[DefinitionVersion]:
    """Every published version of one document, newest first."""
    return list(
        session.scalars(
            select(DefinitionVersion)
            .filter_by(company_id=company_id, kind=kind.name, key=key)
            .order_by(DefinitionVersion.version.desc())
        )
    )


def version_of(
    session: Session, company_id: int, kind: DocumentKind[Any], key: str, version: int
) -> DefinitionVersion | None:
    return session.scalar(
        select(DefinitionVersion).filter_by(
            company_id=company_id, kind=kind.name, key=key, version=version
        )
    )


def previous(session: Session, row: DefinitionVersion) -> DefinitionVersion | None:
    """The version published before this one of the same document."""
    return session.scalar(
        select(DefinitionVersion)
        .filter_by(company_id=row.company_id, kind=row.kind, key=row.key)
        .where(DefinitionVersion.version < row.version)
        .order_by(DefinitionVersion.version.desc())
        .limit(1)
    )


def diff(
    session: Session, kind: DocumentKind[Model], row: DefinitionVersion, default: Draft[Model]
) -> str:
    """What a version changed: a unified diff of its YAML against the version before it, or
    against the default for the first version of the default's key (which it replaced)."""
    before = previous(session, row)
    if before is not None:
        old_text, old_name = before.yaml_text, f"{row.key} v{before.version}"
    elif default.model.key == row.key:  # type: ignore[attr-defined]
        old_text, old_name = default.text, f"{row.key} v{default.version} (the default)"
    else:
        return ""
    return yaml_text.unified_diff(old_text, row.yaml_text, old_name, f"{row.key} v{row.version}")


def draft_text(
    session: Session,
    company_id: int,
    kind: DocumentKind[Model],
    default: Draft[Model],
    key: str | None = None,
) -> str:
    """Where editing starts: the latest published text of the document (of ``key``, when
    given), else a copy of the default; NotFound for a key the company has never had."""
    row = latest(session, company_id, kind, key)
    if row is not None:
        return row.yaml_text
    if key is None or key == default.model.key:  # type: ignore[attr-defined]
        return default.text
    raise NotFound("This workspace has no document by that name.")


_parsed: dict[tuple[str, str], Any] = {}


def parsed(kind: DocumentKind[Model], row: DefinitionVersion) -> Model:
    """The validated document of a stored version; versions never change, so the parse is
    cached by checksum (workers need it for every packet or enrollment)."""
    cache_key = (kind.name, row.checksum)
    if cache_key not in _parsed:
        _parsed[cache_key] = kind.parse(row.document, f"{kind.name} v{row.version}")
    model: Model = _parsed[cache_key]
    return model


def current(session: Session, company_id: int, kind: DocumentKind[Model]) -> Model | None:
    """The company's document of this kind in use now; None while it has published none.
    Only the id and checksum are read when the parse is cached (the JSON column is large)."""
    found = session.execute(
        select(DefinitionVersion.id, DefinitionVersion.checksum)
        .filter_by(company_id=company_id, kind=kind.name)
        .order_by(DefinitionVersion.id.desc())
        .limit(1)
    ).first()
    if found is None:
        return None
    cached: Model | None = _parsed.get((kind.name, found.checksum))
    if cached is not None:
        return cached
    return parsed(kind, session.get_one(DefinitionVersion, found.id))
