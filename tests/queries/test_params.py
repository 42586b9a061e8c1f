"""Parameters: names, placeholder use, and the type a configured value must have."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sanjianguan.errors import RuleError
from sanjianguan.queries.compile import parse
from sanjianguan.queries.params import check_names, check_placeholders, same_type, type_name


def test_names_must_be_identifiers_and_not_built_ins() -> None:
    check_names(["limit", "max_days_2"], ["period"])
    for bad in ("Limit", "2x", "period"):
        with pytest.raises(ValueError, match="invalid or reserved"):
            check_names([bad], ["period"])


def test_a_query_uses_exactly_its_declared_parameters() -> None:
    tree = parse("SELECT 1 AS one, :limit AS a FROM t WHERE p = :period")
    assert check_placeholders(tree, ["limit"], ["period"], "r.toml", RuleError) == {"limit", "period"}
    with pytest.raises(
        RuleError, match=r"r\.toml: 参数不一致 / parameters: undeclared \['limit'\], unused \[\]"
    ):
        check_placeholders(tree, [], ["period"], "r.toml", RuleError)
    with pytest.raises(RuleError, match=r"undeclared \[\], unused \['days'\]"):
        check_placeholders(tree, ["limit", "days"], ["period"], "r.toml", RuleError)


@pytest.mark.parametrize(
    ("default", "value", "fits"),
    [
        (Decimal("0.5"), 1, True),
        (Decimal("0.5"), Decimal("2"), True),
        (1, Decimal("2"), False),
        (True, 1, False),
        (1, True, False),
        (["a"], ["b", "c"], True),
        (["a"], ["b", 1], False),
        ("x", "y", True),
        ("x", 1, False),
    ],
)
def test_a_value_must_fit_the_type_of_the_default(default: object, value: object, fits: bool) -> None:
    assert same_type(default, value) is fits  # type: ignore[arg-type]


def test_type_names() -> None:
    assert [type_name(d) for d in (True, 1, Decimal(1), ["a"], "s")] == [
        "true/false",
        "integer",
        "number",
        "list of strings",
        "string",
    ]
