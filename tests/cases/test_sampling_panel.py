"""Sampling is seeded, stratified and logged; panels exclude the same institution and conflicts."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from sanjianguan.cases import panel, sampling, service
from sanjianguan.cases.states import SelfCheckOutcome, VerificationConclusion
from sanjianguan.errors import ConflictError
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent, Clue, SamplingMember
from tests.cases.harness import Harness, make_harness, pdf
from tests.workflow_db.fixtures import Clock


def population(n_per: dict[tuple[str, str], int]) -> list[sampling.Candidate]:
    return [
        sampling.Candidate(f"{inst}-{rule}-{i:03d}", inst, rule)
        for (inst, rule), n in n_per.items()
        for i in range(n)
    ]


def test_draw_is_reproducible_and_proportional() -> None:
    pop = population({("H1", "R1"): 50, ("H1", "R2"): 20, ("H2", "R1"): 30})
    first = sampling.draw(pop, Decimal("0.2"), "seed-1")
    assert first == sampling.draw(list(reversed(pop)), Decimal("0.2"), "seed-1")
    assert first != sampling.draw(pop, Decimal("0.2"), "seed-2")
    assert len(first) == 20
    per_stratum = {
        key: sum(1 for c in first if c.startswith(key.replace("|", "-"))) for key in sampling.strata(pop)
    }
    assert per_stratum == {"H1|R1": 10, "H1|R2": 4, "H2|R1": 6}


def test_draw_rounds_up_and_spreads_remainders() -> None:
    pop = population({("H1", "R1"): 3, ("H2", "R1"): 3, ("H3", "R1"): 1})
    drawn = sampling.draw(pop, Decimal("0.2"), "x")
    assert len(drawn) == 2  # ceil(0.2 × 7)
    assert len({c.split("-")[0] for c in drawn}) == 2  # two different strata, not both from one


@pytest.fixture
def h(database: Database, clock: Clock, tmp_path: Path) -> Harness:
    return make_harness(database, clock, tmp_path / "home")


def _self_checked(h: Harness, ids: list[str], period: str, outcome: SelfCheckOutcome) -> None:
    h.add_clues(ids, period=period)
    h.run("county", service.push_period, period, "511502", now=h.clock.now)
    for clue_id in ids:
        h.run(
            "hospital1",
            service.self_check,
            clue_id,
            outcome=outcome,
            explanation="说明",
            handling="处理",
            files=[pdf()],
            store=h.store,
            now=h.clock.now,
        )


def test_sample_service_logs_seed_and_population(h: Harness) -> None:
    ids = [f"s{i:02d}" for i in range(10)]
    _self_checked(h, ids, "2025-06", SelfCheckOutcome.DISPUTED)
    result = h.run("county", service.sample, "2025-06", "511502", seed="42", include=["s07"], now=h.clock.now)
    candidates = [sampling.Candidate(i, "H1", "R-DUP-01") for i in ids]
    assert set(result.drawn) == sampling.draw(candidates, Decimal("0.2"), "42") | {"s07"}
    with h.database.sessions() as s:
        event = s.execute(select(AuditEvent).where(AuditEvent.event == "case.sample_drawn")).scalar_one()
        assert event.payload["seed"] == "42"
        assert event.payload["population"] == ids
        assert event.payload["selected"] == ["s07"]
        members = s.execute(select(SamplingMember)).scalars().all()
        assert len(members) == 10
        assert {m.clue_id for m in members if m.drawn} == set(result.drawn)
        statuses = {c.id: c.status for c in s.execute(select(Clue).where(Clue.id.in_(ids))).scalars()}
    assert {i for i, st in statuses.items() if st == "sampled"} == set(result.drawn)
    with pytest.raises(ConflictError):  # every clue of the period is in a draw already
        h.run("county", service.sample, "2025-06", "511502", seed="42", now=h.clock.now)


def test_panel_excludes_same_institution_and_conflicts(h: Harness) -> None:
    _self_checked(h, ["a1"], "2025-07", SelfCheckOutcome.DISPUTED)
    h.run("county", service.sample, "2025-07", "511502", seed="1", now=h.clock.now)
    h.run(
        "investigator",
        service.verify,
        "a1",
        conclusion=VerificationConclusion.DISAGREE,
        record_text="x",
        store=h.store,
        now=h.clock.now,
    )
    with h.database.sessions() as s:
        clue = s.get(Clue, "a1")
        assert clue is not None
        pool = panel.eligible_pool(s, clue, "内科")
    names = {u.id: n for n, u in h.org.users.items()}
    assert sorted(names[i] for i in pool) == ["e1", "e2", "e3", "e4", "e5"]
    h.run("adjudicator", service.open_adjudication, "a1", reason="争议", now=h.clock.now)
    with pytest.raises(ConflictError) as raised:
        h.run("adjudicator", service.draw_panel, "a1", specialty="外科", size=3, now=h.clock.now)
    assert raised.value.code == "panel_pool_too_small"
    first = h.run(
        "adjudicator", service.draw_panel, "a1", specialty="内科", size=5, seed="9", now=h.clock.now
    )
    assert sorted(first) == sorted(pool)
    assert panel.draw_panel(pool, 3, "9") == panel.draw_panel(list(reversed(pool)), 3, "9")
