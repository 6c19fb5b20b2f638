"""Scoring properties: bounds, reverse keying, monotonicity, flags, recommendations."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from screening.definition import LIKERT_LABELS, SjtItem
from screening.scoring import (
    Flag,
    flags_of,
    keyed_likert,
    recommend,
    score_answers,
    score_likert,
    score_sjt,
    score_text,
)
from tests.factories import keyed_answers, small_definition

DEFINITION = small_definition()
ITEMS = DEFINITION.items


@st.composite
def answer_sets(draw: st.DrawFn) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for item in ITEMS.values():
        if item.type == "sjt":
            most, least = draw(st.permutations([o.id for o in item.options]))[:2]
            answers[item.id] = {"most": most, "least": least}
        elif item.type in ("likert", "check"):
            answers[item.id] = draw(st.integers(1, 5))
        else:
            answers[item.id] = draw(st.text(min_size=10, max_size=200))
    return answers


@given(answer_sets())
def test_every_score_lies_between_0_and_100(answers: dict[str, Any]) -> None:
    result = score_answers(DEFINITION, answers)
    assert 0 <= result.overall <= 100
    for dimension in result.dimensions:
        assert 0 <= dimension.score <= 100
        assert all(0 <= item.score <= 100 for item in dimension.items)


@given(st.integers(1, 5))
def test_reverse_keying_mirrors_the_scale(value: int) -> None:
    assert keyed_likert(value, reverse=True) == 6 - value
    assert keyed_likert(value, reverse=False) == value


def _aligned(item_id: str, answers: dict[str, Any]) -> dict[str, Any]:
    """The same answers with one item moved to the key's preferred answer."""
    item = ITEMS[item_id]
    better = dict(answers)
    if isinstance(item, SjtItem):
        better[item_id] = {"most": item.best, "least": item.worst}
    elif item.type == "likert":
        better[item_id] = 1 if item.reverse else 5
    return better


@given(
    answer_sets(), st.sampled_from([i.id for i in ITEMS.values() if i.type in ("sjt", "likert")])
)
@settings(max_examples=200)
def test_answers_closer_to_the_key_never_score_lower(answers: dict[str, Any], item_id: str) -> None:
    before = score_answers(DEFINITION, answers)
    after = score_answers(DEFINITION, _aligned(item_id, answers))
    assert after.overall >= before.overall
    for old, new in zip(before.dimensions, after.dimensions, strict=True):
        assert new.score >= old.score


def test_sjt_most_least_scoring_follows_the_sme_key() -> None:
    item = ITEMS["s1"]  # best a, worst d
    assert score_sjt(item, {"most": "a", "least": "d"}).score == 100.0
    assert score_sjt(item, {"most": "d", "least": "a"}).score == 0.0
    assert score_sjt(item, {"most": "b", "least": "c"}).score == 50.0
    assert score_sjt(item, {"most": "a", "least": "b"}).score == 75.0


def test_text_rubric_keeps_the_matched_words_as_evidence() -> None:
    item = ITEMS["t1"]
    score, matches = score_text(item, "The customer was angry so I called her back the same day.")
    assert score.score == 100.0
    assert {m.feature for m in matches} == {"customer", "action"}
    assert any("[I called]" in m.snippet for m in matches)


def test_blame_language_lowers_a_text_score() -> None:
    item = ITEMS["t1"]
    plain, _ = score_text(item, "The customer was angry so I called her back.")
    blaming, matches = score_text(
        item, "The customer was angry so I called her back. Not my fault."
    )
    assert blaming.score < plain.score
    assert "blame" in {m.feature for m in matches}


def test_keyed_answers_score_100_and_advance_without_flags() -> None:
    result = score_answers(
        DEFINITION, keyed_answers(DEFINITION), {"one": 60, "two": 60, "three": 60}
    )
    assert result.overall == 100.0
    assert result.flags == ()
    assert result.recommendation == "advance"


