"""Targets (标值) and the analysis settings of indicators, per region and institution category.

Built-in sample targets: `indicators/targets.toml`. A region overrides them in
`<home>/targets.toml` (same format) and may add there:

    [peer_outliers]                 # robust peer-outlier rule (article 34, no target)
    robust_sd = 2.0                 # median ± robust_sd × 1.4826 × MAD
    min_cases = 30                  # cases in the denominator, for the unit and its peers
    min_peers = 5                   # peers (the unit included) needed for a comparison

    [params.key_disease_mortality]  # an indicator's parameters
    key_prefixes = ["I21", "I50"]

    [growth]                        # growth alerts (异常增长, `sjg growth`)
    min_growth = 0.5                # alert above 50 % month-on-month or year-on-year
    min_amount = 10000              # ... when the month's amount is at least 10 000 yuan

A target table is `["<category>".<indicator id>]` with `target` (a number or "none"),
optional `min_cases` and a `source`; category `default` applies to every category
without its own entry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from sanjianguan.contract.schema import INSTITUTION_CATEGORIES
from sanjianguan.indicators.growth import GrowthRule
from sanjianguan.indicators.model import Indicator, IndicatorError
from sanjianguan.queries.declared import read_toml
from sanjianguan.queries.params import ParamValue, same_type

TARGETS_FILE = "targets.toml"
DEFAULT_CATEGORY = "default"


@dataclass(frozen=True)
class Target:
    """One 标值: the value, the least cases before it applies, and where it comes from."""

    value: Decimal | None  # None: explicitly no target (peer outliers decide)
    source: str
    min_cases: int = 0


@dataclass(frozen=True)
class PeerRule:
    """The robust peer-outlier rule (同级同类机构离群)."""

    robust_sd: Decimal = Decimal(2)
    min_cases: int = 30
    min_peers: int = 5


@dataclass
class IndicatorSettings:
    """Targets by (category, indicator), the peer rule and parameter overrides."""

    targets: dict[tuple[str, str], Target] = field(default_factory=dict)
    peers: PeerRule = field(default_factory=PeerRule)
    params: dict[str, dict[str, ParamValue]] = field(default_factory=dict)
    growth: GrowthRule = field(default_factory=GrowthRule)

    def target(self, category: str | None, indicator: str) -> Target | None:
        """The category's own target, else the default one (None: no target at all)."""
        found = self.targets.get((category or "", indicator)) or self.targets.get(
            (DEFAULT_CATEGORY, indicator)
        )
        return None if found is None or found.value is None else found

    def values_for(self, indicator: Indicator) -> dict[str, ParamValue]:
        return {**indicator.defaults(), **self.params.get(indicator.id, {})}


def load_settings(home: Path | None, indicators: Sequence[Indicator]) -> IndicatorSettings:
    """Built-in targets with the region's `<home>/targets.toml` applied."""
    ids = {i.id for i in indicators}
    builtin = resources.files("sanjianguan.indicators").joinpath(TARGETS_FILE)
    settings = IndicatorSettings()
    _apply(settings, _read(builtin.read_text(encoding="utf-8"), f"builtin:{TARGETS_FILE}"), ids, indicators)
    path = home / TARGETS_FILE if home else None
    if path is not None and path.exists():
        _apply(settings, _read(path.read_text(encoding="utf-8"), str(path)), ids, indicators)
    return settings


def _read(text: str, where: str) -> tuple[str, dict[str, Any]]:
    return where, read_toml(text, where, IndicatorError)


def _apply(
    settings: IndicatorSettings,
    loaded: tuple[str, dict[str, Any]],
    ids: set[str],
    indicators: Sequence[Indicator],
) -> None:
    where, data = loaded
    for category, table in data.items():
        if not isinstance(table, dict):
            raise IndicatorError(f"{where}: [{category}] 须为表 / must be a table")
        if category == "peer_outliers":
            settings.peers = _peer_rule(table, settings.peers, where)
        elif category == "params":
            _params(settings, table, indicators, where)
        elif category == "growth":
            settings.growth = _growth_rule(table, settings.growth, where)
        else:
            _check_category(category, where)
            for indicator_id, entry in table.items():
                if indicator_id not in ids:
                    raise IndicatorError(f"{where}: [{category}.{indicator_id}] 未知指标 / unknown indicator")
                settings.targets[(category, indicator_id)] = _target(
                    entry, f"{where}: [{category}.{indicator_id}]"
                )


