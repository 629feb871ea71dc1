"""IdentifierGuard reads a text once (identifiers indexed by their first run of letters and
digits) and finds exactly what one bounded regular expression per identifier finds."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from iro_analysis.disclosure import IdentifierGuard

# letters, digits, separators, an underscore and a non-ASCII letter (neither counts as a letter
# or digit at an identifier's edge), so identifiers meet every kind of neighbour
ALPHABET = "AB12/- ._é"


def _one_regex_per_identifier(guard: IdentifierGuard, text: str) -> list[str]:
    """The guard's previous search: every non-numeric identifier, one regular expression each."""
    return [v for v in guard.textual
            if v in text and re.search(f"(?<![A-Za-z0-9]){re.escape(v)}(?![A-Za-z0-9])", text)]


@settings(max_examples=300)
@given(st.lists(st.text(ALPHABET, min_size=1, max_size=6), max_size=12), st.text(ALPHABET, max_size=60))
def test_in_text_finds_what_one_regex_per_identifier_finds(identifiers, text):
    guard = IdentifierGuard(identifiers)
    assert guard.in_text(text) == _one_regex_per_identifier(guard, text)


@settings(max_examples=100)
@given(st.lists(st.text(ALPHABET, min_size=1, max_size=6), min_size=1, max_size=12), st.data())
def test_an_identifier_written_between_separators_is_always_found(identifiers, data):
    guard = IdentifierGuard(identifiers)
    if not guard.textual:
        return
    value = data.draw(st.sampled_from(guard.textual))
    text = data.draw(st.text(ALPHABET, max_size=10)) + " " + value + " " + data.draw(st.text(ALPHABET, max_size=10))
    assert value in guard.in_text(text)


def test_hand_worked_cases():
    guard = IdentifierGuard(["AB/12345", "X9", "-7Q", "2023"])
    # "AB/12345" stands between a space and a full stop; "X9" only inside "X99" (not bounded);
    # "-7Q" begins with a separator (found by its own search); "2023" is all digits: not in text
    assert guard.in_text("code AB/12345. X99 and -7Q in 2023") == ["AB/12345", "-7Q"]
    assert guard.in_text("AB/123456") == []  # a longer number is another identifier
    assert guard.in_text("ZAB/12345") == []  # so is a longer code
    assert guard.in_text("X9") == ["X9"]     # the whole text


@settings(max_examples=300)
@given(st.lists(st.text("AB12", min_size=3, max_size=8).filter(lambda v: not v.isdigit()), min_size=1, max_size=6),
       st.lists(st.text(ALPHABET, max_size=9), max_size=12))
def test_long_identifiers_among_short_runs_are_found(identifiers, pieces):
    # every head at least three characters long: runs shorter than the shortest are not listed
    guard = IdentifierGuard(identifiers)
    text = " ".join(pieces + identifiers[:1] + pieces)
    assert guard.in_text(text) == _one_regex_per_identifier(guard, text)
    assert identifiers[0] in guard.in_text(text)


def test_runs_shorter_than_every_identifier_are_not_listed_but_longer_ones_are():
    guard = IdentifierGuard(["ABC123", "XYZ98765"])
    assert guard._long_runs.findall("1 22 ABC12 ABC123 ABC1234 x") == ["ABC123", "ABC1234"]
    assert guard.in_text("1 22 ABC12 ABC123, ABC1234 XYZ98765") == ["XYZ98765", "ABC123"]
    assert IdentifierGuard(["A", "BC"])._long_runs.findall("A B") == ["A", "B"]
