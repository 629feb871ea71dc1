"""The scans' postcode and UPN patterns find exactly what the documented patterns find."""

import re

from hypothesis import given
from hypothesis import strategies as st

from iro_analysis import disclosure
from iro_analysis.disclosure import POSTCODE_PATTERN, scan_text_for_identifiers

UPN = re.compile(r"\b[A-Z][0-9]{12}\b")  # as documented for UPNs

# capitals (some of them ones an inward code may not use), digits, word characters that are not
# ASCII letters, and separators: enough of each for postcodes and UPNs to form and to touch
pieces = st.sampled_from(["A", "B", "C", "I", "K", "M", "W", "Z", "S", "1", "2", "0", "9", " ", "_", "é", "ß", "٣",
                          "\n", "-", ".", "a", "x", "SW1A 1AA", "W1 1AB", "A123456789012", "1AA", "M60"])
texts = st.lists(pieces, max_size=25).map("".join)


def spans(pattern, text):
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


@given(texts)
def test_postcode_scan_matches_the_documented_pattern(text):
    assert spans(disclosure._POSTCODE_SCAN, text) == spans(POSTCODE_PATTERN, text)


@given(texts)
def test_upn_scan_matches_the_documented_pattern(text):
    assert spans(disclosure._UPN_SCAN, text) == spans(UPN, text)


def reference_scan(text, identifiers=(), *, check_postcodes=True):
    # scan_text_for_identifiers as it was written with the documented patterns
    text = disclosure._DATA_URI.sub("data:", text)
    text = disclosure._STYLE_BLOCK.sub("", text)
    found = []
    tokens = set(re.findall(r"[A-Za-z0-9_\-]+", text))
    for value in identifiers:
        value = str(value).strip()
        if len(value) >= 4 and value in tokens:
            found.append(value)
    if check_postcodes:
        found.extend(sorted(set(POSTCODE_PATTERN.findall(text))))
        found.extend(sorted(set(UPN.findall(text))))
    return found


@given(texts, st.lists(st.sampled_from(["SW1A", "1AA", "A123456789012", " M60 ", "AB", "x_1", "é9"]), max_size=3),
       st.booleans())
def test_scan_finds_what_the_documented_patterns_find(text, identifiers, check_postcodes):
    assert (scan_text_for_identifiers(text, identifiers, check_postcodes=check_postcodes)
            == reference_scan(text, identifiers, check_postcodes=check_postcodes))


def test_hand_checked_places():
    assert scan_text_for_identifiers("SW1A 1AA") == ["SW1A 1AA"]
    assert scan_text_for_identifiers("at W1 1AB, A123456789012.") == ["W1 1AB", "A123456789012"]
    # a capital after a word character does not start a postcode or UPN, at any position
    assert scan_text_for_identifiers("xSW1A 1AA _A123456789012 éW1 1AB") == []
    assert scan_text_for_identifiers("A123456789012") == ["A123456789012"]  # at the very start
    assert scan_text_for_identifiers("SW1A 1AAB A1234567890123") == []  # run on past the end
    assert scan_text_for_identifiers("ref AB12 more", ["AB12"]) == ["AB12"]
