"""`onramp definitions check|publish` against real files and the test database."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from cli.main import main
from core.clock import SystemClock
from core.db import Database
from core.settings import Settings
from onboarding.sequence import DEFAULT_SEQUENCE
from screening import applications
from screening.definition import DEFAULT_ASSESSMENT
from screening.models import Application, AssessmentVersion, Company, Opening
from screening.question_bank import DEFAULT_QUESTION_BANK

ASSESSMENT_TEXT = DEFAULT_ASSESSMENT.read_text(encoding="utf-8")


@pytest.fixture
def env(settings: Settings) -> dict[str, str]:
    return {
        "ONRAMP_DATABASE_URL": settings.database_url,
        "ONRAMP_REDIS_URL": settings.redis_url,
        "ONRAMP_REDIS_NAMESPACE": settings.redis_namespace,
    }


@pytest.fixture
def slug(db: Database, opening: Opening) -> str:
    """The slug of the company the ``opening`` fixture created."""
    with db.unit_of_work() as session:
        return session.get_one(Company, opening.company_id).slug


def onramp(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["definitions", *map(str, args)], env=env)


def write(tmp_path: Path, text: str, name: str = "assessment.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def edited(old: str, new: str, text: str = ASSESSMENT_TEXT) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def versions(db: Database, opening: Opening) -> list[tuple[int, str]]:
    with db.unit_of_work() as session:
        rows = session.execute(
            select(AssessmentVersion.version, AssessmentVersion.definition["title"].as_string())
            .where(AssessmentVersion.company_id == opening.company_id)
            .order_by(AssessmentVersion.version)
        ).all()
        return [(version, title) for version, title in rows]


# --- check ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (DEFAULT_ASSESSMENT, "(assessment service-mindset v1)"),
        (DEFAULT_QUESTION_BANK, "(question_bank service-mindset-interview v1)"),
        (DEFAULT_SEQUENCE, "(sequence customer-culture v1)"),
    ],
)
def test_check_tells_the_kind_and_says_ok(path: Path, expected: str) -> None:
    result = onramp("check", path)
    assert result.exit_code == 0, result.output
    assert result.output == f"{path}: ok {expected}\n"


def test_check_prints_each_problem_at_its_line_and_exits_2(tmp_path: Path) -> None:
    lines = ASSESSMENT_TEXT.splitlines()
    text = edited("estimated_minutes: 15\n", "estimated_minutes: a quarter hour\n")
    text = edited("cut_scores: {advance: 70, review: 50}", "cut_scores: {advance: 70}", text)
    path = write(tmp_path, text)
    result = onramp("check", path)
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"{path}:{lines.index('estimated_minutes: 15') + 1}: estimated_minutes: Input should be "
        "a valid integer, unable to parse string as an integer",
        f"{path}:{lines.index('cut_scores: {advance: 70, review: 50}') + 1}: "
        "cut_scores.review: Field required",
    ]


def test_check_reports_cross_field_problems_at_their_line(tmp_path: Path) -> None:
    item = "      - id: sjt_return_past_window\n        type: sjt\n        dimension: "
    path = write(tmp_path, edited(f"{item}judgment", f"{item}telepathy"))
    result = onramp("check", path)
    assert result.exit_code == 2
    line = ASSESSMENT_TEXT.splitlines().index("      - id: sjt_return_past_window") + 3
    assert result.output == (
        f"{path}:{line}: pages[0].items[0].dimension: unknown dimension 'telepathy'\n"
    )


def test_check_reports_yaml_syntax_errors_at_their_line(tmp_path: Path) -> None:
    path = write(tmp_path, "key: mini\nversion: 1\nsteps: [\n  - key: {\n", "sequence.yaml")
    result = onramp("check", path, "--kind", "sequence")
    assert result.exit_code == 2
    assert result.output.startswith(f"{path}:4: not valid YAML: ")


def test_check_with_the_wrong_kind_lists_what_that_kind_misses(tmp_path: Path) -> None:
    result = onramp("check", DEFAULT_SEQUENCE, "--kind", "assessment")
    assert result.exit_code == 2
    assert f"{DEFAULT_SEQUENCE}:" in result.output and "pages: Field required" in result.output


def test_check_asks_for_the_kind_when_it_cannot_tell(tmp_path: Path) -> None:
    path = write(tmp_path, "# what is this?\nkey: mystery\nversion: 1\n", "mystery.yaml")
    result = onramp("check", path)
    assert result.exit_code == 2
    assert result.output.startswith(f"{path}:2: cannot tell what kind of document this is")
    assert "--kind assessment|question_bank|sequence" in result.output


def test_check_of_a_missing_file_exits_2(tmp_path: Path) -> None:
    result = onramp("check", tmp_path / "nowhere.yaml")
    assert result.exit_code == 2
    assert result.output == f"{tmp_path / 'nowhere.yaml'}: cannot read: No such file or directory\n"


# --- publish ----------------------------------------------------------------------------------


def test_publishing_the_same_content_again_changes_nothing(
    env: dict[str, str], db: Database, opening: Opening, slug: str
) -> None:
    result = onramp("publish", "--company", slug, DEFAULT_ASSESSMENT, env=env)
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"assessment service-mindset v1: already published for {slug} with this content; "
        "nothing changed\n"
    )
    assert versions(db, opening) == [(1, "Service mindset pre-screen")]


def test_publishing_a_new_version_keeps_applications_on_theirs(
    env: dict[str, str], db: Database, opening: Opening, slug: str, tmp_path: Path
) -> None:
    clock = SystemClock()
    with db.unit_of_work() as session:
        started = applications.start_application(
            session,
            clock,
            session.get_one(Opening, opening.id),
            name="Version Keeper",
            email="keeper@example.com",
            start_key=uuid.uuid4().hex,
        )
        started_id, first_version_id = started.id, started.assessment_version_id
    text = edited("version: 1\n", "version: 2\n")
    text = edited("title: Service mindset pre-screen", "title: Service mindset, revised", text)
    path = write(tmp_path, text)

    result = onramp("publish", "--company", slug, path, env=env)

    assert result.exit_code == 0, result.output
    assert result.output == (
        f"assessment service-mindset v2: published for {slug} "
        "(openings keep the version they use)\n"
    )
    assert versions(db, opening) == [
        (1, "Service mindset pre-screen"),
        (2, "Service mindset, revised"),
    ]
    with db.unit_of_work() as session:
        assert session.get_one(Application, started_id).assessment_version_id == first_version_id
        assert session.get_one(Opening, opening.id).assessment_version_id == first_version_id
        assert applications.definition_for(session, first_version_id).title == (
            "Service mindset pre-screen"
        )


def test_changed_content_under_a_published_number_is_refused(
    env: dict[str, str], db: Database, opening: Opening, slug: str, tmp_path: Path
) -> None:
    path = write(tmp_path, edited("estimated_minutes: 15", "estimated_minutes: 16"))
    result = onramp("publish", "--company", slug, path, env=env)
    assert result.exit_code == 2
    assert "service-mindset version 1 is already published with different content" in (
        result.output
    )
    assert "pass --next-version" in result.output
    assert versions(db, opening) == [(1, "Service mindset pre-screen")]


def test_next_version_publishes_after_the_highest_and_never_twice(
    env: dict[str, str], db: Database, opening: Opening, slug: str, tmp_path: Path
) -> None:
    path = write(tmp_path, edited("estimated_minutes: 15", "estimated_minutes: 16"))

    first = onramp("publish", "--company", slug, "--next-version", path, env=env)
    again = onramp("publish", "--company", slug, "--next-version", path, env=env)
    original = onramp("publish", "--company", slug, "--next-version", DEFAULT_ASSESSMENT, env=env)

    assert first.exit_code == 0, first.output
    assert first.output.startswith(f"assessment service-mindset v2: published for {slug}")
    assert again.exit_code == 0, again.output
    assert again.output.startswith("assessment service-mindset v2: already published")
    assert original.exit_code == 0, original.output  # going back is a new version too
    assert original.output.startswith(f"assessment service-mindset v3: published for {slug}")
    assert [version for version, _ in versions(db, opening)] == [1, 2, 3]


def test_publish_refuses_an_invalid_definition_with_its_lines(
    env: dict[str, str], db: Database, opening: Opening, slug: str, tmp_path: Path
) -> None:
    path = write(tmp_path, edited("version: 1\n", "version: 0\n"))
    result = onramp("publish", "--company", slug, path, env=env)
    assert result.exit_code == 2
    line = ASSESSMENT_TEXT.splitlines().index("version: 1") + 1
    assert result.output == (
        f"{path}:{line}: version: Input should be greater than or equal to 1\n"
    )
    assert versions(db, opening) == [(1, "Service mindset pre-screen")]


def test_publish_names_an_unknown_company(env: dict[str, str], db: Database) -> None:
    result = onramp("publish", "--company", "no-such-company", DEFAULT_ASSESSMENT, env=env)
    assert result.exit_code == 2
    assert "no company with the slug 'no-such-company'" in result.output


BANK_AND_SEQUENCE = [
    (
        DEFAULT_QUESTION_BANK,
        "question_bank",
        "service-mindset-interview",
        "packets built from now on use it",
        ("id: emp_b1\n        kind: behavioural\n", "id: emp_b1\n        kind: situational\n"),
    ),
    (
        DEFAULT_SEQUENCE,
        "sequence",
        "customer-culture",
        "hires enrolled from now on follow it",
        ("    offset_days: -7\n", "    offset_days: -6\n"),
    ),
]


@pytest.mark.parametrize(("path", "kind", "key", "after", "edit"), BANK_AND_SEQUENCE)
def test_banks_and_sequences_publish_as_the_companys_current_one(
    env: dict[str, str],
    slug: str,
    path: Path,
    kind: str,
    key: str,
    after: str,
    edit: tuple[str, str],
    tmp_path: Path,
) -> None:
    text = path.read_text(encoding="utf-8")
    unchanged = (
        f"{kind} {key} v1: already published for {slug} with this content; nothing changed\n"
    )

    first = onramp("publish", "--company", slug, path, env=env)
    assert first.exit_code == 0, first.output
    assert first.output == f"{kind} {key} v1: published for {slug} ({after})\n"
    assert onramp("publish", "--company", slug, path, env=env).output == unchanged
    commented = write(tmp_path, text + "# ours now\n", f"{kind}-commented.yaml")
    assert onramp("publish", "--company", slug, "--next-version", commented, env=env).output == (
        unchanged  # a comment is not content
    )
    edited_text = edited(*edit, text=text).replace("version: 1\n", "version: 7\n", 1)
    second = write(tmp_path, edited_text, f"{kind}-edited.yaml")
    result = onramp("publish", "--company", slug, "--next-version", second, env=env)
    assert result.output == f"{kind} {key} v2: published for {slug} ({after})\n"
