"""Judging indicator values (达标判定): target first, else peer outliers (article 34).

"不达标" covers two cases (第三十四条): a value that misses its 标值, or, where no 标值 is
set, a value that the analysis rule singles out, here the robust peer-outlier rule. A
`lower` indicator misses its target when value > target, a `higher` one when value <
target; a target with `min_cases` judges only units with at least that many cases.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from sanjianguan.indicators.compute import IndicatorValue
from sanjianguan.indicators.model import Direction, Group, Indicator, Level
from sanjianguan.indicators.outliers import Band, outliers
from sanjianguan.indicators.targets import IndicatorSettings, Target


class FailingReason(StrEnum):
    TARGET = "target"  # 未达到标值
    PEER_OUTLIER = "peer_outlier"  # 无标值，同级同类离群


@dataclass(frozen=True)
class InstitutionInfo:
    """What peers and targets depend on: the institution's level and category."""

    level: int | None
    category: str | None


@dataclass(frozen=True)
class Judged:
    """An indicator value with its target and verdict."""

    value: IndicatorValue
    group: Group
    target: Target | None
    failing: bool
    reason: FailingReason | None
    band: Band | None = None


def misses(direction: Direction, value: Decimal, target: Decimal) -> bool:
    """Whether a value misses its target (equal meets it)."""
    return value > target if direction is Direction.LOWER else value < target


def judge(
    values: Sequence[IndicatorValue],
    indicators: Sequence[Indicator],
    institutions: Mapping[str, InstitutionInfo],
    settings: IndicatorSettings,
) -> list[Judged]:
    """Every value judged against its target, else against its peers."""
    by_id = {i.id: i for i in indicators}
    # One pass to group the values (in their order), not one pass over all values per indicator.
    members: dict[str, list[IndicatorValue]] = {}
    for v in values:
        members.setdefault(v.indicator, []).append(v)
    out: list[Judged] = []
    for indicator_id, found in members.items():
        out.extend(_judge_indicator(by_id[indicator_id], found, institutions, settings))
    return out


def _judge_indicator(
    indicator: Indicator,
    values: Sequence[IndicatorValue],
    institutions: Mapping[str, InstitutionInfo],
    settings: IndicatorSettings,
) -> list[Judged]:
    def info(v: IndicatorValue) -> InstitutionInfo:
        return institutions.get(v.institution_id, InstitutionInfo(None, None))

    targets = {id(v): settings.target(info(v).category, indicator.id) for v in values}
    untargeted = [v for v in values if targets[id(v)] is None]
    rule = settings.peers
    flagged = outliers(
        untargeted,
        peer_group=lambda v: _peer_group(v, info(v)),
        value=lambda v: v.value,
        cases=lambda v: v.cases,
        direction=indicator.direction,
        robust_sd=rule.robust_sd,
        min_cases=rule.min_cases,
        min_peers=rule.min_peers,
    )
    return [_verdict(indicator, v, targets[id(v)], flagged.get(id(v))) for v in values]


def _peer_group(v: IndicatorValue, info: InstitutionInfo) -> tuple[object, ...]:
    # Departments compare with same-named departments; doctors and institutions with their kind.
    department = v.department if v.level is Level.DEPARTMENT else None
    return (v.level.value, info.level, info.category, department)


def _verdict(indicator: Indicator, v: IndicatorValue, target: Target | None, band: Band | None) -> Judged:
    if target is not None and target.value is not None:
        failing = v.cases >= target.min_cases and misses(indicator.direction, v.value, target.value)
        return Judged(v, indicator.group, target, failing, FailingReason.TARGET if failing else None)
    if band is not None:
        return Judged(v, indicator.group, None, True, FailingReason.PEER_OUTLIER, band)
    return Judged(v, indicator.group, None, False, None)
