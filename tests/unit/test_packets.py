"""Interview packets: coverage of weak, inconsistent and strong areas, anchors, quotes, limits."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.definitions import DefinitionError, Problem
from screening.definition import DEFAULT_ASSESSMENT, load_definition
from screening.packets import PURPOSE_ORDER, Packet, build_packet
from screening.question_bank import (
    DEFAULT_QUESTION_BANK,
    load_question_bank,
    parse_question_bank,
)
from screening.scoring import score_answers
from tests.factories import keyed_answers

DEFINITION = load_definition(DEFAULT_ASSESSMENT)
BANK = load_question_bank(DEFAULT_QUESTION_BANK)
ORDER = [dimension.key for dimension in DEFINITION.dimensions]
ITEMS = list(DEFINITION.scored_items())
LIKERT_IDS = [item.id for item in ITEMS if item.type == "likert"]
TEXT_ITEMS = {item.id: item.dimension for item in ITEMS if item.type == "text"}
RECOVERY_STORY = (
    "A customer was upset because the stove we sold did not light. I apologised, "
    "replaced it the same day and called her a week later; she was happy."
)

# A few round values make ties between dimensions likely.
scores = st.one_of(
    st.sampled_from([0.0, 25.0, 50.0, 75.0, 100.0]),
    st.floats(0, 100).map(lambda value: round(value, 1)),
)


def _result(
    dimension_scores: dict[str, float],
    flags: list[dict[str, str]] | None = None,
    overall: float = 60.0,
    item_scores: dict[str, float] | None = None,
) -> dict[str, Any]:
    """A ScoreResult in its stored JSON form, with the real items of each dimension."""
    item_scores = item_scores or {}
    dimensions = [
        {
            "key": d.key,
            "name": d.name,
            "score": dimension_scores[d.key],
            "items": [
                {
                    "item_id": item.id,
                    "kind": item.type,
                    "score": item_scores.get(item.id, dimension_scores[d.key]),
                    "evidence": f"evidence for {item.id}",
                }
                for item in ITEMS
                if item.dimension == d.key
            ],
            "text_matches": [],
        }
        for d in DEFINITION.dimensions
    ]
    return {
        "overall": overall,
        "recommendation": "review",
        "dimensions": dimensions,
        "flags": flags or [],
    }


def _inconsistent(likert_id: str, check_id: str = "chk_pair_x") -> dict[str, Any]:
    return {
        "code": "inconsistent_pair",
        "detail": "“I follow it through”: Strongly agree; “I stay with it”: Strongly disagree.",
        "items": [check_id, likert_id],
        "answers": [1, 5],
        "expected": None,
        "pages": [],
    }


flags = st.one_of(
    st.builds(
        _inconsistent, st.sampled_from(LIKERT_IDS), st.sampled_from(["chk_pair_x", "chk_pair_y"])
    ),
    st.just(
        {
            "code": "attention_failed",
            "detail": "Asked to choose Agree, chose Disagree.",
            "items": ["chk_attention"],
            "answers": [2],
            "expected": 4,
            "pages": [],
        }
    ),
    st.just({"code": "implausibly_fast", "detail": "Less than 2 seconds…", "items": []}),
    # Scores stored before flags carried their items: code and detail only.
    st.just({"code": "attention_failed", "detail": "chk_attention: asked for 4, answered 2"}),
)


@st.composite
def scored_applications(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    result = _result(
        {key: draw(scores) for key in ORDER},
        draw(st.lists(flags, max_size=4)),
        overall=draw(scores),
        item_scores={item.id: draw(scores) for item in ITEMS},
    )
    result["recommendation"] = draw(st.sampled_from(["advance", "review", "hold"]))
    answers = {
        item_id: draw(st.text(max_size=800)) for item_id in TEXT_ITEMS if draw(st.booleans())
    }
    return result, answers


def _weakest_two(result: dict[str, Any]) -> list[str]:
    ranked = sorted(result["dimensions"], key=lambda d: (d["score"], ORDER.index(d["key"])))
    return [d["key"] for d in ranked[:2]]


def _strongest(result: dict[str, Any]) -> str:
    return min(result["dimensions"], key=lambda d: (-d["score"], ORDER.index(d["key"])))["key"]


def _flagged_dimensions(result: dict[str, Any]) -> set[str]:
    keys = set()
    for flag in result["flags"]:
        if flag["code"] == "inconsistent_pair":
            likert_id = flag["items"][1]
            keys.add(DEFINITION.items[likert_id].dimension)
    return keys


@given(scored_applications())
def test_a_packet_has_five_to_eight_distinct_questions(application: Any) -> None:
    packet = build_packet(DEFINITION, BANK, *application)
    ids = [q.id for q in packet.questions]
    assert 5 <= len(ids) <= 8
    assert len(set(ids)) == len(ids)


@given(scored_applications())
def test_the_two_weakest_areas_get_a_behavioural_and_a_situational_question(
    application: Any,
) -> None:
    result, answers = application
    packet = build_packet(DEFINITION, BANK, result, answers)
    for key in _weakest_two(result):
        kinds = {q.kind for q in packet.questions if q.dimension == key}
        assert kinds == {"behavioural", "situational"}
        assert sum(q.purpose == "probe_weak" and q.dimension == key for q in packet.questions) == 2


@given(scored_applications())
def test_the_strongest_area_is_verified_first(application: Any) -> None:
    result, answers = application
    packet = build_packet(DEFINITION, BANK, result, answers)
    opener = packet.questions[0]
    assert opener.purpose == "verify_strong"
    strongest = _strongest(result)
    if strongest not in _weakest_two(result):
        assert opener.dimension == strongest


@given(scored_applications())
def test_every_inconsistent_area_is_asked_about_or_noted(application: Any) -> None:
    result, answers = application
    packet = build_packet(DEFINITION, BANK, result, answers)
    for key in _flagged_dimensions(result):
        mentions = [
            q for q in packet.questions if q.dimension == key and "Inconsistent answers" in q.reason
        ]
        assert len(mentions) == 1


@given(scored_applications())
def test_questions_come_in_purpose_order_with_anchors_at_1_3_and_5(application: Any) -> None:
    packet = build_packet(DEFINITION, BANK, *application)
    purposes = [PURPOSE_ORDER.index(q.purpose) for q in packet.questions]
    assert purposes == sorted(purposes)
    for question in packet.questions:
        assert {1, 3, 5} <= question.anchors.keys() <= {1, 2, 3, 4, 5}
        assert question.probes
        assert len(question.evidence) <= 4


@given(scored_applications())
def test_the_same_application_always_gives_the_same_packet(application: Any) -> None:
    first = build_packet(DEFINITION, BANK, *application)
    second = build_packet(DEFINITION, BANK, *application)
    assert first.to_json() == second.to_json()


@given(scored_applications())
def test_quotes_are_the_candidates_own_words_once_per_area(application: Any) -> None:
    result, answers = application
    packet = build_packet(DEFINITION, BANK, result, answers)
    quoted: set[str] = set()
    for question in packet.questions:
        own_words = [
            text for item_id, text in answers.items() if TEXT_ITEMS[item_id] == question.dimension
        ]
        for quote in question.quotes:
            assert 0 < len(quote) <= 600
            assert any(quote.removesuffix("…") in text for text in own_words)
        if question.quotes:
            assert question.dimension not in quoted
        quoted.add(question.dimension)


@given(scored_applications())
def test_a_packet_survives_a_json_round_trip(application: Any) -> None:
    packet = build_packet(DEFINITION, BANK, *application)
    assert Packet.from_json(json.loads(json.dumps(packet.to_json()))) == packet


def _scores(**overrides: float) -> dict[str, float]:
    return {key: 70.0 for key in ORDER} | overrides


def test_an_inconsistent_judgment_pair_adds_a_judgment_question() -> None:
    result = _result(
        _scores(empathy=20, recovery=30, line_of_sight=95),
        [_inconsistent("lk_judgment_1", "chk_pair_ownership")],
    )
    packet = build_packet(DEFINITION, BANK, result, {})
    judgment = [q for q in packet.questions if q.dimension == "judgment"]
    assert [q.purpose for q in judgment] == ["probe_inconsistent"]
    assert "“I follow it through”: Strongly agree" in judgment[0].reason
    assert "chk_pair_ownership" not in judgment[0].reason
    assert len(packet.questions) == 6


def test_an_inconsistent_pair_on_a_weak_area_annotates_its_first_question() -> None:
    result = _result(_scores(judgment=10, recovery=30), [_inconsistent("lk_judgment_1")])
    packet = build_packet(DEFINITION, BANK, result, {})
    judgment = [q for q in packet.questions if q.dimension == "judgment"]
    assert [q.purpose for q in judgment] == ["probe_weak", "probe_weak"]
    assert judgment[0].reason.startswith("Weakest area: Customer-first judgment")
    assert "Inconsistent answers" in judgment[0].reason
    assert "Inconsistent answers" not in judgment[1].reason
    assert len(packet.questions) == 5


def test_the_weakest_areas_text_answer_is_quoted_on_its_first_question() -> None:
    result = _result(_scores(recovery=38, empathy=40), overall=61)
    packet = build_packet(DEFINITION, BANK, result, {"txt_recovery_story": f"  {RECOVERY_STORY} "})
    recovery = [q for q in packet.questions if q.dimension == "recovery"]
    assert recovery[0].reason == "Weakest area: Service recovery scored 38/100 (overall 61)."
    assert [q.quotes for q in recovery] == [(RECOVERY_STORY,), ()]
    assert all(q.quotes == () for q in packet.questions if q.dimension != "recovery")


def test_a_long_quote_is_trimmed_to_600_characters() -> None:
    result = _result(_scores(recovery=10))
    packet = build_packet(DEFINITION, BANK, result, {"txt_recovery_story": "word " * 300})
    (quote,) = next(q for q in packet.questions if q.dimension == "recovery").quotes
    assert len(quote) <= 600
    assert quote.endswith("…")


def test_low_scoring_items_come_first_in_the_evidence() -> None:
    result = _result(_scores(recovery=40), item_scores={"lk_recovery_4": 0.0})
    packet = build_packet(DEFINITION, BANK, result, {})
    recovery = next(q for q in packet.questions if q.dimension == "recovery")
    wording = DEFINITION.items["lk_recovery_4"].text
    assert recovery.evidence[0] == f"“{wording}” (0/100): evidence for lk_recovery_4"


def test_ties_are_broken_by_the_definitions_dimension_order() -> None:
    packet = build_packet(DEFINITION, BANK, _result(_scores()), {})
    weak = [q.dimension for q in packet.questions if q.purpose == "probe_weak"]
    assert weak == ["empathy", "empathy", "judgment", "judgment"]
    assert packet.questions[0].dimension == "recovery"


def test_the_summary_leaves_the_decision_to_the_panel() -> None:
    result = _result(_scores(), [_inconsistent("lk_voc_1")], overall=64.5)
    summary = build_packet(DEFINITION, BANK, result, {}).summary
    assert "64/100" in summary  # whole points, rounded as the dashboard rounds them
    assert "'review'" in summary
    assert "1 quality flag;" in summary
    assert "panel makes the decision" in summary


def test_a_bank_without_a_dimension_of_the_assessment_is_refused() -> None:
    document = BANK.model_dump()
    del document["dimensions"]["line_of_sight"]
    bank = parse_question_bank(document, "bank.yaml")
    with pytest.raises(DefinitionError, match="no questions for the assessment dimension"):
        build_packet(DEFINITION, bank, _result(_scores()), {})


def test_the_default_bank_covers_every_dimension_of_the_default_assessment() -> None:
    BANK.validate_covers(ORDER)
    assert list(BANK.dimensions) == ORDER
    for key in ORDER:
        kinds = [q.kind for q in BANK.questions(key)]
        assert len(kinds) >= 5
        assert {"behavioural", "situational"} <= set(kinds)


def test_a_duplicate_question_id_names_its_path() -> None:
    document = BANK.model_dump()
    document["dimensions"]["judgment"]["questions"][0]["id"] = "emp_b1"
    with pytest.raises(DefinitionError) as raised:
        parse_question_bank(document, "bank.yaml")
    assert "bank.yaml: " in str(raised.value)
    assert "bank.yaml: dimensions.judgment.questions[0].id: 'emp_b1' is used twice" in str(
        raised.value
    )  # at its own path, not under "(top level)"


def test_a_missing_anchor_3_names_its_path() -> None:
    document = BANK.model_dump()
    del document["dimensions"]["empathy"]["questions"][1]["anchors"][3]
    with pytest.raises(DefinitionError) as raised:
        parse_question_bank(document, "bank.yaml")
    assert raised.value.problems == [
        Problem(
            "dimensions.empathy.questions[1].anchors",
            "anchors 1, 3 and 5 are required (missing 3)",
        )
    ]


def test_a_dimension_with_too_few_questions_is_refused() -> None:
    document = BANK.model_dump()
    del document["dimensions"]["recovery"]["questions"][4:]
    with pytest.raises(DefinitionError, match=r"dimensions\.recovery\.questions: .*at least 5"):
        parse_question_bank(document, "bank.yaml")


def test_the_checksum_follows_the_content() -> None:
    document = BANK.model_dump()
    assert parse_question_bank(document).checksum == BANK.checksum
    document["dimensions"]["empathy"]["questions"][0]["text"] += " Take your time."
    assert parse_question_bank(document).checksum != BANK.checksum


def test_a_packet_from_real_scores_probes_what_the_candidate_got_wrong() -> None:
    answers = keyed_answers(DEFINITION) | {
        "lk_recovery_1": 1,
        "lk_recovery_2": 1,
        "txt_recovery_story": "The customer was angry but it was not my fault, "
        "they should have read the label before buying.",
        "chk_pair_ownership": 1,  # contradicts lk_judgment_1 = 5
    }
    result = score_answers(DEFINITION, answers).to_json()
    packet = build_packet(DEFINITION, BANK, result, answers)

    weak = [q for q in packet.questions if q.purpose == "probe_weak"]
    assert weak[0].dimension == "recovery"
    assert weak[0].quotes == (answers["txt_recovery_story"],)
    assert any("Blames others" in line for line in weak[0].evidence)
    judgment = [q for q in packet.questions if q.dimension == "judgment"]
    statement = DEFINITION.items["lk_judgment_1"].text
    assert any(f"“{statement}”: Strongly agree" in q.reason for q in judgment)
    assert "1 quality flag" in packet.summary
    everything = " ".join(
        " ".join([q.reason, *q.evidence]) for q in packet.questions
    )  # the panel never sees the YAML's ids or scoring jargon
    assert not any(item_id in everything for item_id in DEFINITION.items)
    assert "keyed" not in everything and "key's" not in everything


def test_a_score_stored_before_flags_carried_their_items_still_builds_a_packet() -> None:
    old_flag = {
        "code": "inconsistent_pair",
        "detail": "chk_pair_ownership vs lk_judgment_1: 5 vs 1",
    }
    result = _result(_scores(empathy=20, recovery=30), [old_flag])
    packet = build_packet(DEFINITION, BANK, result, {})
    assert 5 <= len(packet.questions) <= 8
    assert "1 quality flag" in packet.summary
    # Its detail named ids: it is not read back, so no question quotes it.
    assert all("chk_pair_ownership" not in q.reason for q in packet.questions)
