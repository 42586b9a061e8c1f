"""Planted cases at a realistic rate (植入病例的真实比例): `sjg synth --hit-rate R`.

The default region holds one set of planted cases in its last month, a handful against
hundreds of thousands of clean encounters. At a hit rate R the same plants are repeated
until about R of each month's encounters fall under some rule: every plant once first
(so that every plantable rule has cases), then plants drawn at random, each repetition
placed in a month and shifted across the region's institutions. The draws come from the
seed, so the same seed gives the same bytes.

"Falling under a rule" is counted as the rule engine reports it: an encounter-keyed
positive counts its encounter, a patient-keyed one (C12, T06, T13) or a doctor-day (T09)
counts once. Near misses and the clean encounters a plant needs (a first stay, a
companion visit) count as encounters without a hit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from sanjianguan.errors import ConfigError
from sanjianguan.synth.plants.behaviour import plant_t03, plant_t09, plant_t13
from sanjianguan.synth.plants.benchmark import plant_s03_s04
from sanjianguan.synth.plants.builder import PlantBook
from sanjianguan.synth.plants.stamp import Template, check_signatures, record, stamp

Plant = Callable[[PlantBook], None]

MAX_HIT_RATE = 0.2
NON_ENCOUNTER_KEYS = {"C12", "T06", "T13", "T09"}
# GS15 is planted only (the background never uses it): its S03/S04 limits come from
# ref_drg while fewer than 30 GS15 stays precede a month. T03 plants one GS15 stay,
# S03/S04 four; these caps keep the whole region under 30.
CAPS: dict[Plant, int] = {plant_s03_s04: 4, plant_t03: 9}
# T09 needs 201 visits for one hit (a doctor-day), T13 47 visits for two (patients): drawn
# rarely, so that these rules do not fill the region with clean padding visits.
WEIGHTS: dict[Plant, float] = {plant_t09: 0.1, plant_t13: 0.1}
MAX_DRAWS = 10_000_000


def check_rate(rate: float) -> None:
    """A hit rate is a share of encounters between 0 and 0.2."""
    if not 0 <= rate <= MAX_HIT_RATE:
        raise ConfigError(
            f"--hit-rate 应在 0 与 {MAX_HIT_RATE} 之间 / must be between 0 and {MAX_HIT_RATE}: {rate}"
        )


def hit_units(truth: Sequence[tuple[str, str, str]]) -> int:
    """Distinct encounters (or patients, doctor-days) under some rule among positive truth rows."""
    keys = {
        (rule, key) if rule in NON_ENCOUNTER_KEYS else ("", key)
        for rule, key, kind in truth
        if kind == "positive"
    }
    return len(keys)


def plant_at_rate(
    book: PlantBook, plants: Sequence[Plant], rate: float, background: Sequence[int], seed: int
) -> dict[str, int]:
    """Repeat `plants` until about `rate` of each month's encounters have a hit.

    `background` is the expected number of background encounters of each month. Each
    (plant, month) is recorded once as a template; the draws only count, and the
    placements of each template are stamped column-wise (`stamp.py`) into `book.stamps`,
    their rows produced when each month's batch is written. Returns how many times each
    plant was placed (by function name).
    """
    check_rate(rate)
    placed: Counter[str] = Counter()
    if rate == 0:
        return dict(placed)
    book.at_scale = True
    rng = np.random.default_rng([seed, 15, 1])
    n_months = len(book.all_months)
    units = [0] * n_months
    encounters = [0] * n_months
    uses: Counter[Plant] = Counter()
    templates: dict[tuple[Plant, int], Template] = {}
    offsets: dict[tuple[Plant, int], list[int]] = {}

    def place(plant: Plant, k: int) -> None:
        t = templates.get((plant, k))
        if t is None:
            t = templates[(plant, k)] = record(book.cat, book.region, book.all_months, plant, k, hit_units)
        offsets.setdefault((plant, k), []).append(int(rng.integers(0, 1 << 30)))
        units[k] += t.units
        encounters[k] += t.n_enc
        uses[plant] += 1
        placed[plant.__name__] += 1

    for plant in plants:
        place(plant, int(rng.integers(0, n_months)))
    open_plants, weights = _open(plants, uses)
    for k in range(n_months):
        draws = 0
        while units[k] < rate * (background[k] + encounters[k]):
            plant = open_plants[int(rng.choice(len(open_plants), p=weights))]
            place(plant, k)
            if uses[plant] >= CAPS.get(plant, MAX_DRAWS):
                open_plants, weights = _open(plants, uses)
            draws += 1
            if draws > MAX_DRAWS:
                raise ConfigError(f"cannot reach hit rate {rate} in month {book.all_months[k].label}")
    for (plant, k), offs in offsets.items():
        book.stamps.append(stamp(book, templates[(plant, k)], offs))
    check_signatures(book.stamps)
    return dict(placed)


def _open(plants: Sequence[Plant], uses: Counter[Plant]) -> tuple[list[Plant], npt.NDArray[np.float64]]:
    """The plants still below their cap, and their drawing probabilities."""
    open_plants = [p for p in plants if uses[p] < CAPS.get(p, MAX_DRAWS)]
    weights = np.array([WEIGHTS.get(p, 1.0) for p in open_plants])
    return open_plants, weights / weights.sum()


__all__ = ["MAX_HIT_RATE", "check_rate", "hit_units", "plant_at_rate"]
