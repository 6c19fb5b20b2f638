"""Scrubbing what staff wrote about a candidate when the candidate's data is erased.

Pure text work, no database: :class:`Redactor` is built from one candidate's name, email and
written answers, and replaces in a decision reason or scorecard note

- the name: the full name and each part of it with two letters or more, as whole words,
  whatever the case (and the email address);
- quotations of three words or more, in double or single quotes, straight or curly;
- any verbatim fragment of five words or more from the candidate's written answers

with ``[removed]``. Privacy comes first: a name that is also an everyday word ("Hope",
"Will") is removed wherever it appears, even where it meant the word. The result then says it
is *uncertain*, so a person can read the text again; it is uncertain too when a quotation mark
is left unpaired (a quotation we could not delimit may remain).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

REMOVED = "[removed]"
FRAGMENT_WORDS = 5
QUOTE_WORDS = 3

# Names that are also everyday English words: removing them may remove the word too.
COMMON_WORDS = frozenset(
    """
    amber angel april art august autumn baker banks bell best bill bird black bond brook
    brown bright buck bush carter case cash chance chase cook cooper crystal daisy dawn day
    dean drew early east faith fields fisher fox frank free gene glen gold grace grant
    gray green grey guy hall hart heather hill holly hope hunter iris ivy jack jay jean
    jewel joy june king lamb lane law little long love lucky major mark marsh mason may
    miles miller mill moody moon noble north park pat payne pearl penny pierce poor porter
    price rich river rob robin rose ruby rush sandy savage sharp short sky small snow south
    stone story strong summer sunny swift taylor true turner violet wade walker ward west
    white will winter wolf wood woods young
    """.split()  # noqa: SIM905 - a word list reads better as words
)

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_QUOTED = re.compile(
    r'"[^"]+"'
    r"|“[^”]+”"
    # A single quote opens only after a non-letter and closes only before one, so the
    # apostrophes in "don't" or "the candidates' answers" are not taken for quotation marks.
    r"|(?<!\w)'(?=\S)[^\n]+?(?<=\S)'(?!\w)"
    r"|(?<!\w)‘(?=\S)[^\n]+?(?<=\S)’(?!\w)"
)
_APOSTROPHE = re.compile(r"['’]")


@dataclass(frozen=True)
class Scrubbed:
    text: str
    removed: int  # how many passages were replaced
    uncertain: bool  # a person should read it again

    @property
    def changed(self) -> bool:
        return self.removed > 0


def _words(text: str) -> list[tuple[str, int, int]]:
    return [
        (_APOSTROPHE.sub("'", m.group().lower()), m.start(), m.end()) for m in _WORD.finditer(text)
    ]


def name_terms(name: str) -> list[str]:
    """The full name and its parts of two letters or more, longest first."""
    full = " ".join(name.split())
    parts = {full} if sum(c.isalpha() for c in full) >= 2 else set()
    for token in full.split(" "):
        for part in (token, *re.split(r"[-‐]", token)):
            part = part.strip(".,;:'’\"()")
            if sum(c.isalpha() for c in part) >= 2:
                parts.add(part)
    return sorted(parts, key=lambda p: (-len(p), p))


def _term_pattern(term: str) -> str:
    pieces = []
    for char in term:
        if char.isspace():
            pieces.append(r"\s+")
        elif char in "'’":
            pieces.append("['’]")
        else:
            pieces.append(re.escape(char))
    return r"(?<!\w)" + "".join(pieces) + r"(?!\w)"


@dataclass(frozen=True)
class Redactor:
    """What to look for in staff text about one candidate."""

    names: re.Pattern[str] | None
    name_is_lowercase: bool
    email: re.Pattern[str] | None
    fragments: frozenset[tuple[str, ...]]

    @classmethod
    def for_candidate(cls, name: str, email: str, answers: Iterable[str]) -> Redactor:
        terms = name_terms(name)
        names = re.compile("|".join(map(_term_pattern, terms)), re.IGNORECASE) if terms else None
        email = email.strip()
        grams: set[tuple[str, ...]] = set()
        for answer in answers:
            words = [word for word, _, _ in _words(answer)]
            grams.update(
                tuple(words[i : i + FRAGMENT_WORDS]) for i in range(len(words) - FRAGMENT_WORDS + 1)
            )
        return cls(
            names=names,
            name_is_lowercase=name == name.lower(),
            email=re.compile(_term_pattern(email), re.IGNORECASE) if email else None,
            fragments=frozenset(grams),
        )

    def scrub(self, text: str) -> Scrubbed:
        spans: list[tuple[int, int]] = []
        uncertain = text.count('"') % 2 == 1 or text.count("“") != text.count("”")
        for quoted in _QUOTED.finditer(text):
            if len(_WORD.findall(quoted.group())) >= QUOTE_WORDS:
                spans.append(quoted.span())
        spans.extend(self._fragments_in(text))
        if self.email is not None:
            spans.extend(m.span() for m in self.email.finditer(text))
        if self.names is not None:
            for match in self.names.finditer(text):
                start, end = match.span()
                if any(s <= start and end <= e for s, e in spans):
                    continue  # inside a quotation or an email address already removed
                spans.append((start, end))
                found = match.group()
                if found.lower() in COMMON_WORDS or (
                    found == found.lower() and not self.name_is_lowercase
                ):
                    uncertain = True  # perhaps the word, not the name: read it again
        merged = _merge(spans)
        pieces, at = [], 0
        for start, end in merged:
            pieces += [text[at:start], REMOVED]
            at = end
        pieces.append(text[at:])
        return Scrubbed("".join(pieces), len(merged), uncertain)

    def _fragments_in(self, text: str) -> list[tuple[int, int]]:
        if not self.fragments:
            return []
        words = _words(text)
        spans = []
        for i in range(len(words) - FRAGMENT_WORDS + 1):
            window = words[i : i + FRAGMENT_WORDS]
            if tuple(word for word, _, _ in window) in self.fragments:
                spans.append((window[0][1], window[-1][2]))
        return spans


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
