"""Growth alerts (异常增长): month-on-month and year-on-year, on both engines.

Amounts of H1 (one encounter per settlement month; refunds net out):

| item | 2024-03 | 2025-02 | 2025-03 | mom growth | yoy growth |
|---|---|---|---|---|---|
| X1 | 12000 | 10000 | 10000 + 6000 = 16000 | 0.6 → alert | 0.333333 |
| X2 | 5000 | 10000 | 15000 | 0.5 (not above) | 2 → alert |
| X3 | — | 1000 | 9000 | 8, but < 10 000 yuan | — |
| X4 | — | 6000 | 10000 (the limit counts) | 0.666667 → alert | — |
| X5 | — | — | 50000 (new: no base) | — | — |
| X6 | — | 10000 − 10000 = 0 | 32000 − 2000 = 30000 | base 0: no rate | — |

H2 charges X1 20000 in 2025-03 only: H1's earlier amounts are not its base.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sanjianguan.engines.base import Engine
from sanjianguan.indicators.growth import (
    Comparison,
    GrowthAlert,
    GrowthRule,
    growth_alerts,
    growth_rate,
    previous_month,
    previous_year,
)
from sanjianguan.indicators.model import IndicatorError
from sanjianguan.indicators.registry import builtin_indicators
from sanjianguan.indicators.targets import load_settings
from tests.rules.builder import StoreBuilder


def _store(build: StoreBuilder) -> None:
    build.institution("H2")
    build.item("X1", kind="drug", name="阿莫西林")
    months = {"A": ("2024-03", "2024-03-10"), "B": ("2025-02", "2025-02-10"), "C": ("2025-03", "2025-03-10")}
    for name, (period, day) in months.items():
        build.encounter(name, period=period, admit=f"{day} 08:00:00", discharge=f"{day} 18:00:00")
    build.encounter("D", period="2025-03", institution_id="H2")
    build.encounter("F", period="2025-04", admit="2025-04-02 08:00:00", discharge="2025-04-03 10:00:00")

    def charge(enc: str, item: str, *amounts: int) -> None:
        for n, amount in enumerate(amounts):
            build.fee(enc, item, f"2025-03-0{n + 1} 09:00:00", 1 if amount > 0 else -1, abs(amount))

    charge("A", "X1", 12000)
    charge("B", "X1", 10000)
    charge("C", "X1", 10000, 6000)
    charge("A", "X2", 5000)
    charge("B", "X2", 10000)
    charge("C", "X2", 15000)
    charge("B", "X3", 1000)
    charge("C", "X3", 9000)
    charge("B", "X4", 6000)
    charge("C", "X4", 10000)
    charge("C", "X5", 50000)
    charge("B", "X6", 10000, -10000)
    charge("C", "X6", 32000, -2000)
    charge("D", "X1", 20000)
    charge("F", "X1", 90000)  # 2025-04: after the month, never read


def _key(a: GrowthAlert) -> tuple[object, ...]:
    return (a.institution_id, a.item_code, a.comparison.value, a.base_amount, a.amount, a.growth)


@pytest.fixture
def alerts(engine: str, make_engine: Callable[[str], Engine]) -> Callable[..., list[GrowthAlert]]:
    def run(rule: GrowthRule | None = None) -> list[GrowthAlert]:
        found = growth_alerts(make_engine(engine), "2025-03", rule)
        if engine != "duckdb":
            assert found == growth_alerts(make_engine("duckdb"), "2025-03", rule), "engines differ"
        return found

    return run


def test_growth_alerts(build: StoreBuilder, alerts: Callable[..., list[GrowthAlert]]) -> None:
    _store(build)
    found = alerts()
    assert [_key(a) for a in found] == [
        ("H1", "X1", "mom", 10000, 16000, Decimal("0.6")),
        ("H1", "X2", "yoy", 5000, 15000, 2),
        ("H1", "X4", "mom", 6000, 10000, Decimal("0.666666666666666667")),
    ]
    x1 = found[0]
    assert (x1.item_name, x1.base_period, x1.increase, x1.comparison.label_zh) == (
        "阿莫西林",
        "2025-02",
        Decimal(6000),
        "环比",
    )
    assert found[1].base_period == "2024-03"

    # Limits are configuration: above 100 % with at least 5 000 yuan → X2 yoy (2) and X3 mom (8).
    found = alerts(GrowthRule(min_growth=Decimal(1), min_amount=Decimal(5000)))
    assert [(a.item_code, a.comparison) for a in found] == [("X2", Comparison.YOY), ("X3", Comparison.MOM)]


def test_periods_and_rates() -> None:
    assert (previous_month("2025-01"), previous_month("2025-03"), previous_year("2025-03")) == (
        "2024-12",
        "2025-02",
        "2024-03",
    )
    assert growth_rate(Decimal(15000), Decimal(10000)) == Decimal("0.5")
    assert growth_rate(Decimal(1), Decimal(0)) is None
    with pytest.raises(IndicatorError, match="YYYY-MM"):
        previous_month("2025")


def test_growth_limits_from_targets_toml(home: Path) -> None:
    indicators = builtin_indicators()
    assert load_settings(home, indicators).growth == GrowthRule(Decimal("0.5"), Decimal(10000))
    home.mkdir(parents=True, exist_ok=True)
    (home / "targets.toml").write_text("[growth]\nmin_growth = 0.3\n", encoding="utf-8")
    assert load_settings(home, indicators).growth == GrowthRule(Decimal("0.3"), Decimal(10000))
    (home / "targets.toml").write_text("[growth]\nmin_amount = -1\n", encoding="utf-8")
    with pytest.raises(IndicatorError, match=r"targets.toml: \[growth\] min_amount"):
        load_settings(home, indicators)


def test_growth_cli(build: StoreBuilder, home: Path, tmp_path: Path) -> None:
    import json

    import sanjianguan.cli
    from sanjianguan.cli.app import app

    _store(build)
    build.con.execute("CHECKPOINT")
    sanjianguan.cli._register()
    out = tmp_path / "growth.json"
    args = ["--home", str(home), "growth", "--period", "2025-03", "--format", "json", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert [(r["item_code"], r["comparison"], r["growth"]) for r in rows] == [
        ("X1", "mom", "0.6"),
        ("X2", "yoy", "2"),
        ("X4", "mom", "0.666666666666666667"),
    ]
    bad = CliRunner().invoke(app, ["--home", str(home), "growth", "--period", "2025-3"])
    assert bad.exit_code != 0
    assert "YYYY-MM" in bad.output
