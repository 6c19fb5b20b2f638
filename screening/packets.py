"""Structured-interview packets: which bank questions to ask a scored candidate, and why.

A pure function of the definition, the question bank, the stored score result and the
candidate's answers. Questions aim at the two weakest dimensions and at inconsistent answers,
one verifies the strongest dimension, and every question keeps its fixed probes and 1-5 anchors
so each interviewer rates every answer on the same scale. The packet advises the panel; it
never decides anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Literal

from pydantic import TypeAdapter

from screening.definition import AssessmentDefinition, CheckItem, TextItem
from screening.question_bank import InterviewQuestion, QuestionBank
from screening.scoring import Flag, flags_of

Purpose = Literal["probe_weak", "probe_inconsistent", "verify_strong", "broaden"]
# Output order: a comfortable opener first, then the hard questions, then the extras.
PURPOSE_ORDER: tuple[Purpose, ...] = (
    "verify_strong",
    "probe_weak",
    "probe_inconsistent",
    "broaden",
)
WEAKEST_COUNT = 2
MIN_QUESTIONS, MAX_QUESTIONS = 5, 8
MAX_EVIDENCE = 4
MAX_QUOTE_CHARS = 600


@dataclass(frozen=True)
class PacketQuestion:
    id: str
    dimension: str
    dimension_name: str
    purpose: Purpose
    kind: str
    text: str
    probes: tuple[str, ...]
    anchors: dict[int, str]
    strong_answer: str
    weak_answer: str
    reason: str
    evidence: tuple[str, ...] = ()
    quotes: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PacketQuestion:
        # JSON turns tuples into lists and int keys into strings; undo both.
        return cls(
            **{
                **data,
                "probes": tuple(data["probes"]),
                "anchors": {int(level): text for level, text in data["anchors"].items()},
                "evidence": tuple(data.get("evidence", ())),
                "quotes": tuple(data.get("quotes", ())),
            }
        )


@dataclass(frozen=True)
class Packet:
    questions: tuple[PacketQuestion, ...]
    summary: str

    def to_json(self) -> dict[str, Any]:
        """As stored (JSON types: lists, string keys). pydantic's serializer, not
        ``dataclasses.asdict``: a tenth of the time, and asdict's deep copy was a fifth of a
        worker's time screening a batch."""
        return _packet_json().dump_python(self, mode="json")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Packet:
        return cls(
            questions=tuple(PacketQuestion.from_json(q) for q in data["questions"]),
            summary=data["summary"],
        )


@dataclass(frozen=True)
class _Area:
    """One dimension of the score result, as the packet needs it."""

    key: str
    name: str
    score: float
    scored: Mapping[str, Any]  # the dimension's entry in the score result


def build_packet(
    definition: AssessmentDefinition,
    bank: QuestionBank,
    result: Mapping[str, Any],
    answers: Mapping[str, Any],
) -> Packet:
    areas = _ranked_areas(definition, result)
    bank.validate_covers(area.key for area in areas)
    overall = float(result["overall"])
    used: set[str] = set()

    weak = _probe_weakest(areas, bank, used, overall)
    core = weak + _verify_strongest(areas, weak, bank, used, overall)
    flagged = _inconsistent_dimensions(definition, flags_of(result))
    core, inconsistent = _probe_inconsistent(flagged, areas, core, bank, used)
    broaden = _broaden(areas, core + inconsistent, bank, used, overall)
    inconsistent, broaden = _trim(core, inconsistent, broaden)

    ordered = _in_purpose_order([*core, *inconsistent, *broaden])
    return Packet(
        questions=_with_evidence_and_quotes(ordered, definition, areas, answers),
        summary=_summary(result),
    )


# -- choosing questions ------------------------------------------------------------------------


def _ranked_areas(definition: AssessmentDefinition, result: Mapping[str, Any]) -> list[_Area]:
    """Weakest first; ties go to the dimension listed first in the definition."""
    order = {key: index for index, key in enumerate(definition.dimensions_by_key)}
    areas = [
        _Area(d["key"], d.get("name") or d["key"], float(d["score"]), d)
        for d in result["dimensions"]
    ]
    return sorted(areas, key=lambda area: (area.score, order.get(area.key, len(order))))


def _probe_weakest(
    areas: Sequence[_Area], bank: QuestionBank, used: set[str], overall: float
) -> list[PacketQuestion]:
    """Two questions on each of the two weakest areas: a behavioural and a situational one."""
    picked: list[PacketQuestion] = []
    for rank, area in enumerate(areas[:WEAKEST_COUNT]):
        label = "Weakest area" if rank == 0 else "Second-weakest area"
        reason = (
            f"{label}: {area.name} scored {_points(area.score)}/100 (overall {_points(overall)})."
        )
        for question in _weak_pair(bank.questions(area.key), used):
            picked.append(_packet_question(question, area, "probe_weak", reason))
    return picked


