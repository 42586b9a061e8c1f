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

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from decimal import Decimal
from statistics import median

import numpy as np

from sanjianguan.errors import ConfigError
from sanjianguan.synth.plants.behaviour import plant_t03, plant_t09
from sanjianguan.synth.plants.benchmark import plant_s03_s04
from sanjianguan.synth.plants.builder import PlantBook, PlantEncounter
from sanjianguan.synth.plants.rows import as_columns, rows_of
from sanjianguan.synth.writer import to_table

Plant = Callable[[PlantBook], None]

MAX_HIT_RATE = 0.2
NON_ENCOUNTER_KEYS = {"C12", "T06", "T13", "T09"}
# GS15 is planted only (the background never uses it): its S03/S04 limits come from
# ref_drg while fewer than 30 GS15 stays precede a month. T03 plants one GS15 stay,
# S03/S04 four; these caps keep the whole region under 30.
CAPS: dict[Plant, int] = {plant_s03_s04: 4, plant_t03: 9}
# T09 needs 201 visits for one hit (a doctor-day): drawn rarely, so that one rule does
# not fill the region with clean visits.
WEIGHTS: dict[Plant, float] = {plant_t09: 0.1}
T07_GROUP = 5  # rules.md T07: at least five stays with the same items
MAX_DRAWS = 10_000_000
COMPACT_EVERY = 2_000  # plants placed between two compactions of their rows into Arrow tables

GroupKey = tuple[str, str, str, frozenset[str]]


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

    `background` is the expected number of background encounters of each month. Returns
    how many times each plant was placed (by function name).
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
    groups: dict[GroupKey, list[Decimal]] = defaultdict(list)

    def place(plant: Plant, k: int) -> None:
        first_enc, first_truth = len(book.encounters), len(book.truth)
        with book.placed(k, int(rng.integers(0, 1 << 30))):
            plant(book)
        units[k] += hit_units(book.truth[first_truth:])
        encounters[k] += len(book.encounters) - first_enc
        uses[plant] += 1
        placed[plant.__name__] += 1
        if sum(placed.values()) % COMPACT_EVERY == 0:
            _compact(book, groups)

    for plant in plants:
        place(plant, int(rng.integers(0, n_months)))
    for k in range(n_months):
        draws = 0
        while units[k] < rate * (background[k] + encounters[k]):
            open_plants = [p for p in plants if uses[p] < CAPS.get(p, MAX_DRAWS)]
            weights = np.array([WEIGHTS.get(p, 1.0) for p in open_plants])
            plant = open_plants[int(rng.choice(len(open_plants), p=weights / weights.sum()))]
            place(plant, k)
            draws += 1
            if draws > MAX_DRAWS:
                raise ConfigError(f"cannot reach hit rate {rate} in month {book.all_months[k].label}")
    _compact(book, groups)
    _check_item_sets(groups)
    return dict(placed)


def _compact(book: PlantBook, groups: dict[GroupKey, list[Decimal]]) -> None:
    """Finish the plants placed so far and keep only their rows, as Arrow tables by month."""
    book.finish()
    _item_sets(book, groups)
    by_month: dict[tuple[int, int], list[PlantEncounter]] = defaultdict(list)
    for e in book.encounters:
        by_month[(e.settlement.year, e.settlement.month)].append(e)
    for key, encs in by_month.items():
        tables = book.compacted.setdefault(key, defaultdict(list))
        for name, rows in rows_of(book, encs).items():
            if rows:
                tables[name].append(to_table(name, as_columns(rows)))
    for e in book.encounters:
        book.patients.pop(e.patient_id, None)
    book.encounters.clear()


def _item_sets(book: PlantBook, groups: dict[GroupKey, list[Decimal]]) -> None:
    """The totals of planted stays by (institution, month, main diagnosis, item set), T07's aside."""
    t07 = {key for rule, key, _ in book.truth if rule == "T07"}
    for e in book.encounters:
        if e.etype != "inpatient" or e.encounter_id in t07:
            continue
        s = e.settlement
        main = e.main if e.main is not None else (e.dx[0] if e.dx else "")
        codes = frozenset(r["item_code"] for r in e.lines)
        total = sum((r["amount"] for r in e.lines), Decimal(0))
        groups[(e.inst.institution_id, f"{s.year:04d}-{s.month:02d}", main, codes)].append(total)


def _check_item_sets(groups: dict[GroupKey, list[Decimal]]) -> None:
    """No five planted stays with one item set at one institution, month and diagnosis except T07's.

    Planted stays tell themselves apart by signature labs (2^8 combinations); so many
    planted stays at one institution in one month would wrap them round and make a T07
    group nobody planted. Say so rather than write data whose truth is wrong.
    """
    for (inst, month, main, _), totals in groups.items():
        if len(totals) < T07_GROUP:
            continue
        middle = median(totals)
        if sum(abs(t - middle) <= middle * Decimal("0.02") for t in totals) >= T07_GROUP:
            raise ConfigError(
                f"植入病例过密 / too many planted stays at {inst} in {month} ({main}) to keep them apart: "
                "lower --hit-rate or give more --institutions"
            )


__all__ = ["MAX_HIT_RATE", "check_rate", "hit_units", "plant_at_rate"]
