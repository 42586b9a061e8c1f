"""Targets, peer outliers and the 不达标 verdict (article 34) on values with known peers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sanjianguan.indicators.compute import IndicatorValue
from sanjianguan.indicators.evaluate import InstitutionInfo, judge, misses
from sanjianguan.indicators.model import Direction, Level
from sanjianguan.indicators.outliers import band, median, outliers
from sanjianguan.indicators.registry import builtin_indicators
from sanjianguan.indicators.targets import IndicatorSettings, PeerRule, Target

INDICATORS = builtin_indicators()
GENERAL = InstitutionInfo(3, "综合医院")


def _value(
    indicator: str, inst: str, value: str, cases: int = 30, level: Level = Level.INSTITUTION
) -> IndicatorValue:
    v = Decimal(value)
    return IndicatorValue(indicator, level, inst, None, None, v * cases, Decimal(cases), cases, v)


def test_median_and_band_by_hand() -> None:
    # Peers 0.10 0.11 0.12 0.12 0.13 0.14 0.40: median 0.12; |deviations| sorted
    # 0 0 0.01 0.01 0.02 0.02 0.28 → MAD 0.01; half-width 2 × 1.4826 × 0.01 = 0.029652
    values = [Decimal(x) for x in ("0.10", "0.11", "0.12", "0.12", "0.13", "0.14", "0.40")]
    limits = band(values, Decimal(2))
    assert limits is not None
    assert (limits.median, limits.mad) == (Decimal("0.12"), Decimal("0.01"))
    assert (limits.lower, limits.upper) == (Decimal("0.090348"), Decimal("0.149652"))
    assert median([Decimal(1), Decimal(4)]) == Decimal("2.5")  # even count: mean of the middle two
    # Identical peers: MAD 0, the robust spread is undefined → no band
    assert band([Decimal(1)] * 5, Decimal(2)) is None


def test_outliers_only_adverse_side_with_enough_cases() -> None:
    items = [("A", "0.10", 30), ("B", "0.11", 30), ("C", "0.12", 30), ("D", "0.12", 40)]
    items += [("E", "0.13", 30), ("F", "0.14", 30), ("G", "0.40", 30)]
    # H: far out but 29 cases → neither judged nor a peer; L: 0.01, low side
    items += [("H", "0.90", 29)]
    rows = {name: (Decimal(v), n) for name, v, n in items}

    def run(direction: Direction, extra: dict[str, tuple[Decimal, int]] | None = None) -> set[str]:
        pool = {**rows, **(extra or {})}
        found = outliers(
            list(pool),
            peer_group=lambda name: "peers",
            value=lambda name: pool[name][0],
            cases=lambda name: pool[name][1],
            direction=direction,
            robust_sd=Decimal(2),
            min_cases=30,
            min_peers=5,
        )
        return {name for name in pool if id(name) in found}

    # Band [0.090348, 0.149652] (see above): G above it is adverse when lower is better
    assert run(Direction.LOWER) == {"G"}
    # Higher is better: G is on the good side, nobody is below 0.090348
    assert run(Direction.HIGHER) == set()
    # L = 0.01 (30 cases) joins: peers 0.01 0.10 0.11 0.12 0.12 0.13 0.14 0.40, median 0.12,
    # |dev| 0 0 0.01 0.01 0.02 0.02 0.11 0.28 → MAD 0.015, band 0.12 ± 0.044478 → L is low
    assert run(Direction.HIGHER, {"L": (Decimal("0.01"), 30)}) == {"L"}


def test_outliers_need_min_peers() -> None:
    pool = {"A": Decimal("0.1"), "B": Decimal("0.2"), "C": Decimal("0.3"), "D": Decimal(9)}
    found = outliers(
        list(pool),
        peer_group=lambda name: "peers",
        value=lambda name: pool[name],
        cases=lambda name: 100,
        direction=Direction.LOWER,
        robust_sd=Decimal(2),
        min_cases=30,
        min_peers=5,
    )
    assert found == {}  # 4 units < 5 peers: no comparison


@pytest.mark.parametrize(
    ("direction", "value", "missed"),
    [(Direction.LOWER, "0.61", True), (Direction.LOWER, "0.6", False), (Direction.HIGHER, "0.59", True)],
)
def test_misses_target(direction: Direction, value: str, missed: bool) -> None:
    assert misses(direction, Decimal(value), Decimal("0.6")) is missed


def test_judge_target_else_peer_outlier_per_category() -> None:
    # 住院患者抗菌药物使用率 has a target (0.6); 双向转诊率 has none → peers decide.
    values = [
        _value("inpatient_antibiotic_rate", "H1", "0.65"),
        _value("inpatient_antibiotic_rate", "H2", "0.55"),
    ]
    # Seven general hospitals of level 3 for 31天非计划再入院率 (no target), one far above the rest,
    # and the same value at a specialist hospital, which has no peers of its category.
    rates = ("0.10", "0.11", "0.12", "0.12", "0.13", "0.14", "0.40")
    values += [_value("readmission_31d_unplanned_rate", f"G{n}", r) for n, r in enumerate(rates)]
    values += [_value("readmission_31d_unplanned_rate", "S1", "0.40")]
    institutions = {f"G{n}": GENERAL for n in range(7)} | {"H1": GENERAL, "H2": GENERAL}
    institutions["S1"] = InstitutionInfo(3, "专科医院")
    settings = IndicatorSettings(
        targets={("default", "inpatient_antibiotic_rate"): Target(Decimal("0.6"), "sample")},
        peers=PeerRule(),
    )
    judged = {
        (j.value.indicator, j.value.institution_id): j
        for j in judge(values, INDICATORS, institutions, settings)
    }

    h1, h2 = judged["inpatient_antibiotic_rate", "H1"], judged["inpatient_antibiotic_rate", "H2"]
    assert (h1.failing, h1.reason, h2.failing) == (True, "target", False)
    g6 = judged["readmission_31d_unplanned_rate", "G6"]
    assert (g6.failing, g6.reason, g6.group.value) == (True, "peer_outlier", "2B")
    assert g6.band is not None
    assert g6.band.upper == Decimal("0.149652")
    assert not judged["readmission_31d_unplanned_rate", "G0"].failing
    assert not judged["readmission_31d_unplanned_rate", "S1"].failing  # no peers of its category

    # A category's own target wins over the default; target "none" hands over to the peers.
    settings.targets[("专科医院", "readmission_31d_unplanned_rate")] = Target(Decimal("0.3"), "region")
    settings.targets[("default", "inpatient_antibiotic_rate")] = Target(None, "region: none")
    judged = {
        (j.value.indicator, j.value.institution_id): j
        for j in judge(values, INDICATORS, institutions, settings)
    }
    assert judged["readmission_31d_unplanned_rate", "S1"].reason == "target"
    h1 = judged["inpatient_antibiotic_rate", "H1"]
    assert (h1.target, h1.failing) == (None, False)  # two hospitals are too few peers


def test_oe_target_needs_30_cases() -> None:
    # O/E target 1.3 with min_cases 30: 1.5 on 30 stays fails, on 29 stays does not.
    settings = IndicatorSettings(targets={("default", "oe_cost"): Target(Decimal("1.3"), "spec", 30)})
    values = [
        _value("oe_cost", "H1", "1.5", 30),
        _value("oe_cost", "H2", "1.5", 29),
        _value("oe_cost", "H3", "1.3", 99),
    ]
    judged = {j.value.institution_id: j.failing for j in judge(values, INDICATORS, {}, settings)}
    assert judged == {"H1": True, "H2": False, "H3": False}


def test_doctors_are_compared_with_doctors() -> None:
    # Five doctors at level-3 general hospitals and one institution value: the institution
    # is not a peer of the doctors (peer groups are per analysis level).
    rates = ("0.10", "0.11", "0.12", "0.13", "0.50")
    values = [
        _value("readmission_31d_unplanned_rate", f"H{n}", r, level=Level.DOCTOR) for n, r in enumerate(rates)
    ]
    values.append(_value("readmission_31d_unplanned_rate", "H0", "0.50"))
    institutions = {f"H{n}": GENERAL for n in range(5)}
    judged = judge(values, INDICATORS, institutions, IndicatorSettings())
    failing = {(j.value.level.value, j.value.institution_id) for j in judged if j.failing}
    # Doctors: median 0.12, |dev| 0 0.01 0.01 0.02 0.38 → MAD 0.01, upper 0.149652 → H4's doctor fails
    assert failing == {("doctor", "H4")}
