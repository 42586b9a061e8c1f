"""双随机: the seeded draw of inspection targets and inspectors (pure, reproducible).

Targets: every institution of the plan gets one *baseline* visit (每年不少于1次), and
`extra_visits` more visits go to institutions drawn without replacement with weight
`1 + problem_weight × min(problems, problem_cap)` (问题突出的医疗机构增加检查频次), using
Efraimidis-Spirakis keys `u^(1/w)`: the larger the weight, the likelier the draw. Each
visit gets a planned month. Inspectors: for each visit, `k` distinct investigators drawn
from the pool minus those excluded for that institution (conflict, affiliation), from a
generator keyed by (seed, institution, round), so one changed conflict changes one visit.
The same inputs always give the same plan.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

BASELINE = "baseline"  # 全覆盖：每家每年至少一次
WEIGHTED = "weighted"  # 加权抽取：问题机构增加频次
MONTHS = range(1, 13)


@dataclass(frozen=True)
class Target:
    """An institution of the plan and its count of confirmed problems."""

    institution_id: str
    problems: int


@dataclass(frozen=True)
class DrawnVisit:
    institution_id: str
    round: str
    month: int


def weight(problems: int, problem_weight: int, problem_cap: int) -> int:
    """The draw weight of an institution with `problems` confirmed problems."""
    return 1 + problem_weight * min(max(problems, 0), problem_cap)


def draw_targets(
    targets: Sequence[Target], *, seed: str, extra_visits: int, problem_weight: int, problem_cap: int
) -> list[DrawnVisit]:
    """Baseline visits (every target, institution order), then the weighted extra visits (draw order)."""
    rng = random.Random(f"sjg-inspection:{seed}")
    ordered = sorted(targets, key=lambda t: t.institution_id)
    months = {t.institution_id: rng.choice(MONTHS) for t in ordered}
    visits = [DrawnVisit(t.institution_id, BASELINE, months[t.institution_id]) for t in ordered]
    keyed = [
        (rng.random() ** (1 / weight(t.problems, problem_weight, problem_cap)), t.institution_id)
        for t in ordered
    ]
    keyed.sort(key=lambda pair: pair[0], reverse=True)
    for _key, institution_id in keyed[:extra_visits]:
        # a second visit in another month than the first
        month = rng.choice([m for m in MONTHS if m != months[institution_id]])
        visits.append(DrawnVisit(institution_id, WEIGHTED, month))
    return visits


def eligible(pool: Iterable[int], excluded: Iterable[int]) -> list[int]:
    """The pool minus the excluded users, sorted."""
    out = set(excluded)
    return sorted(user_id for user_id in set(pool) if user_id not in out)


def draw_inspectors(
    pool: Sequence[int], excluded: Mapping[str, Sequence[int]], visit: DrawnVisit, *, seed: str, size: int
) -> list[int] | None:
    """`size` inspectors for `visit` (sorted), or None when too few are eligible."""
    candidates = eligible(pool, excluded.get(visit.institution_id, ()))
    if len(candidates) < size:
        return None
    rng = random.Random(f"sjg-inspectors:{seed}:{visit.institution_id}:{visit.round}")
    return sorted(rng.sample(candidates, size))