def _weak_pair(questions: Sequence[InterviewQuestion], used: set[str]) -> list[InterviewQuestion]:
    behavioural = _first_unused(questions, used, "behavioural")
    situational = _first_unused(questions, used, "situational")
    pair = [q for q in (behavioural, situational) if q is not None]
    while len(pair) < 2:  # the bank lacks one kind: fall back to bank order
        extra = _first_unused(questions, used | {q.id for q in pair})
        if extra is None:
            break
        pair.append(extra)
    used.update(q.id for q in pair)
    return sorted(pair, key=questions.index)


def _verify_strongest(
    areas: Sequence[_Area],
    chosen: Sequence[PacketQuestion],
    bank: QuestionBank,
    used: set[str],
    overall: float,
) -> list[PacketQuestion]:
    """One question checking that the best-scoring area holds up in a concrete example."""
    taken = {q.dimension for q in chosen}
    candidates = [area for area in areas if area.key not in taken]
    if not candidates:
        return []
    # areas are weakest first with ties in definition order; keep that tie-break for the top.
    strongest = max(candidates, key=lambda area: area.score)
    question = _take(bank.questions(strongest.key), used)
    if question is None:
        return []
    reason = (
        f"Strongest area: {strongest.name} scored {_points(strongest.score)}/100 "
        f"(overall {_points(overall)}); check that a concrete example backs it up."
    )
    return [_packet_question(question, strongest, "verify_strong", reason)]


def _inconsistent_dimensions(
    definition: AssessmentDefinition, flags: Iterable[Flag]
) -> dict[str, list[str]]:
    """Dimension key -> details of the inconsistent_pair flags that concern it (by the items
    each flag carries; flags stored before they carried items concern no dimension)."""
    found: dict[str, list[str]] = {}
    for flag in flags:
        if flag.code != "inconsistent_pair":
            continue
        for item_id in flag.items:
            key = _item_dimension(definition, item_id)
            if key is not None and flag.detail not in found.setdefault(key, []):
                found[key].append(flag.detail)
    return found


def _item_dimension(definition: AssessmentDefinition, item_id: str) -> str | None:
    item = definition.items.get(item_id)
    if isinstance(item, CheckItem):
        # A mirrored check belongs to the dimension of the statement it mirrors.
        return _item_dimension(definition, item.mirrors) if item.mirrors else None
    return item.dimension if item is not None else None


def _probe_inconsistent(
    details_by_dimension: Mapping[str, list[str]],
    areas: Sequence[_Area],
    chosen: Sequence[PacketQuestion],
    bank: QuestionBank,
    used: set[str],
) -> tuple[list[PacketQuestion], list[PacketQuestion]]:
    """A question per inconsistent area; an area already asked about gets a note instead.

    Returns the chosen questions (notes appended) and the new questions.
    """
    annotated, added = list(chosen), []
    for area in areas:
        details = details_by_dimension.get(area.key)
        if not details:
            continue
        note = (
            f"Inconsistent answers in {area.name}: two statements meaning the same thing were "
            f"answered far apart ({' '.join(details)})"
        )
        first = next((i for i, q in enumerate(annotated) if q.dimension == area.key), None)
        if first is not None:
            earlier = annotated[first]
            annotated[first] = replace(earlier, reason=f"{earlier.reason} {note}")
        elif (question := _take(bank.questions(area.key), used)) is not None:
            reason = f"{note} It scored {_points(area.score)}/100."
            added.append(_packet_question(question, area, "probe_inconsistent", reason))
    return annotated, added


def _broaden(
    areas: Sequence[_Area],
    chosen: Sequence[PacketQuestion],
    bank: QuestionBank,
    used: set[str],
    overall: float,
) -> list[PacketQuestion]:
    """Top up to MIN_QUESTIONS, one question each from the next-weakest areas not yet asked."""
    taken = {q.dimension for q in chosen}
    fresh = [area for area in areas if area.key not in taken]
    # Assessments with few dimensions run out of fresh areas: then go round all of them again.
    candidates = fresh + list(areas) * MIN_QUESTIONS
    added: list[PacketQuestion] = []
    for area in candidates:
        if len(chosen) + len(added) >= MIN_QUESTIONS:
            break
        question = _take(bank.questions(area.key), used)
        if question is not None:
            reason = (
                f"Broadens the picture: {area.name} scored {_points(area.score)}/100 "
                f"(overall {_points(overall)})."
            )
            added.append(_packet_question(question, area, "broaden", reason))
    return added


def _trim(
    core: Sequence[PacketQuestion],
    inconsistent: list[PacketQuestion],
    broaden: list[PacketQuestion],
) -> tuple[list[PacketQuestion], list[PacketQuestion]]:
    """At most MAX_QUESTIONS: broaden gives way first, then inconsistent; the core never does."""
    room = max(0, MAX_QUESTIONS - len(core))
    inconsistent = inconsistent[:room]
    return inconsistent, broaden[: room - len(inconsistent)]


