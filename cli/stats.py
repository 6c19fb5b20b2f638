"""`onramp stats`: the admin pages' statistics on a CSV file, as JSON on stdout.

The numbers come from the same functions as the pages (:mod:`screening.analytics`); this
module only reads the file and prints. A blank cell is a missing value (an unanswered item,
an unknown category, no outcome). A file that cannot be analysed as asked (missing, empty,
an unknown column, a non-numeric score) gets one line on stderr and exit code 2.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

import click

from screening.analytics import AnalysisInputError
from screening.analytics.fairness import (
    SMALL_CATEGORY_SHARE,
    ImpactReport,
    RateKind,
    ScoreRecord,
    SelectionRecord,
    scoring_impact,
    selection_impact,
)
from screening.analytics.items import LikertScale, ScaleStatistics, scale_statistics
from screening.definition import LIKERT_MAX, LIKERT_MIN

_Result = TypeVar("_Result")
TRUE_WORDS = frozenset({"1", "true", "yes", "y", "selected"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "not selected"})


class BadInput(click.ClickException):
    """One line on stderr, exit code 2 (as click's own usage errors)."""

    exit_code = 2


@click.group()
def stats() -> None:
    """Item statistics, selection and scoring rates of a CSV file, as JSON."""


def _csv_option() -> Any:
    return click.option(
        "--csv",
        "csv_path",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="A CSV file with a header row; blank cells are missing values.",
    )


def _group_option() -> Any:
    return click.option(
        "--group",
        "groups",
        required=True,
        multiple=True,
        help="A column of categories (repeat for intersections, e.g. --group sex --group race).",
    )


def _exclude_small_option() -> Any:
    return click.option(
        "--exclude-small",
        is_flag=True,
        help="Leave categories under 2% of the known data out of the impact ratios "
        "(NYC DCWP rules §5-301(d)); they are still listed.",
    )


@stats.command("items")
@_csv_option()
@click.option("--items", "item_list", required=True, help="Item columns: A1,A2,A3")
@click.option("--reverse", "reverse_list", default="", help="Reverse-keyed items: A2,A3")
@click.option("--min", "minimum", type=float, default=LIKERT_MIN, show_default=True)
@click.option("--max", "maximum", type=float, default=LIKERT_MAX, show_default=True)
def items_command(
    csv_path: Path, item_list: str, reverse_list: str, minimum: float, maximum: float
) -> None:
    """Means, SDs, corrected item-total r, Cronbach's alpha (raw and standardized), average
    inter-item r and alpha if an item is dropped, as R's psych::alpha()."""
    items, reverse = _names(item_list), _names(reverse_list)
    rows = _read(csv_path, items)
    answers = [
        {item: _number(csv_path, line, item, row[item]) for item in items} for line, row in rows
    ]
    scale = _analyse(
        lambda: scale_statistics(
            LikertScale(csv_path.stem, tuple(items), frozenset(reverse), minimum, maximum),
            answers,
        )
    )
    _print(_scale_json(scale))


@stats.command("selection")
@_csv_option()
@_group_option()
@click.option(
    "--selected", "selected_column", required=True, help="Column: 1/0, yes/no, true/false"
)
@_exclude_small_option()
def selection_command(
    csv_path: Path, groups: tuple[str, ...], selected_column: str, exclude_small: bool
) -> None:
    """Selection rates and impact ratios (rate ÷ highest rate) per category and intersection;
    flagged when strictly below 0.80 (29 CFR 1607.4(D))."""
    rows = _read(csv_path, [*groups, selected_column])
    records = [
        SelectionRecord(_categories(row, groups), _selected(csv_path, line, selected_column, row))
        for line, row in rows
    ]
    report = _analyse(
        lambda: selection_impact(records, groups, small_category_share=_share(exclude_small))
    )
    _print(_report_json(report))


@stats.command("scoring")
@_csv_option()
@_group_option()
@click.option("--score", "score_column", required=True, help="Column of numeric scores.")
@_exclude_small_option()
def scoring_command(
    csv_path: Path, groups: tuple[str, ...], score_column: str, exclude_small: bool
) -> None:
    """NYC LL144 scoring rates (share above the sample median) and impact ratios per category
    and intersection."""
    rows = _read(csv_path, [*groups, score_column])
    records = [
        ScoreRecord(
            _categories(row, groups), _number(csv_path, line, score_column, row[score_column])
        )
        for line, row in rows
    ]
    report = _analyse(
        lambda: scoring_impact(records, groups, small_category_share=_share(exclude_small))
    )
    _print(_report_json(report))


# --- reading -------------------------------------------------------------------


def _names(listed: str) -> list[str]:
    return [name.strip() for name in listed.split(",") if name.strip()]


def _read(path: Path, needed: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """The (line number, row) pairs; refuses a missing or empty file and columns it lacks."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or []]
            reader.fieldnames = header
            rows = [(reader.line_num, row) for row in reader]
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise BadInput(f"{path} is not a readable CSV file: {exc}") from None
    if not header:
        raise BadInput(f"{path} is empty")
    if missing := [name for name in dict.fromkeys(needed) if name not in header]:
        raise BadInput(f"{path} has no column {', '.join(missing)} (it has {', '.join(header)})")
    if not rows:
        raise BadInput(f"{path} has a header but no rows")
    return rows


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def _number(path: Path, line: int, column: str, value: str | None) -> float | None:
    if _blank(value):
        return None
    assert value is not None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise BadInput(f"{path} line {line}, column {column}: {value.strip()!r} is not a number")
    return number


def _selected(path: Path, line: int, column: str, row: dict[str, str]) -> bool | None:
    value = row[column]
    if _blank(value):
        return None
    word = value.strip().lower()
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    raise BadInput(
        f"{path} line {line}, column {column}: {value.strip()!r} is not 1/0, yes/no or true/false"
    )


def _categories(row: dict[str, str], groups: Sequence[str]) -> dict[str, str | None]:
    return {group: None if _blank(row[group]) else row[group].strip() for group in groups}


def _share(exclude_small: bool) -> Fraction | None:
    return SMALL_CATEGORY_SHARE if exclude_small else None


def _analyse(compute: Callable[[], _Result]) -> _Result:
    try:
        return compute()
    except AnalysisInputError as exc:
        raise BadInput(str(exc)) from None


# --- writing -------------------------------------------------------------------


def _print(document: dict[str, Any]) -> None:
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


def _ratio(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def _report_json(report: ImpactReport) -> dict[str, Any]:
    hits = "selected" if report.kind is RateKind.SELECTION else "above_median"
    document: dict[str, Any] = {
        "kind": str(report.kind),
        "applicants": report.applicants,
        "without_outcome": report.without_outcome,
    }
    if report.kind is RateKind.SCORING:
        document["median"] = report.median
    document["small_category_share"] = _ratio(report.small_category_share)
    document["tables"] = [
        {
            "groupings": list(table.groupings),
            "unknown": table.unknown,
            "excluded": [category.name for category in table.excluded],
            "categories": [
                {
                    "name": category.name,
                    "values": list(category.values),
                    "n": category.n,
                    hits: category.hits,
                    "rate": float(category.rate),
                    "impact_ratio": _ratio(category.impact_ratio),
                    "flagged": category.flagged,
                    "excluded": category.excluded,
                }
                for category in table.categories
            ],
        }
        for table in report.tables
    ]
    return document


def _scale_json(scale: ScaleStatistics) -> dict[str, Any]:
    return {
        "scale": scale.scale,
        "respondents": scale.respondents,
        "alpha": scale.alpha,
        "alpha_standardized": scale.alpha_standardized,
        "average_inter_item_r": scale.average_inter_item_r,
        "excluded": list(scale.excluded),
        "note": scale.note,
        "items": [
            {
                "item": item.item_id,
                "reversed": item.reversed,
                "n": item.n,
                "mean": item.mean,
                "sd": item.sd,
                "corrected_item_total_r": item.corrected_item_total_r,
                "alpha_if_dropped": item.alpha_if_dropped,
                "hints": [{"kind": str(h.kind), "message": h.message} for h in item.hints],
            }
            for item in scale.items
        ],
    }
