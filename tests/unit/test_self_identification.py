"""Self-identification never reaches scoring or managers (import graph), and its choices."""

from __future__ import annotations

import tomllib
from pathlib import Path

import grimp
import pytest

from screening.self_identification import (
    PREFER_NOT_TO_SAY,
    QUESTIONS,
    RACE_ETHNICITY_CHOICES,
    SEX_CHOICES,
    Grouping,
    RaceEthnicity,
    Sex,
)

ROOT = Path(__file__).resolve().parents[2]
SELF_ID = "screening.self_identification"
# Scoring, packets, hiring decisions and everything managers see.
PROTECTED = (
    "screening.scoring",
    "screening.applications",
    "screening.packets",
    "screening.hiring",
    "screening.decisions",
    "workers.actors.screening",
    "screening.screenings",
    "web.manager",
)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(
        "core", "screening", "onboarding", "workers", "web", "cli", cache_dir=None
    )


@pytest.mark.parametrize("package", PROTECTED)
def test_scoring_hiring_and_manager_code_never_import_self_identification(
    graph: grimp.ImportGraph, package: str
) -> None:
    modules = {package, *graph.find_descendants(package)}
    for module in modules:
        chain = graph.find_shortest_chain(importer=module, imported=SELF_ID)
        assert chain is None, " → ".join(chain or ())


def test_the_graph_does_see_the_one_legitimate_reader(graph: grimp.ImportGraph) -> None:
    assert SELF_ID in graph.find_upstream_modules("screening.analytics.queries")
    assert "screening.analytics.queries" in graph.find_modules_that_directly_import(SELF_ID)


def test_lint_imports_forbids_the_same_modules() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = [
        contract
        for contract in config["tool"]["importlinter"]["contracts"]
        if contract["type"] == "forbidden" and SELF_ID in contract["forbidden_modules"]
    ]
    assert len(contracts) == 1
    assert set(PROTECTED) <= set(contracts[0]["source_modules"])


def test_the_choices_are_the_eeo1_categories_plus_prefer_not_to_say() -> None:
    assert [value for value, _ in SEX_CHOICES] == list(Sex)
    assert [value for value, _ in RACE_ETHNICITY_CHOICES] == list(RaceEthnicity)
    assert [label for _, label in SEX_CHOICES] == ["Female", "Male", "I prefer not to say"]
    assert len(RaceEthnicity) == 8  # the seven EEO-1 categories and "prefer not to say"
    assert RACE_ETHNICITY_CHOICES[0] == ("hispanic_or_latino", "Hispanic or Latino")
    assert Sex.PREFER_NOT_TO_SAY == RaceEthnicity.PREFER_NOT_TO_SAY == PREFER_NOT_TO_SAY
    assert set(QUESTIONS) == set(Grouping)
    assert all(isinstance(value, str) and value for value, _ in RACE_ETHNICITY_CHOICES)
