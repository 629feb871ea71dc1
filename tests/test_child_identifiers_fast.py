"""The identifier column fast path (every value text, each distinct one stripped once) equals the general one."""

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from iro_analysis.report import _column_identifiers, child_identifiers


def general(column: pd.Series) -> set[str]:
    return set(column.dropna().astype(str).str.strip())


texts = st.text(alphabet=st.sampled_from(list("AB12 \t\n\u00a0\u2003x_/")), max_size=6)
values = st.one_of(texts, st.none(), st.just(np.nan), st.integers(-5, 50), st.floats(allow_nan=True, width=32),
                   st.just(pd.NA), st.booleans())


@given(st.lists(texts, max_size=30))
def test_text_columns_take_the_fast_path_and_agree(items):
    column = pd.Series(items, dtype=object)
    assert _column_identifiers(column) == general(column)


@given(st.lists(values, max_size=30))
def test_mixed_columns_agree(items):
    column = pd.Series(items, dtype=object)
    assert _column_identifiers(column) == general(column)


def test_hand_checked_values():
    column = pd.Series([" A1", "A1 ", "A1", None, "B2\t", np.nan, "", "  "], dtype=object)
    assert _column_identifiers(column) == {"A1", "B2", ""}
    # equal under == but not the same text: 1 and 1.0 and True stay apart, as astype(str) has them
    mixed = pd.Series([1, 1.0, True, "1"], dtype=object)
    assert _column_identifiers(mixed) == general(mixed) == {"1", "1.0", "True"}
    assert _column_identifiers(pd.Series([12345, 678], dtype="int64")) == {"12345", "678"}
    assert _column_identifiers(pd.Series([" C3", None], dtype="string")) == {"C3"}
    assert _column_identifiers(pd.Series([" D4", "D4", None], dtype="category")) == {"D4"}


def test_a_return_lists_each_identifier_once_sorted():
    from types import SimpleNamespace

    duck = SimpleNamespace(header=pd.DataFrame({"CHILD": [" X1", "X2"], "UPN": ["A123456789012", None]}),
                           episodes=pd.DataFrame({"CHILD": ["X1", "X1 ", "X3"]}))
    assert child_identifiers(duck) == ["A123456789012", "X1", "X2", "X3"]
