"""Scrubbing staff text of a candidate's name and words (pure: no database)."""

from __future__ import annotations

import re

from hypothesis import assume, given
from hypothesis import strategies as st

from screening.redaction import REMOVED, Redactor, name_terms

ANSWER = (
    "A customer was upset that her order was late. I apologised, I called the courier and "
    "arranged a replacement for the next day, and she thanked us afterwards."
)


def redactor(name: str = "Ada Lovelace", answers: tuple[str, ...] = (ANSWER,)) -> Redactor:
    return Redactor.for_candidate(name, "ada.l@example.com", answers)


def test_the_full_name_and_each_part_go_as_whole_words_whatever_the_case() -> None:
    result = redactor().scrub(
        "Ada Lovelace impressed us. LOVELACE knew Ada's customers; Adams did not."
    )
    assert result.text == (
        f"{REMOVED} impressed us. {REMOVED} knew {REMOVED}'s customers; Adams did not."
    )
    assert result.removed == 3 and not result.uncertain


def test_name_parts_need_two_letters_and_hyphenated_names_split() -> None:
    assert name_terms("  J.  Mary-Jane   O'Neil ") == [
        "J. Mary-Jane O'Neil",
        "Mary-Jane",
        "O'Neil",
        "Jane",
        "Mary",
    ]
    assert redactor("J. Mary-Jane O’Neil").scrub("Jane and O'Neil, J. and I").text == (
        f"{REMOVED} and {REMOVED}, J. and I"
    )


def test_the_email_address_goes() -> None:
    assert redactor().scrub("wrote to ADA.L@example.com today").text == f"wrote to {REMOVED} today"


def test_quotations_of_three_words_or_more_go_in_every_kind_of_quotes() -> None:
    text = (
        "She said \"we always fix it\", “I own the problem”, 'customers come first' and "
        "‘that is my job’ but also \"fair enough\" and don't know the candidates' views."
    )
    assert redactor("Zed Quux", ()).scrub(text).text == (
        f'She said {REMOVED}, {REMOVED}, {REMOVED} and {REMOVED} but also "fair enough" and '
        "don't know the candidates' views."
    )


def test_a_verbatim_fragment_of_five_words_goes_but_four_stay() -> None:
    scrub = redactor("Zed Quux").scrub
    assert scrub("Told us I CALLED the courier, and arranged it.").text == (
        f"Told us {REMOVED} it."
    )
    assert scrub("She called the courier and left.").text == "She called the courier and left."


def test_a_name_that_is_an_everyday_word_is_removed_and_marked_uncertain() -> None:
    result = redactor("Hope Quux", ()).scrub("Hope was great and I hope we hire her.")
    assert result.text == f"{REMOVED} was great and I {REMOVED} we hire her."
    assert result.uncertain


def test_a_name_found_in_lower_case_is_marked_uncertain() -> None:
    assert redactor("Ada Candidate", ()).scrub("The candidate was calm.").uncertain
    assert not redactor("Ada Candidate", ()).scrub("Candidate Ada was calm.").uncertain


def test_an_unpaired_quotation_mark_is_marked_uncertain() -> None:
    result = redactor("Zed Quux", ()).scrub('She said "we always fix things for people')
    assert result.uncertain and not result.changed


def test_text_without_the_candidate_is_left_alone() -> None:
    result = redactor().scrub("Strong on recovery; probe collaboration next time.")
    assert result == type(result)("Strong on recovery; probe collaboration next time.", 0, False)


NAME_PART = st.text(alphabet=st.characters(categories=("Lu", "Ll")), min_size=2, max_size=8)
FILLER = st.text(alphabet=st.sampled_from(list("abc XYZ.,;:!?'\"“”-\n")), max_size=30)


@given(first=NAME_PART, last=NAME_PART, fillers=st.lists(FILLER, min_size=1, max_size=6))
def test_no_part_of_the_name_survives_as_a_word(first: str, last: str, fillers: list[str]) -> None:
    assume("removed" not in (first.lower(), last.lower()))
    name = f"{first} {last}"
    text = name.join(fillers) + f" {last.upper()} {first.lower()}"
    scrubbed = Redactor.for_candidate(name, "", ()).scrub(text).text
    for part in (first, last):
        assert not re.search(rf"(?<!\w){re.escape(part)}(?!\w)", scrubbed, re.IGNORECASE), scrubbed
