"""The three customizable documents as the customization pages see them: one interface over
the domain's functions (screening.customization, onboarding.customization), so each page is
written once for all kinds."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import yaml
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from core import definition_versions, yaml_text
from core.accounts import User
from core.clock import Clock
from core.companies import Company
from core.definition_versions import DefinitionVersion
from core.definitions import DefinitionError, DocumentKind
from core.errors import NotFound
from onboarding import customization as onboarding_customization
from onboarding.sequence import SEQUENCE
from screening import bank_customization
from screening import customization as screening_customization
from screening.definition import ASSESSMENT
from screening.models import AssessmentVersion
from screening.question_bank import QUESTION_BANK
from web.admin.customize_forms import (
    AssessmentForm,
    BankForm,
    DraftForm,
    SequenceForm,
    assessment_form,
    bank_form,
    sequence_form,
)


@dataclass(frozen=True)
class Summary:
    """One document on the customization overview."""

    key: str
    title: str
    version: int | None  # None: the default, not customized yet
    published_at: datetime | None
    note: str


@dataclass(frozen=True)
class VersionView:
    key: str
    version: int
    published_at: datetime
    published_by: str
    text: str
    current: bool
    used_by: tuple[str, ...] = ()  # openings on this version (assessments)


@dataclass(frozen=True)
class Outcome:
    """What publishing did, for the page that follows."""

    version: int
    message: str


class Document(ABC):
    """A kind of document: where drafts come from, how its form applies, how it publishes."""

    slug: str
    kind: DocumentKind[Any]
    title: str  # "Assessment"
    audience: str  # who sees it: "candidates"
    can_move_openings = False

    @abstractmethod
    def summaries(self, session: Session, company: Company) -> list[Summary]:
        """Each kind of document answers this itself."""

    @abstractmethod
    def draft(self, session: Session, company: Company, key: str) -> str:
        """Each kind of document answers this itself."""

    @abstractmethod
    def default_draft(self, company: Company, key: str) -> str:
        """Each kind of document answers this itself."""

    @abstractmethod
    def history(self, session: Session, company: Company, key: str) -> list[VersionView]:
        """Each kind of document answers this itself."""

    @abstractmethod
    def diff(self, session: Session, company: Company, key: str, version: int) -> str:
        """Each kind of document answers this itself."""

    @abstractmethod
    def form(self, text: str, formdata: MultiDict[str, str] | None) -> DraftForm:
        """Each kind of document answers this itself."""

    @abstractmethod
    def apply(self, form: DraftForm, text: str) -> str:
        """Each kind of document answers this itself."""

    @abstractmethod
    def publish(
        self,
        session: Session,
        clock: Clock,
        company: Company,
        user: User,
        text: str,
        key: str,
        move_openings: bool,
    ) -> Outcome:
        """Each kind of document answers this itself."""

    def version(self, session: Session, company: Company, key: str, number: int) -> VersionView:
        for view in self.history(session, company, key):
            if view.version == number:
                return view
        raise NotFound("No such version.")


def _by(session: Session, user_id: int | None) -> str:
    if user_id is None:
        return "setup or the command line"
    user = session.get(User, user_id)
    return user.name if user else "a former staff member"


def _parsed(kind: DocumentKind[Any], text: str) -> Any:
    """The draft a form is made from; DefinitionError with every problem at its line."""
    refused = definition_versions.unreadable(text)
    if refused:
        raise DefinitionError(f"<{kind.name}>", refused)
    return kind.parse_text(text, f"<{kind.name}>")


def _bound(formdata: MultiDict[str, str] | None) -> dict[str, Any]:
    # Without request data the form shows the draft's values; FlaskForm would otherwise bind
    # the request's form (where an unchecked box reads as "off").
    return {} if formdata is not None else {"formdata": None}


class Assessments(Document):
    slug = "assessment"
    kind = ASSESSMENT
    title = "Assessment"
    audience = "candidates"
    can_move_openings = True

    def summaries(self, session: Session, company: Company) -> list[Summary]:
        return [
            Summary(
                s.key,
                s.title,
                s.version,
                s.published_at,
                f"{s.openings} opening{' uses' if s.openings == 1 else 's use'} it",
            )
            for s in screening_customization.assessments_of(session, company.id)
        ]

    def draft(self, session: Session, company: Company, key: str) -> str:
        return screening_customization.assessment_draft(session, company, key)

    def default_draft(self, company: Company, key: str) -> str:
        return screening_customization.default_assessment_draft(company, key)

    def history(self, session: Session, company: Company, key: str) -> list[VersionView]:
        rows = screening_customization.assessment_history(session, company.id, key)
        return [self._view(session, row, index == 0) for index, row in enumerate(rows)]

    def diff(self, session: Session, company: Company, key: str, version: int) -> str:
        row = screening_customization.assessment_version(session, company.id, key, version)
        return screening_customization.assessment_diff(session, row)

    def form(self, text: str, formdata: MultiDict[str, str] | None) -> AssessmentForm:
        return assessment_form(_parsed(ASSESSMENT, text), **_bound(formdata))

    def apply(self, form: DraftForm, text: str) -> str:
        assert isinstance(form, AssessmentForm)
        return screening_customization.apply_assessment_changes(text, form.changes())

    def publish(
        self,
        session: Session,
        clock: Clock,
        company: Company,
        user: User,
        text: str,
        key: str,
        move_openings: bool,
    ) -> Outcome:
        published = screening_customization.publish_assessment(
            session,
            clock,
            company,
            text,
            published_by=user.id,
            key=key,
            move_openings=move_openings,
        )
        moved = len(published.moved_openings)
        message = f"Published version {published.version.version}. " + (
            f"{moved} opening{'s' if moved != 1 else ''} now use{'s' if moved == 1 else ''} it; "
            "candidates who already started keep the version they began with."
            if moved
            else "Openings keep the version they use until you move them to this one."
        )
        return Outcome(published.version.version, message)

    def _view(self, session: Session, row: AssessmentVersion, current: bool) -> VersionView:
        return VersionView(
            row.key,
            row.version,
            row.published_at,
            _by(session, row.published_by),
            screening_customization.assessment_text(row),
            current,
            tuple(o.title for o in screening_customization.openings_on(session, row.id)),
        )


class _Stored(Document, ABC):
    """Question banks and sequences: versions in core.definition_versions; the current one is
    the latest published, the default file's while there is none."""

    def default_key(self) -> str:
        return str(yaml.safe_load(self.defaults())["key"])

    @abstractmethod
    def defaults(self) -> str:
        """Each kind of document answers this itself."""

    def summaries(self, session: Session, company: Company) -> list[Summary]:
        row = definition_versions.latest(session, company.id, self.kind)
        if row is None:
            return [Summary(self.default_key(), self._title(self.defaults()), None, None, "")]
        return [Summary(row.key, self._title(row.yaml_text), row.version, row.published_at, "")]

    def default_draft(self, company: Company, key: str) -> str:
        return yaml_text.replace_scalars(self.defaults(), {("key",): key})

    def history(self, session: Session, company: Company, key: str) -> list[VersionView]:
        rows = self.rows(session, company.id, key)
        if not rows and key != self.default_key():
            raise NotFound(f"This workspace has no {self.title.lower()} by that name.")
        current = definition_versions.latest(session, company.id, self.kind)
        return [
            VersionView(
                row.key,
                row.version,
                row.published_at,
                _by(session, row.published_by),
                row.yaml_text,
                current is not None and row.id == current.id,
            )
            for row in rows
        ]

    @abstractmethod
    def rows(self, session: Session, company_id: int, key: str) -> list[DefinitionVersion]:
        """Each kind of document answers this itself."""

    def _title(self, text: str) -> str:
        return self.title


