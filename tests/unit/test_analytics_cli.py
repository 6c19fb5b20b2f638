"""`onramp stats` on small CSV files: the hand-computed numbers, and one-line errors (exit 2)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli.main import main


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def stats(*args: str | Path) -> Result:
    return CliRunner().invoke(main, ["stats", *map(str, args)])


def output(result: Result) -> Any:
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads(result.stdout)


def categories(document: Any, table: int = 0) -> dict[str, Any]:
    return {row["name"]: row for row in document["tables"][table]["categories"]}


def test_items_gives_psych_alpha_numbers(tmp_path: Path) -> None:
    # The items of tests/unit/test_analytics_items.py, B stored reverse-keyed (6 - x).
    path = write(tmp_path, "A,B,C,note\n1,4,1,x\n2,5,3,\n3,2,2,y\n4,3,4,\n")
    document = output(stats("items", "--csv", path, "--items", "A,B,C", "--reverse", "B"))

    assert document["respondents"] == 4
    assert document["alpha"] == pytest.approx(21 / 29)
    assert document["alpha_standardized"] == pytest.approx(21 / 29)
    assert document["average_inter_item_r"] == pytest.approx(7 / 15)
    a, b, _ = document["items"]
    assert (b["item"], b["reversed"], b["mean"]) == ("B", True, 2.5)
    assert a["sd"] == pytest.approx(math.sqrt(5 / 3))
    assert b["corrected_item_total_r"] == pytest.approx(1 / math.sqrt(10))
    assert b["alpha_if_dropped"] == pytest.approx(8 / 9)
    assert [hint["kind"] for hint in b["hints"]] == ["lowers_alpha"]
    assert a["hints"] == []


def test_items_treats_blank_cells_as_missing_pairwise(tmp_path: Path) -> None:
    path = write(tmp_path, "A,B\n1,1\n2,3\n3,2\n4,\n,5\n")
    document = output(stats("items", "--csv", path, "--items", "A, B", "--min", "1", "--max", "6"))

    assert [item["n"] for item in document["items"]] == [4, 4]
    assert document["alpha"] == pytest.approx(24 / 67)


def test_selection_rates_ratios_and_an_exact_four_fifths_not_flagged(tmp_path: Path) -> None:
    # a: 15 of 20 selected (0.75); b: 12 of 20 (0.60) → 0.60/0.75 = 0.80 exactly.
    lines = ["sex,advanced"]
    lines += ["a,1"] * 15 + ["a,0"] * 5 + ["b,yes"] * 12 + ["b,no"] * 8
    lines += [",1", "a,"]  # unknown sex; no outcome
    path = write(tmp_path, "\n".join(lines) + "\n")
    document = output(stats("selection", "--csv", path, "--group", "sex", "--selected", "advanced"))

    assert (document["kind"], document["applicants"], document["without_outcome"]) == (
        "selection",
        41,
        1,
    )
    assert document["tables"][0]["unknown"] == 1
    rows = categories(document)
    assert rows["a"] == {
        "name": "a",
        "values": ["a"],
        "n": 20,
        "selected": 15,
        "rate": 0.75,
        "impact_ratio": 1.0,
        "flagged": False,
        "excluded": False,
    }
    assert (rows["b"]["rate"], rows["b"]["impact_ratio"], rows["b"]["flagged"]) == (
        0.6,
        0.8,
        False,
    )


def test_selection_intersections_and_small_category_exclusion(tmp_path: Path) -> None:
    lines = ["sex,race,selected"]
    lines += ["f,x,1"] * 30 + ["m,x,1"] * 10 + ["m,x,0"] * 19 + ["m,y,0"]  # m, y: 1 of 60
    path = write(tmp_path, "\n".join(lines) + "\n")
    args = ("selection", "--csv", path, "--group", "sex", "--group", "race")
    document = output(stats(*args, "--selected", "selected", "--exclude-small"))

    assert [table["groupings"] for table in document["tables"]] == [
        ["sex"],
        ["race"],
        ["sex", "race"],
    ]
    assert document["small_category_share"] == 0.02
    both = document["tables"][2]
    assert both["excluded"] == ["m × y"]
    rows = categories(document, 2)
    assert rows["m × y"]["impact_ratio"] is None and rows["m × y"]["n"] == 1
    assert rows["m × x"]["impact_ratio"] == pytest.approx(10 / 29)
    assert rows["m × x"]["flagged"] is True


def test_scoring_rates_above_the_sample_median(tmp_path: Path) -> None:
    rows = [("female", 10), ("female", 50), ("female", 60), ("male", 20), ("male", 30)]
    rows += [("male", 70), ("", 40), ("", 80)]
    text = "sex,score\n" + "".join(f"{sex},{score}\n" for sex, score in rows) + "male,\n"
    document = output(
        stats("scoring", "--csv", write(tmp_path, text), "--group", "sex", "--score", "score")
    )

    assert (document["kind"], document["median"], document["applicants"]) == ("scoring", 45, 8)
    assert (document["without_outcome"], document["tables"][0]["unknown"]) == (1, 2)
    rows_by_name = categories(document)
    assert rows_by_name["female"]["above_median"] == 2
    assert rows_by_name["female"]["rate"] == pytest.approx(2 / 3)
    assert rows_by_name["male"]["impact_ratio"] == 0.5


@pytest.mark.parametrize(
    ("text", "args", "message"),
    [
        ("", ("scoring", "--group", "sex", "--score", "score"), "is empty"),
        ("sex,score\n", ("scoring", "--group", "sex", "--score", "score"), "no rows"),
        (
            "sex,score\nf,1\n",
            ("scoring", "--group", "race", "--score", "score"),
            "has no column race (it has sex, score)",
        ),
        (
            "sex,score\nf,1\nm,high\n",
            ("scoring", "--group", "sex", "--score", "score"),
            "line 3, column score: 'high' is not a number",
        ),
        (
            "sex,score\nf,nan\n",
            ("scoring", "--group", "sex", "--score", "score"),
            "'nan' is not a number",
        ),
        (
            "sex,sel\nf,maybe\n",
            ("selection", "--group", "sex", "--selected", "sel"),
            "'maybe' is not 1/0, yes/no or true/false",
        ),
        ("A,B\n1,9\n2,1\n", ("items", "--items", "A,B"), "B: 9 is outside the scale 1–5"),
        ("A,B\n1,2\n", ("items", "--items", "A,B", "--reverse", "C"), "not in the scale: C"),
    ],
)
def test_a_bad_file_gets_one_line_and_exit_code_2(
    tmp_path: Path, text: str, args: tuple[str, ...], message: str
) -> None:
    path = write(tmp_path, text)
    result = stats(args[0], "--csv", path, *args[1:])

    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert message in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr


def test_a_missing_file_gets_one_line_and_exit_code_2(tmp_path: Path) -> None:
    result = stats("items", "--csv", tmp_path / "absent.csv", "--items", "A")

    assert result.exit_code == 2
    assert "cannot read" in result.stderr and result.stderr.count("\n") == 1
