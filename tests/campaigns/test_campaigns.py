"""专项治理: phases, participation, the hand-summed closing tally, the pre-filled self-check form."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from sanjianguan.campaigns import service
from sanjianguan.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent, Campaign
from tests.cases.harness import Harness, make_harness
from tests.inspections.world import decided_clue
from tests.workflow_db.fixtures import Clock

# Seed 002's shape: deployment, then self-check and supervision side by side, then consolidation.
PHASES = {
    "deployment": (date(2026, 3, 10), date(2026, 3, 31)),
    "self_check": (date(2026, 4, 1), date(2026, 5, 15)),
    "supervision": (date(2026, 4, 1), date(2026, 11, 30)),
    "consolidation": (date(2026, 12, 1), date(2026, 12, 31)),
}


@pytest.fixture
def h(database: Database, clock: Clock, tmp_path: Path) -> Harness:
    return make_harness(database, clock, tmp_path / "home")


def _campaign(h: Harness) -> Campaign:
    return h.run(
        "city",
        service.create,
        title="不合理医疗检查及用药专项治理",
        region_code="511500",
        rule_ids=["R-DUP-01", "D01"],
        phases=PHASES,
        now=h.clock.now,
    )


def _add(h: Harness, who: str, cid: int, inst: str, kind: str, amount: str, source: str = "found") -> int:
    row = h.run(
        who,
        service.add_record,
        cid,
        institution_id=inst,
        kind=kind,
        amount=amount,
        source=source,
        now=h.clock.now,
    )
    return row.id


def test_tally_is_the_hand_sum_of_the_records(h: Harness) -> None:
    c = _campaign(h)
    assert h.run("city", service.institutions, c.id) == ["H1", "H2"]  # the city's institutions (H3 elsewhere)
    _add(h, "city", c.id, "H1", "confirmed", "12345.67")
    _add(h, "county", c.id, "H1", "fine", "24691.34")
    _add(h, "investigator", c.id, "H1", "recovered", "12345.67")
    _add(h, "hospital1", c.id, "H1", "refund", "800.05", "self_reported")
    _add(h, "hospital2", c.id, "H2", "confirmed", "0.10", "self_reported")
    _add(h, "insurance", c.id, "H2", "confirmed", "0.20")
    wrong = _add(h, "insurance", c.id, "H2", "fine", "999.99")
    h.run("city", service.void_record, c.id, wrong, reason="录入错误", now=h.clock.now)
    tally = h.run("city", service.tally, c.id)
    # by hand: confirmed 12345.67 + 0.10 + 0.20 = 12345.97; the voided 999.99 fine is out
    assert tally.total == {
        "confirmed": Decimal("12345.97"),
        "fine": Decimal("24691.34"),
        "recovered": Decimal("12345.67"),
        "refund": Decimal("800.05"),
    }
    assert tally.by_institution["H2"]["confirmed"] == Decimal("0.30")  # exact, no float
    assert tally.by_institution["H2"]["fine"] == Decimal("0.00")
    assert tally.by_source["self_reported"]["refund"] == Decimal("800.05")  # 自查从宽
    assert tally.by_source["self_reported"]["confirmed"] == Decimal("0.10")
    assert tally.records == 6
    # a county sees its own institution's part; an institution its own
    assert list(h.run("county", service.tally, c.id).by_institution) == ["H1"]
    assert h.run("hospital2", service.tally, c.id).total["confirmed"] == Decimal("0.30")
    records = h.run("city", service.list_records, c.id)
    assert records[0].phase == "deployment"  # 2026-03-16 falls in the deployment phase
    with pytest.raises(PermissionDeniedError):  # the county does not close the city's campaign
        h.run("county", service.close, c.id, now=h.clock.now)
    closed = h.run("city", service.close, c.id, reason="巩固提升结束", now=h.clock.now)
    assert closed.total == tally.total
    with pytest.raises(ConflictError):
        _add(h, "city", c.id, "H1", "fine", "1.00")
    with h.database.sessions() as session:
        event = session.execute(select(AuditEvent).where(AuditEvent.event == "campaign.closed")).scalar_one()
        assert event.payload["tally"]["total"]["confirmed"] == "12345.97"


def test_refusals(h: Harness) -> None:
    c = _campaign(h)
    with pytest.raises(PermissionDeniedError):  # fines are the authorities' to record
        _add(h, "hospital1", c.id, "H1", "fine", "1.00", "self_reported")
    with pytest.raises(PermissionDeniedError):
        _add(h, "hospital1", c.id, "H1", "refund", "1.00", "found")
    with pytest.raises(NotFoundError):  # not the institution's own
        _add(h, "hospital1", c.id, "H2", "refund", "1.00", "self_reported")
    with pytest.raises(NotFoundError):  # H1 is outside the insurance user's county
        _add(h, "insurance", c.id, "H1", "fine", "1.00")
    for amount in ("1.005", "-1", "0", "abc"):
        with pytest.raises(InvalidInputError):
            _add(h, "city", c.id, "H1", "fine", amount)
    with pytest.raises(NotFoundError):
        h.run("other_city", service.get, c.id)
    bad = dict(PHASES, consolidation=(date(2026, 3, 1), date(2026, 3, 2)))
    with pytest.raises(InvalidInputError, match="cannot come before"):
        h.run(
            "city",
            service.create,
            title="x",
            region_code="511500",
            rule_ids=["R"],
            phases=bad,
            now=h.clock.now,
        )
    with pytest.raises(InvalidInputError):
        h.run(
            "city",
            service.create,
            title="x",
            region_code="511500",
            rule_ids=["R"],
            phases=PHASES,
            institution_ids=["H3"],
            now=h.clock.now,
        )
    with pytest.raises(NotFoundError):
        h.run(
            "county",
            service.create,
            title="x",
            region_code="511500",
            rule_ids=["R"],
            phases=PHASES,
            now=h.clock.now,
        )
    assert h.run("city", service.tally, c.id).records == 0


def test_self_check_form_prefilled_from_clues(h: Harness) -> None:
    c = _campaign(h)
    with h.database.transaction() as s:
        decided_clue(s, "d1", institution="H1", region="511502", period="2026-05", rule="D01", amount="50.00")
    h.add_clues(["x1"], institution="H1", period="2026-06")  # R-DUP-01, 1234.56, undecided
    form = h.run("hospital1", service.self_check_form, c.id, "H1")
    # c1 (2026-02) is before the campaign's months 2026-03..2026-12 and does not count
    assert (form["period_from"], form["period_to"]) == ("2026-03", "2026-12")
    assert form["rules"] == [
        {"rule_id": "R-DUP-01", "clues": 1, "amount_involved": Decimal("1234.56"), "decided_unreasonable": 0},
        {"rule_id": "D01", "clues": 1, "amount_involved": Decimal("50.00"), "decided_unreasonable": 1},
    ]
    with pytest.raises(NotFoundError):
        h.run("hospital1", service.self_check_form, c.id, "H2")