def _check_category(category: str, where: str) -> None:
    if category != DEFAULT_CATEGORY and category not in INSTITUTION_CATEGORIES:
        raise IndicatorError(
            f"{where}: [{category}] 未知机构类别 / unknown category (use default or one of "
            f"{', '.join(INSTITUTION_CATEGORIES)})"
        )


def _target(entry: Any, where: str) -> Target:
    if (
        not isinstance(entry, dict)
        or not {"target", "source"} <= set(entry)
        or set(entry)
        - {
            "target",
            "source",
            "min_cases",
        }
    ):
        raise IndicatorError(
            f"{where}: 须有 target 与 source，可选 min_cases / needs target, source, min_cases"
        )
    value = entry["target"]
    if value == "none":
        value = None
    elif isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    elif not isinstance(value, Decimal):
        raise IndicatorError(f'{where}: target 须为数值或 "none" / target must be a number or "none"')
    min_cases = entry.get("min_cases", 0)
    if not isinstance(min_cases, int) or isinstance(min_cases, bool) or min_cases < 0:
        raise IndicatorError(f"{where}: min_cases 须为非负整数 / min_cases must be a non-negative integer")
    return Target(value, str(entry["source"]), min_cases)


def _peer_rule(table: Mapping[str, Any], current: PeerRule, where: str) -> PeerRule:
    unknown = set(table) - {"robust_sd", "min_cases", "min_peers"}
    if unknown:
        raise IndicatorError(f"{where}: [peer_outliers] 未知项 / unknown keys {sorted(unknown)}")
    robust_sd = table.get("robust_sd", current.robust_sd)
    min_cases = table.get("min_cases", current.min_cases)
    min_peers = table.get("min_peers", current.min_peers)
    if not isinstance(robust_sd, int | Decimal) or isinstance(robust_sd, bool) or robust_sd <= 0:
        raise IndicatorError(f"{where}: [peer_outliers] robust_sd 须为正数 / must be a positive number")
    for name, value in (("min_cases", min_cases), ("min_peers", min_peers)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise IndicatorError(f"{where}: [peer_outliers] {name} 须为非负整数 / must be an integer ≥ 0")
    return PeerRule(Decimal(robust_sd), min_cases, min_peers)


def _growth_rule(table: Mapping[str, Any], current: GrowthRule, where: str) -> GrowthRule:
    unknown = set(table) - {"min_growth", "min_amount"}
    if unknown:
        raise IndicatorError(f"{where}: [growth] 未知项 / unknown keys {sorted(unknown)}")
    found = {"min_growth": current.min_growth, "min_amount": current.min_amount}
    for name in found:
        value = table.get(name, found[name])
        if not isinstance(value, int | Decimal) or isinstance(value, bool) or value < 0:
            raise IndicatorError(f"{where}: [growth] {name} 须为非负数 / must be a number ≥ 0")
        found[name] = Decimal(value)
    return GrowthRule(found["min_growth"], found["min_amount"])


def _params(
    settings: IndicatorSettings, table: Mapping[str, Any], indicators: Sequence[Indicator], where: str
) -> None:
    by_id = {i.id: i for i in indicators}
    for indicator_id, values in table.items():
        indicator = by_id.get(indicator_id)
        if indicator is None or not isinstance(values, dict):
            raise IndicatorError(f"{where}: [params.{indicator_id}] 未知指标 / unknown indicator")
        for name, value in values.items():
            default = indicator.params[name].default if name in indicator.params else None
            if default is None or not same_type(default, value):
                raise IndicatorError(
                    f"{where}: [params.{indicator_id}] {name} 未知参数或类型不符 / unknown or mistyped"
                )
        settings.params.setdefault(indicator_id, {}).update(values)