class QuestionBanks(_Stored):
    slug = "question-bank"
    kind = QUESTION_BANK
    title = "Interview question bank"
    audience = "interviewers"

    def defaults(self) -> str:
        return bank_customization.default_bank_text()

    def rows(self, session: Session, company_id: int, key: str) -> list[DefinitionVersion]:
        return bank_customization.bank_history(session, company_id, key)

    def draft(self, session: Session, company: Company, key: str) -> str:
        return bank_customization.bank_draft(session, company.id, key)

    def diff(self, session: Session, company: Company, key: str, version: int) -> str:
        return bank_customization.bank_diff(session, company.id, key, version)

    def form(self, text: str, formdata: MultiDict[str, str] | None) -> BankForm:
        return bank_form(_parsed(QUESTION_BANK, text), **_bound(formdata))

    def apply(self, form: DraftForm, text: str) -> str:
        assert isinstance(form, BankForm)
        return bank_customization.apply_bank_changes(text, form.wording())

    def publish(
        self,
        session: Session,
        clock: Clock,
        company: Company,
        user: User,
        text: str,
        key: str,
        move_openings: bool,
    ) -> Outcome:
        row = bank_customization.publish_bank(
            session, clock, company.id, text, published_by=user.id, key=key
        )
        return Outcome(
            row.version,
            f"Published version {row.version}. Interview packets built from now on use it; "
            "packets already built keep their questions.",
        )


class Sequences(_Stored):
    slug = "sequence"
    kind = SEQUENCE
    title = "Onboarding sequence"
    audience = "new hires"

    def defaults(self) -> str:
        return onboarding_customization.default_sequence_text()

    def rows(self, session: Session, company_id: int, key: str) -> list[DefinitionVersion]:
        return onboarding_customization.sequence_history(session, company_id, key)

    def draft(self, session: Session, company: Company, key: str) -> str:
        return onboarding_customization.sequence_draft(session, company.id, key)

    def diff(self, session: Session, company: Company, key: str, version: int) -> str:
        return onboarding_customization.sequence_diff(session, company.id, key, version)

    def form(self, text: str, formdata: MultiDict[str, str] | None) -> SequenceForm:
        _parsed(SEQUENCE, text)
        return sequence_form(onboarding_customization.step_choices(text), **_bound(formdata))

    def apply(self, form: DraftForm, text: str) -> str:
        assert isinstance(form, SequenceForm)
        return onboarding_customization.apply_step_changes(text, form.changes())

    def publish(
        self,
        session: Session,
        clock: Clock,
        company: Company,
        user: User,
        text: str,
        key: str,
        move_openings: bool,
    ) -> Outcome:
        row = onboarding_customization.publish_sequence(
            session, clock, company.id, text, published_by=user.id, key=key
        )
        return Outcome(
            row.version,
            f"Published version {row.version}. New hires enrolled from now on follow it; "
            "hires already enrolled keep their plan.",
        )

    def _title(self, text: str) -> str:
        title = (yaml.safe_load(text) or {}).get("title")
        return str(title) if title else self.title


DOCUMENTS: dict[str, Document] = {
    document.slug: document for document in (Assessments(), QuestionBanks(), Sequences())
}


def document(slug: str) -> Document:
    found = DOCUMENTS.get(slug)
    if found is None:
        raise NotFound("There is no such kind of document to customize.")
    return found