def test_a_failed_instructed_item_is_flagged_with_its_item_as_data() -> None:
    expected = ITEMS["c1"].expect
    answers = keyed_answers(DEFINITION) | {"c1": 5}
    (flag,) = score_answers(DEFINITION, answers).flags
    assert (flag.code, flag.items, flag.expected, flag.answers) == (
        "attention_failed",
        ("c1",),
        expected,
        (5,),
    )
    assert flag.detail == f"Asked to choose {LIKERT_LABELS[expected]}, chose Strongly agree."


def test_contradicting_a_mirrored_statement_is_flagged_with_both_items_as_data() -> None:
    answers = keyed_answers(DEFINITION) | {"l1": 5, "c2": 1}
    (flag,) = score_answers(DEFINITION, answers).flags
    assert (flag.code, flag.items, flag.answers) == ("inconsistent_pair", ("c2", "l1"), (1, 5))
    assert "Strongly agree" in flag.detail and "Strongly disagree" in flag.detail
    assert flag.detail == "“l1”: Strongly agree; “Same as l1.”: Strongly disagree."


def test_flags_survive_a_json_round_trip() -> None:
    answers = keyed_answers(DEFINITION) | {"l1": 5, "c2": 1, "c1": 5}
    result = score_answers(DEFINITION, answers, {"one": 0.5})
    assert flags_of(result.to_json()) == result.flags


def test_flags_stored_in_the_old_shape_still_read_in_plain_words() -> None:
    stored = {
        "flags": [
            {"code": "attention_failed", "detail": "chk_attention: asked for 4, answered 5"},
            {"code": "inconsistent_pair", "detail": "chk_pair_x vs lk_judgment_1: 5 vs 1"},
            {"code": "implausibly_fast", "detail": "under 2 s per item on: Situations"},
        ]
    }
    attention, pair, fast = flags_of(stored)
    assert attention == Flag(
        "attention_failed", "A statement that asked for one particular answer got another."
    )
    assert pair.items == () and "chk_" not in pair.detail and "lk_" not in pair.detail
    assert fast.detail == "under 2 s per item on: Situations"  # page titles only
    assert attention.label == "Missed attention check"


def test_evidence_is_in_words_with_capital_option_letters() -> None:
    sjt = score_sjt(ITEMS["s1"], {"most": "b", "least": "d"})  # best a, worst d
    assert sjt.evidence == (
        "Most effective: chose B, the experts' choice is A. "
        "Least effective: chose D, the experts' choice is D."
    )
    reverse = next(i for i in ITEMS.values() if i.type == "likert" and i.reverse)
    evidence = score_likert(reverse, 4).evidence
    assert evidence.startswith("Chose Agree.") and "counts as Disagree" in evidence
    assert "keyed" not in evidence


def test_pages_answered_faster_than_two_seconds_per_item_are_flagged() -> None:
    result = score_answers(DEFINITION, keyed_answers(DEFINITION), {"one": 1.5, "two": 30})
    assert [flag.code for flag in result.flags] == ["implausibly_fast"]
    assert "Situations" in result.flags[0].detail  # named by page title, not key


@given(answer_sets())
def test_one_flag_alone_never_changes_the_recommendation(answers: dict[str, Any]) -> None:
    result = score_answers(DEFINITION, answers)
    unflagged = recommend(DEFINITION, result.overall, ())
    if len(result.flags) <= 1:
        assert result.recommendation == unflagged


def test_two_flags_turn_advance_into_review_but_never_reject() -> None:
    answers = keyed_answers(DEFINITION) | {"c1": 5}
    result = score_answers(DEFINITION, answers, {"one": 0.5})
    assert len(result.flags) == 2
    assert result.overall >= DEFINITION.cut_scores.advance
    assert result.recommendation == "review"


@given(st.floats(0, 100))
def test_recommendations_follow_the_cut_scores(overall: float) -> None:
    expected = "advance" if overall >= 70 else "review" if overall >= 50 else "hold"
    assert recommend(DEFINITION, overall, ()) == expected
