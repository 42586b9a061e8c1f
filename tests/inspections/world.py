"""A small world for the joint-work tests: the cases harness plus investigators and decided clues."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from sanjianguan.workflow_db.models import CaseDecision, Clue, Institution, Role, SelfCheck, User
from tests.cases.harness import Harness
from tests.workflow_db.fixtures import _user, sample_clue

AT = datetime(2026, 3, 1, tzinfo=UTC)


def add_investigators(h: Harness, names: dict[str, str]) -> dict[str, int]:
    """Investigator users by name → region; their ids."""
    with h.database.transaction() as session:
        users = {
            name: _user(session, name, Role.INVESTIGATOR, region, None) for name, region in names.items()
        }
        h.org.users.update(users)
        return {name: user.id for name, user in users.items()}


def add_institutions(h: Harness, institutions: dict[str, str]) -> None:
    with h.database.transaction() as session:
        session.add_all(Institution(id=i, name=f"{i} 医院", region_code=r) for i, r in institutions.items())


def decided_clue(
    session: Session,
    clue_id: str,
    *,
    institution: str,
    region: str,
    period: str,
    rule: str = "R-DUP-01",
    decision: str = "unreasonable",
    self_check: str | None = "confirmed",
    amount: str | None = "100.00",
    basis: str = "self_check",
) -> Clue:
    """A clue that went through the loop to a decision (rows as the workflow leaves them)."""
    clue = sample_clue(clue_id, institution, region, period)
    clue.rule_id, clue.status = rule, "decided"
    clue.amount_involved = None if amount is None else Decimal(amount)
    session.add(clue)
    session.flush()
    if self_check is not None:
        session.add(SelfCheck(clue_id=clue_id, outcome=self_check, explanation="x", submitted_at=AT))
    session.add(CaseDecision(clue_id=clue_id, decision=decision, basis=basis, decided_at=AT))
    session.flush()
    return clue


def user_id(h: Harness, name: str) -> int:
    user: User = h.org.users[name]
    return user.id
