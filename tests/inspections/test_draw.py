"""双随机: the pure draw — reproducible, full coverage, weighted towards problems, conflicts honoured."""

from __future__ import annotations

from collections import Counter

from sanjianguan.inspections.draw import (
    BASELINE,
    WEIGHTED,
    DrawnVisit,
    Target,
    draw_inspectors,
    draw_targets,
    weight,
)

CLEAN = [Target(f"H{i:02d}", 0) for i in range(1, 10)]
PROBLEM = Target("HP", 3)  # three confirmed problems: weight 1 + 2 × 3 = 7
TARGETS = [*CLEAN, PROBLEM]


def _draw(seed: str, extra: int = 3) -> list[DrawnVisit]:
    return draw_targets(TARGETS, seed=seed, extra_visits=extra, problem_weight=2, problem_cap=5)


def test_weight_is_capped() -> None:
    assert weight(0, 2, 5) == 1
    assert weight(3, 2, 5) == 7
    assert weight(9, 2, 5) == 11  # capped at 5 problems: 1 + 2 × 5
    assert weight(-1, 2, 5) == 1


def test_same_seed_same_draw_and_another_seed_differs() -> None:
    assert _draw("2026-a") == _draw("2026-a")
    assert draw_targets(
        list(reversed(TARGETS)), seed="2026-a", extra_visits=3, problem_weight=2, problem_cap=5
    ) == (_draw("2026-a")), "the input order does not matter"
    assert _draw("2026-a") != _draw("2026-b")


def test_every_institution_once_a_year_whatever_the_seed() -> None:
    for n in range(200):
        visits = _draw(f"s{n}")
        baseline = Counter(v.institution_id for v in visits if v.round == BASELINE)
        assert baseline == Counter({t.institution_id: 1 for t in TARGETS})
        extra = [v for v in visits if v.round == WEIGHTED]
        assert len(extra) == 3
        assert len({v.institution_id for v in extra}) == 3  # without replacement: at most 2 visits each
        firsts = {v.institution_id: v.month for v in visits if v.round == BASELINE}
        assert all(1 <= v.month <= 12 and v.month != firsts[v.institution_id] for v in extra)


def test_weighting_favours_problem_institutions_over_many_seeds() -> None:
    seeds = 1000
    drawn = Counter(
        v.institution_id for n in range(seeds) for v in _draw(f"w{n}", extra=2) if v.round == WEIGHTED
    )
    clean_mean = sum(drawn[t.institution_id] for t in CLEAN) / len(CLEAN)
    # Weight 7 against nine of weight 1, 2 places: the problem institution is drawn in most
    # seeds (about 0.7 of them), a clean one in about 0.14; a uniform draw would give 0.2 each.
    assert drawn["HP"] > 0.65 * seeds
    assert clean_mean < 0.17 * seeds
    assert drawn["HP"] > 4 * clean_mean


def test_conflicted_inspector_is_never_drawn() -> None:
    pool = [1, 2, 3, 4, 5]
    excluded = {"H01": [2, 4]}
    for n in range(300):
        visit = DrawnVisit("H01", BASELINE, 1)
        team = draw_inspectors(pool, excluded, visit, seed=f"i{n}", size=2)
        assert team is not None
        assert len(team) == 2
        assert not {2, 4} & set(team)
    other = {
        tuple(draw_inspectors(pool, excluded, DrawnVisit("H02", BASELINE, 1), seed=f"i{n}", size=2) or ())
        for n in range(300)
    }
    assert any(2 in team for team in other)  # the conflict is with H01 only
    assert draw_inspectors(pool, excluded, DrawnVisit("H01", BASELINE, 1), seed="x", size=4) is None
