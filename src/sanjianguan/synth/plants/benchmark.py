"""Planted cases of the DRG benchmark clues S01-S04 (DRG 标杆值线索).

S03/S04 are planted in GS15, a group the background never uses: with fewer than 30
benchmark stays its limits come from ref_drg (LOS 12 days, cost 9 000 yuan) at every
scale. S01/S02 need a group average, hence ≥ 30 benchmark stays in the months before
the period: they are planted in ES35 only when there is such a history. The
generator knows the benchmark exactly (it wrote it), so it also knows whether these
stays cross the group's LOS or cost limits and records those co-firing clues.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from sanjianguan.synth.plants.builder import PlantBook, PlantEncounter, at, day_of
from sanjianguan.synth.templates import MASK

ANGONG = "ZA07AAA0061010100166"
MEROPENEM = "XJ01DHM027B001010100389"
MIN_BENCHMARK = 30


@dataclass(frozen=True)
class Benchmark:
    """A DRG group's benchmark over the 12 months before the period (yuan and days)."""

    n: int
    los_upper: float
    cost_upper: float
    drug_avg: float
    material_avg: float
    los_min: int


def benchmark(
    los: npt.NDArray[np.int64],
    total: npt.NDArray[np.int64],
    drug: npt.NDArray[np.int64],
    material: npt.NDArray[np.int64],
) -> Benchmark:
    """Limits as the rules define them: P75 + 1.5 × IQR (linear interpolation); money in 1/10 000 yuan."""

    def upper(values: npt.NDArray[np.float64]) -> float:
        p25, p75 = np.percentile(values, [25, 75])
        return float(p75 + 1.5 * (p75 - p25))

    return Benchmark(
        len(los),
        upper(los.astype(float)),
        upper(total / 10_000),
        float(drug.mean() / 10_000),
        float(material.mean() / 10_000),
        int(los.min()),
    )


def _total(e: PlantEncounter) -> Decimal:
    return sum((r["amount"] for r in e.lines), Decimal(0))


def _spread(b: PlantBook, e: PlantEncounter, code: str, units: int, days: int, hour: int) -> None:
    """Charge `units` of an item spread over the first `days` days of a stay."""
    per_day = -(-units // days)
    d = 0
    while units > 0:
        q = min(per_day, units)
        b.line(e, code, at(e.admit.date() + dt.timedelta(days=d), hour), qty=q)
        units -= q
        d += 1


def plant_s03_s04(b: PlantBook) -> None:
    """GS15 (limits LOS 12, cost 9 000): LOS 13 and cost > 9 000 fire; LOS 12 and cost < 9 000 do not."""
    inst = b.inst("l3")
    for los, positive in ((13, True), (12, False)):
        e = b.stay(inst, b.patient(), day_of(b.target, 6), los, drg="GS15")
        b.hit("S03", e.encounter_id, positive)
    for pills, positive in ((18, True), (14, False)):
        e = b.stay(inst, b.patient(age=66), day_of(b.target, 7), 9, drg="GS15")
        _spread(b, e, ANGONG, pills, pills // 2, 11)
        _spread(b, e, MEROPENEM, 27, 9, 12)
        b.hit("S04", e.encounter_id, positive)
        if (_total(e) > 9000) != positive:
            raise AssertionError(f"S04 plant total {_total(e)} misses the 9000 limit")


def _units(price: Decimal, bench_avg: float, positive: bool) -> int:
    """Units of an item making a cost > 2 × average and ≥ 1 000 (positive), else a near miss."""
    if positive:
        return int(np.ceil(max(1000.0, 2 * bench_avg) * 1.1 / float(price)))
    below_1000 = int(999 // float(price))
    if below_1000 * float(price) > 2 * bench_avg:
        return below_1000  # O/E > 2 but under 1 000 yuan
    return int(1.9 * bench_avg // float(price))  # ≥ 1 000 yuan but O/E < 2


def plant_s01_s02(b: PlantBook, bench: Benchmark) -> None:
    """ES35 stays whose drug (S01) or material (S02) cost is > 2 × the group average and ≥ 1 000 yuan; near
    misses just below one of the two thresholds."""
    inst = b.inst("l2")
    for rule, code, avg in (("S01", MEROPENEM, bench.drug_avg), ("S02", MASK, bench.material_avg)):
        price = Decimal(b.cat.base_price_cents(code, inst.level)) / 100
        for positive in (True, False):
            e = b.stay(
                inst,
                b.patient(),
                day_of(b.target, 9),
                bench.los_min,
                dx=("J18.900",),
                drg="ES35",
                dept="呼吸内科",
            )
            units = _units(price, avg, positive)
            if units:
                _spread(b, e, code, units, bench.los_min, 12)
            b.hit(rule, e.encounter_id, positive)
            # The generator knows the group's limits: record honestly when a plant also crosses them.
            if e.discharge and (e.discharge.date() - e.admit.date()).days > bench.los_upper:
                b.hit("S03", e.encounter_id)
            if float(_total(e)) > bench.cost_upper:
                b.hit("S04", e.encounter_id)
