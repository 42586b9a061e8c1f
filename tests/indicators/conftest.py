"""Indicator-test fixtures: the rules' store builder and engines, plus an indicator run.

`run_indicators` runs on the test's engine; on Spark it also runs on DuckDB and asserts
identical values and verdicts, so every indicator test is a parity test.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from sanjianguan.engines.base import Engine
from sanjianguan.indicators.evaluate import Judged
from sanjianguan.indicators.runner import IndicatorRun, analysis_scope, catalogue, evaluate
from sanjianguan.indicators.scope import parse_scope
from tests.rules.builder import StoreBuilder

# The rules' fixtures, reused as they are (one SparkSession for the whole test session).
from tests.rules.conftest import build, engine, make_engine, spark_session  # noqa: F401

RunIndicators = Callable[..., list[Judged]]
EvaluateIndicators = Callable[..., IndicatorRun]


def _evaluate(eng: Engine, home: Path, ids: tuple[str, ...] | None, period: str) -> IndicatorRun:
    """As the runner does: the data folder's catalogue and analysis calendar (`home/calendar`)."""
    indicators, settings = catalogue(home, ids)
    return evaluate(eng, indicators, analysis_scope(home, parse_scope(period)), settings)


@pytest.fixture
def evaluate_indicators(
    engine: str,  # noqa: F811
    make_engine: Callable[[str], Engine],  # noqa: F811
    home: Path,
) -> EvaluateIndicators:
    """The run (judged values and skipped indicators) of the given indicators, or of the whole
    catalogue when none is given, for a month or year, on the test's engine."""

    def run(*ids: str, period: str = "2025-03") -> IndicatorRun:
        chosen = ids or None
        result = _evaluate(make_engine(engine), home, chosen, period)
        if engine != "duckdb":
            other = _evaluate(make_engine("duckdb"), home, chosen, period)
            assert (result.judged, result.skipped) == (other.judged, other.skipped), "engines differ"
        return result

    return run


@pytest.fixture
def run_indicators(evaluate_indicators: EvaluateIndicators) -> RunIndicators:
    """Judged values of the given indicators for a month or year, on the test's engine."""

    def run(*ids: str, period: str = "2025-03") -> list[Judged]:
        assert ids, "name the indicators"
        return evaluate_indicators(*ids, period=period).judged

    return run


def values(judged: list[Judged], indicator: str, level: str = "institution") -> dict[object, Judged]:
    """The judged values of one indicator at one level, keyed by unit."""
    out: dict[object, Judged] = {}
    for j in judged:
        v = j.value
        if v.indicator == indicator and v.level.value == level:
            key = {"institution": v.institution_id, "department": (v.institution_id, v.department)}
            out[key.get(level, (v.institution_id, v.doctor_id))] = j
    return out


def num_den_value(
    judged: list[Judged], indicator: str, key: object, level: str = "institution"
) -> tuple[object, object, object]:
    """(numerator, denominator, value) of one indicator for one unit (compare with plain numbers)."""
    v = values(judged, indicator, level)[key].value
    return v.numerator, v.denominator, v.value


def add_drg(store: StoreBuilder, drg_code: str, weight: str, risk_group: str = "mid_low") -> None:
    """A `ref_drg` entry in KB version 1 (avg_los / avg_cost are not read by the indicators)."""
    store._ensure_kb()
    store.con.execute(
        "INSERT INTO kb_ref_drg (drg_code, weight, avg_los, avg_cost, risk_group, kb_version) "
        "VALUES (?, ?, 5, 1000, ?, 1)",
        [drg_code, Decimal(weight), risk_group],
    )


def add_staff(
    store: StoreBuilder, staff_id: str, role: str, department: str, institution: str = "H1"
) -> None:
    store.insert(
        "staff",
        {
            "staff_id": staff_id,
            "institution_id": institution,
            "role": role,
            "department": department,
            "batch_id": "b",
        },
    )
