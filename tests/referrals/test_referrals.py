"""移送: a round trip to the insurance bureau and one to the market regulator, with jurisdiction."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from sanjianguan.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from sanjianguan.referrals import service
from sanjianguan.referrals.service import Feedback
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent
from tests.cases.harness import Harness, make_harness
from tests.workflow_db.fixtures import Clock


@pytest.fixture
def h(database: Database, clock: Clock, tmp_path: Path) -> Harness:
    return make_harness(database, clock, tmp_path / "home")


def test_insurance_round_trip(h: Harness) -> None:
    now = h.clock.now
    sent = h.run(
        "city", service.refer, "c2", department="insurance", reason="疑似串换项目，涉及医保基金", now=now
    )
    with pytest.raises(ConflictError):  # one open referral per clue and department
        h.run("city", service.refer, "c2", department="insurance", reason="again", now=now)
    # the insurance user of 511503 (H2's county) sees it; the office of 511502 does not
    assert [r.id for r in h.run("insurance", service.list_referrals)] == [sent.id]
    with pytest.raises(NotFoundError):
        h.run("county", service.get, sent.id)
    with pytest.raises(PermissionDeniedError):  # institutions do not see referrals
        h.run("hospital2", service.get, sent.id)
    with pytest.raises(PermissionDeniedError):  # the sender does not answer for the insurance bureau
        h.run("city", service.answer, sent.id, Feedback("penalised", "x"), now=now)
    h.run("insurance", service.receive, sent.id, now=now)
    with pytest.raises(InvalidInputError):
        h.run("insurance", service.answer, sent.id, Feedback("penalised", "x", fine="-5"), now=now)
    done = h.run(
        "insurance",
        service.answer,
        sent.id,
        Feedback("penalised", "已追回并处罚款", amount_recovered="1234.56", fine=Decimal("2469.12")),
        now=now,
    )
    assert (done.status, done.outcome, done.amount_recovered, done.fine) == (
        "answered",
        "penalised",
        Decimal("1234.56"),
        Decimal("2469.12"),
    )
    seen = h.run("city", service.get, sent.id)  # the sender reads the feedback
    assert seen.feedback == "已追回并处罚款"
    with pytest.raises(ConflictError):
        h.run("insurance", service.answer, sent.id, Feedback("other", "again"), now=now)
    with h.database.sessions() as session:
        names = session.execute(
            select(AuditEvent.event).where(AuditEvent.subject_type == "referral")
        ).scalars()
        assert list(names) == ["referral.sent", "referral.received", "referral.answered"]
    # answered: the clue may be referred again
    h.run("city", service.refer, "c2", department="insurance", reason="新情况", now=now)


def test_market_regulator_feedback_recorded_by_the_office(h: Harness) -> None:
    now = h.clock.now
    sent = h.run("county", service.refer, "c1", department="market_regulator", reason="价格违法", now=now)
    with pytest.raises(NotFoundError):  # not the insurance bureau's referral (and c1 is outside 511503)
        h.run("insurance", service.get, sent.id)
    with pytest.raises(NotFoundError):  # outside the county's jurisdiction
        h.run("county", service.refer, "c2", department="insurance", reason="x", now=now)
    with pytest.raises(InvalidInputError):
        h.run("county", service.refer, "c1", department="police", reason="x", now=now)
    done = h.run(
        "county", service.answer, sent.id, Feedback("no_violation", "市场监管局复函：未发现价格违法"), now=now
    )
    assert done.status == "answered"
    assert done.amount_recovered is None
