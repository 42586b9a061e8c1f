"""Background patients (参保人): attributes are pure functions of (seed, patient index).

Patients live in villages (contiguous index ranges), villages in counties. Each has a
fixed day of the month (1-28) on which all of their care falls, and a phase that
allows an admission only one month in five: together these keep any two encounters
of one patient ≥ 28 days apart in day-of-month terms and ≤ 3 admissions a year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sanjianguan.synth.region import Scale
from sanjianguan.synth.rng import stream_key, uniform

Ints = npt.NDArray[np.int64]
INSURANCE = ("职工", "居民", "自费", "其他")
CHRONIC_NONE, CHRONIC_HYPERTENSION, CHRONIC_DIABETES = 0, 1, 2
DIALYSIS_SHARE = 0.0008


@dataclass
class Patients:
    """A contiguous range of patients [first, first + n)."""

    index: Ints
    sex: Ints  # 1 / 2
    birth_day: Ints  # days since 1970-01-01
    dom: Ints  # day of month 1..28
    phase: Ints  # admission phase 0..4
    chronic: Ints
    dialysis: npt.NDArray[np.bool_]
    village: Ints
    county: Ints
    insurance: Ints
    poverty: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.index)


def village_count(scale: Scale) -> int:
    return -(-scale.population // scale.village_size)


def load_patients(seed: int, scale: Scale, first: int, n: int, start_day: int) -> Patients:
    """Attributes of patients first .. first+n-1 (deterministic, chunk-independent)."""
    idx = np.arange(first, first + n, dtype=np.int64)

    def u(stream: int) -> npt.NDArray[np.float64]:
        return uniform(stream_key(seed, 10, stream), idx)

    age_days = (np.floor(u(1) ** 0.85 * 88 * 365.25) + 30).astype(np.int64)
    age = age_days // 365
    sex = np.where(u(2) < 0.5, 1, 2).astype(np.int64)
    chronic_u = u(3)
    chronic = np.where(age >= 40, np.where(chronic_u < 0.16, 1, np.where(chronic_u < 0.24, 2, 0)), 0)
    dialysis = (u(4) < DIALYSIS_SHARE) & (age >= 18)
    ins_u = u(5)
    insurance = np.where(ins_u < 0.35, 0, np.where(ins_u < 0.95, 1, np.where(ins_u < 0.98, 2, 3))).astype(
        np.int64
    )
    village = idx // scale.village_size
    n_villages = village_count(scale)
    return Patients(
        index=idx,
        sex=sex,
        birth_day=start_day - age_days,
        dom=(np.floor(u(6) * 28) + 1).astype(np.int64),
        phase=np.floor(u(7) * 5).astype(np.int64),
        chronic=chronic.astype(np.int64),
        dialysis=dialysis,
        village=village,
        county=village * scale.counties // n_villages,
        insurance=insurance,
        poverty=(insurance == 1) & (u(8) < 0.05),
    )


def address_codes(county_codes: list[str], county: Ints, village: Ints, scale: Scale) -> list[str]:
    """12-digit village codes (county code + township + village)."""
    n_villages = village_count(scale)
    first_village = (np.arange(scale.counties) * n_villages + scale.counties - 1) // scale.counties
    local = village - first_village[county]
    town = local // 20 + 1
    vil = local % 20 + 1
    return [
        f"{county_codes[c]}{t:03d}{v:03d}"
        for c, t, v in zip(county.tolist(), town.tolist(), vil.tolist(), strict=True)
    ]
