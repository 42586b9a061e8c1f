"""抽查抽样: a seeded, stratified random draw (reproducible from the seed and the population).

Strata are (institution, rule). The sample size is `ceil(rate × N)` ("at least 20%");
each stratum gets `floor(rate × n)` and the remaining places go to the strata with the
largest fractional parts (ties broken by the seeded generator), so every stratum is
represented in proportion. Within a stratum the clues are drawn from the id-sorted list.
The same seed and population always give the same draw.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Candidate:
    """One clue of the population and its stratum."""

    clue_id: str
    institution_id: str
    rule_id: str

    @property
    def stratum(self) -> str:
        return f"{self.institution_id}|{self.rule_id}"


def strata(population: Iterable[Candidate]) -> dict[str, list[str]]:
    """Stratum → sorted clue ids, strata sorted."""
    groups: dict[str, list[str]] = defaultdict(list)
    for candidate in population:
        groups[candidate.stratum].append(candidate.clue_id)
    return {key: sorted(groups[key]) for key in sorted(groups)}


def population_hash(ids: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(ids)).encode("utf-8")).hexdigest()


def allocate(sizes: dict[str, int], rate: Decimal, rng: random.Random) -> dict[str, int]:
    """Places per stratum: proportional, largest remainder, total `ceil(rate × N)`."""
    total = math.ceil(rate * sum(sizes.values()))
    quotas = {key: math.floor(rate * n) for key, n in sizes.items()}
    keys = list(sizes)
    rng.shuffle(keys)  # seeded tie-break among equal remainders
    keys.sort(key=lambda k: rate * sizes[k] - quotas[k], reverse=True)
    for key in keys[: max(0, total - sum(quotas.values()))]:
        quotas[key] += 1
    return quotas


def draw(population: list[Candidate], rate: Decimal, seed: str) -> set[str]:
    """The clue ids drawn from `population` at `rate` with `seed`."""
    rng = random.Random(f"sjg-sampling:{seed}")
    groups = strata(population)
    quotas = allocate({key: len(ids) for key, ids in groups.items()}, rate, rng)
    drawn: set[str] = set()
    for key, ids in groups.items():
        drawn.update(rng.sample(ids, quotas[key]))
    return drawn