def _in_purpose_order(questions: Sequence[PacketQuestion]) -> list[PacketQuestion]:
    # sorted() is stable, so questions keep their choice order within a purpose.
    return sorted(questions, key=lambda q: PURPOSE_ORDER.index(q.purpose))


def _first_unused(
    questions: Sequence[InterviewQuestion], used: set[str], kind: str | None = None
) -> InterviewQuestion | None:
    return next(
        (q for q in questions if q.id not in used and (kind is None or q.kind == kind)), None
    )


def _take(questions: Sequence[InterviewQuestion], used: set[str]) -> InterviewQuestion | None:
    question = _first_unused(questions, used)
    if question is not None:
        used.add(question.id)
    return question


def _packet_question(
    question: InterviewQuestion, area: _Area, purpose: Purpose, reason: str
) -> PacketQuestion:
    return PacketQuestion(
        id=question.id,
        dimension=area.key,
        dimension_name=area.name,
        purpose=purpose,
        kind=question.kind,
        text=question.text,
        probes=tuple(question.probes),
        anchors=dict(question.anchors),
        strong_answer=question.strong_answer,
        weak_answer=question.weak_answer,
        reason=reason,
    )


# -- evidence, quotes and summary --------------------------------------------------------------


def _with_evidence_and_quotes(
    questions: Sequence[PacketQuestion],
    definition: AssessmentDefinition,
    areas: Sequence[_Area],
    answers: Mapping[str, Any],
) -> tuple[PacketQuestion, ...]:
    by_key = {area.key: area for area in areas}
    quoted: set[str] = set()
    finished = []
    for question in questions:
        quotes = (
            () if question.dimension in quoted else _quotes(definition, question.dimension, answers)
        )
        quoted.add(question.dimension)
        evidence = _evidence(by_key[question.dimension].scored, definition)
        finished.append(replace(question, evidence=evidence, quotes=quotes))
    return tuple(finished)


def _evidence(dimension: Mapping[str, Any], definition: AssessmentDefinition) -> tuple[str, ...]:
    """Most telling first: negative rubric matches (blame), low-scoring items, positive matches.

    Items are named by their wording, not their ids: the panel never sees the YAML."""
    matches = list(dimension.get("text_matches", ()))
    negative = [m for m in matches if m["points"] < 0]
    positive = [m for m in matches if m["points"] >= 0]
    items = sorted(dimension.get("items", ()), key=lambda item: float(item["score"]))
    entries = [
        *(_match_line(m) for m in negative),
        *(
            f"“{_item_wording(definition, i['item_id'])}” ({_points(float(i['score']))}/100): "
            f"{i['evidence']}"
            for i in items
        ),
        *(_match_line(m) for m in positive),
    ]
    return tuple(entries[:MAX_EVIDENCE])


def _item_wording(definition: AssessmentDefinition, item_id: str) -> str:
    item = definition.items.get(item_id)
    wording = getattr(item, "text", None) or getattr(item, "prompt", None) or item_id
    return _shorten(wording, 90)


def _match_line(match: Mapping[str, Any]) -> str:
    return f"{match['label']} ({int(match['points']):+d}): {match['snippet']}"


def _quotes(
    definition: AssessmentDefinition, dimension_key: str, answers: Mapping[str, Any]
) -> tuple[str, ...]:
    """The candidate's own words for the dimension's text items, so the panel can refer to them."""
    quotes = []
    for item in definition.scored_items():
        answer = answers.get(item.id)
        if (
            isinstance(item, TextItem)
            and item.dimension == dimension_key
            and isinstance(answer, str)
        ):
            text = answer.strip()
            if text:
                quotes.append(_shorten(text, MAX_QUOTE_CHARS))
    return tuple(quotes)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _summary(result: Mapping[str, Any]) -> str:
    flags = len(result.get("flags", ()))
    flag_text = "no quality flags" if flags == 0 else f"{flags} quality flag" + ("s" * (flags != 1))
    return (
        f"Overall score {_points(float(result['overall']))}/100 with the recommendation "
        f"'{result['recommendation']}' and {flag_text}; this is only a recommendation, "
        "and the interview panel makes the decision."
    )


def _points(value: float) -> str:
    """Whole points, as the dashboard shows them: one number per score everywhere."""
    return f"{value:.0f}"


def without_candidate_words(content: Mapping[str, Any]) -> dict[str, Any]:
    """A stored packet with everything the candidate wrote removed (erasure): their quotes, and
    evidence lines citing their text. Item evidence lines quote the assessment's own wording
    and start with “ (see _evidence); rubric-match lines carry the candidate's words."""
    questions = [
        {
            **question,
            "quotes": [],
            "evidence": [e for e in question.get("evidence", ()) if e.startswith("“")],
        }
        for question in content["questions"]
    ]
    return {**content, "questions": questions}


@cache
def _packet_json() -> TypeAdapter[Packet]:
    return TypeAdapter(Packet)
