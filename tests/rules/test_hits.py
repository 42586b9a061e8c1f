"""Canonical hits: stable ids, evidence JSON independent of the engine's decimal scales."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sanjianguan.rules.hits import _sort_key, canonical, hit_id


def test_hit_id_depends_on_rule_and_key_only() -> None:
    assert hit_id("C01", "E1|X|2025-03-02") == hit_id("C01", "E1|X|2025-03-02")
    assert hit_id("C01", "E1|X|2025-03-02") != hit_id("C03", "E1|X|2025-03-02")
    assert len(hit_id("C01", "k")) == 32


def test_numbers_of_any_scale_are_one_string() -> None:
    assert canonical(Decimal("12.5000")) == canonical(Decimal("12.50000000")) == canonical(12.5) == "12.5"
    assert canonical(Decimal("100.0000")) == canonical(100) == "100"
    assert canonical(Decimal("-0.00001")) == "0"


def test_lists_sorted_and_dates_iso() -> None:
    assert canonical(["L2", "L10", None]) == [None, "L10", "L2"]
    assert canonical([Decimal("2.0"), 10]) == ["2", "10"]
    assert canonical(dt.date(2025, 3, 1)) == "2025-03-01"
    assert canonical(dt.datetime(2025, 3, 1, 8, 0)) == "2025-03-01 08:00:00"


# What the store's columns hold: BIGINT and DECIMAL(18,4).
_BIGINTS = st.integers(min_value=-(2**63), max_value=2**63 - 1)
_DECIMALS = st.decimals(
    min_value=-(10**14), max_value=10**14, places=4, allow_nan=False, allow_infinity=False
)


@given(
    st.one_of(
        st.lists(st.text(max_size=6), max_size=30),
        st.lists(_BIGINTS, max_size=30),
        st.lists(st.one_of(st.none(), _BIGINTS, st.text(max_size=3), _DECIMALS), max_size=10),
    )
)
def test_a_list_of_one_kind_is_canonical_as_item_by_item(items: list[Any]) -> None:
    # The fast path for lists of strings or integers agrees with the general one.
    general = [canonical(v) for v in sorted(items, key=_sort_key)]
    assert canonical(items) == general
    assert canonical(tuple(items)) == general
