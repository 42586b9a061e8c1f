"""Golden files of the compiled Spark SQL: every rule, shared view and indicator, without Java.

The DuckDB tests run the queries as DuckDB reads them; what Spark receives is sqlglot's
translation, which only the (slow, Java) Spark tests execute. These files pin that
translation: each rule, view and indicator compiled for Spark with its default
parameters and the period 2025-03 must equal `tests/fixtures/golden/spark/<kind>/<id>.sql`.
`SJG_UPDATE_GOLDEN=1` rewrites the files; the diff is then reviewed by hand.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest

from sanjianguan.indicators.compute import indicator_sql
from sanjianguan.indicators.compute import view_sql as indicator_view_sql
from sanjianguan.indicators.registry import builtin_indicators
from sanjianguan.indicators.scope import month
from sanjianguan.rules.registry import load_catalogue
from sanjianguan.rules.runner import rule_sql
from sanjianguan.rules.runner import view_sql as rule_view_sql

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden" / "spark"
PERIOD = "2025-03"
DIALECT = "spark"
UPDATE = os.environ.get("SJG_UPDATE_GOLDEN") == "1"
# Suffix of a view the indicators create differently (a range of months, not one).
RANGE_SUFFIX = ".range"


@cache
def compiled() -> dict[str, str]:
    """Relative golden path → the Spark SQL compiled now."""
    out: dict[str, str] = {}
    for configured in load_catalogue(None):
        out[f"rules/{configured.rule.id}.sql"] = rule_sql(configured, PERIOD, DIALECT)
    rule_views = dict(rule_view_sql(PERIOD, DIALECT))
    for name, sql in rule_views.items():
        out[f"views/{name}.sql"] = sql
    scope = month(PERIOD)
    for name, sql in indicator_view_sql(scope, DIALECT):
        if rule_views.get(name) != sql:
            out[f"views/{name}{RANGE_SUFFIX if name in rule_views else ''}.sql"] = sql
    for indicator in builtin_indicators():
        out[f"indicators/{indicator.id}.sql"] = indicator_sql(indicator, scope, indicator.defaults(), DIALECT)
    return out


def on_disk() -> set[str]:
    return {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.glob("*/*.sql")}


@pytest.mark.parametrize("name", sorted(compiled()))
def test_compiled_spark_sql_matches_its_golden_file(name: str) -> None:
    path = GOLDEN / name
    text = compiled()[name] + "\n"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{name}: no golden file; run with SJG_UPDATE_GOLDEN=1 and review it by hand"
    assert path.read_text(encoding="utf-8") == text, (
        f"{name}: the compiled Spark SQL changed; run with SJG_UPDATE_GOLDEN=1 and review the diff by hand"
    )


def test_no_golden_file_without_its_query() -> None:
    orphans = on_disk() - set(compiled())
    if UPDATE:
        for name in orphans:
            (GOLDEN / name).unlink()
        orphans = on_disk() - set(compiled())
    assert not orphans, f"golden files of queries that no longer exist: {sorted(orphans)}"


def test_every_rule_view_and_indicator_has_a_golden_case() -> None:
    names = set(compiled())
    assert {f"rules/{c.rule.id}.sql" for c in load_catalogue(None)} <= names
    assert {f"indicators/{i.id}.sql" for i in builtin_indicators()} <= names
    assert {"views/p_fee_lines.sql", "views/p_encounters.sql", "views/p_encounters.range.sql"} <= names
    assert {"views/i_oe.sql", "views/i_ddds.sql"} <= names


def test_golden_sql_is_spark_not_duckdb() -> None:
    # The files must hold the translation: DuckDB's list() is collect_list() on Spark.
    text = (GOLDEN / "views" / "p_fee_daily.sql").read_text(encoding="utf-8")
    assert "COLLECT_LIST" in text.upper()
    assert "LIST(" not in text.upper().replace("COLLECT_LIST(", "")
