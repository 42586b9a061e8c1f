"""One status style: every state column is typed with its StrEnum, stored as the same text as before."""

from __future__ import annotations

import enum

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select, text

from sanjianguan.analytic_store.batch_status import BATCH_STATUS_ZH, BatchStatus
from sanjianguan.workflow_db.base import string_enum
from sanjianguan.workflow_db.models import (
    AccountabilityProposal,
    Campaign,
    CampaignStatus,
    Clue,
    ClueStatus,
    InspectionVisit,
    Mitigation,
    PointRecord,
    PointState,
    ProposalStatus,
    Referral,
    ReferralStatus,
    VisitStatus,
)
from sanjianguan.workflow_db.models.accountability import MITIGATION_ZH, PROPOSAL_STATUS_ZH
from sanjianguan.workflow_db.models.cases import (
    Adjudication,
    Appeal,
    CaseDecision,
    Deadline,
    SelfCheck,
    Vote,
)
from sanjianguan.workflow_db.models.clues import STATUS_ZH
from sanjianguan.workflow_db.models.jointwork import (
    CAMPAIGN_STATUS_ZH,
    REFERRAL_OUTCOME_ZH,
    REFERRAL_STATUS_ZH,
    VISIT_STATUS_ZH,
    ReferralOutcome,
)
from sanjianguan.workflow_db.models.org import LOGIN_OUTCOME_ZH, LoginAttempt, LoginOutcome
from sanjianguan.workflow_db.models.outcomes import (
    DEADLINE_OUTCOME_ZH,
    DECISION_BASIS_ZH,
    DECISION_ZH,
    REVIEW_RESULT_ZH,
    SELF_CHECK_OUTCOME_ZH,
    VERIFICATION_CONCLUSION_ZH,
    DeadlineOutcome,
    Decision,
    DecisionBasis,
    ReviewResult,
    SelfCheckOutcome,
    VerificationConclusion,
)
from sanjianguan.workflow_db.models.points import APPEAL_RESULT_ZH, POINT_STATE_ZH, AppealResult, PointAppeal

# The text each status was stored as before it became an enum: it must not change (no data migration).
STORED: dict[type[enum.StrEnum], tuple[str, ...]] = {
    VisitStatus: ("planned", "done"),
    CampaignStatus: ("open", "closed"),
    ReferralStatus: ("sent", "received", "answered"),
    PointState: ("active", "revoked"),
    BatchStatus: ("accepted", "rejected", "unchanged"),
}
LABELS: dict[type[enum.StrEnum], dict] = {  # type: ignore[type-arg]
    VisitStatus: VISIT_STATUS_ZH,
    CampaignStatus: CAMPAIGN_STATUS_ZH,
    ReferralStatus: REFERRAL_STATUS_ZH,
    PointState: POINT_STATE_ZH,
    BatchStatus: BATCH_STATUS_ZH,
}
COLUMNS = [
    (InspectionVisit.__table__.c.status, VisitStatus),
    (Campaign.__table__.c.status, CampaignStatus),
    (Referral.__table__.c.status, ReferralStatus),
    (PointRecord.__table__.c.state, PointState),
]


@pytest.mark.parametrize("status", list(STORED), ids=lambda s: s.__name__)
def test_values_are_the_stored_text(status: type[enum.StrEnum]) -> None:
    assert tuple(m.value for m in status) == STORED[status]


@pytest.mark.parametrize("status", list(LABELS), ids=lambda s: s.__name__)
def test_every_member_has_a_chinese_label(status: type[enum.StrEnum]) -> None:
    assert set(LABELS[status]) == set(status)
    assert all(label and label.isascii() is False for label in LABELS[status].values())
    assert [m.label_zh for m in status] == [LABELS[status][m] for m in status]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("column", "status"), COLUMNS, ids=lambda c: getattr(c, "name", None))
def test_column_is_typed_with_its_enum_in_the_migrated_width(
    column: Column, status: type[enum.StrEnum]
) -> None:
    assert column.type.enum_class is status  # type: ignore[attr-defined]
    assert column.type.length == 16  # type: ignore[attr-defined]
    assert not column.type.native_enum  # type: ignore[attr-defined]


@pytest.mark.parametrize("status", [VisitStatus, CampaignStatus, ReferralStatus, PointState])
def test_a_member_is_stored_as_its_text_and_read_back_as_the_member(status: type[enum.StrEnum]) -> None:
    engine = create_engine("sqlite://")
    table = Table(
        "t", MetaData(), Column("id", Integer, primary_key=True), Column("s", string_enum(status, 16))
    )
    table.create(engine)
    with engine.begin() as conn:
        for member in status:
            conn.execute(insert(table).values(s=member))
        assert [r[0] for r in conn.execute(text("SELECT s FROM t ORDER BY id"))] == list(STORED[status])
        read = list(conn.execute(select(table.c.s).order_by(table.c.id)).scalars())
        assert read == list(status)
        assert all(type(v) is status for v in read)


@pytest.mark.parametrize("status", [VisitStatus, CampaignStatus, ReferralStatus, PointState])
def test_a_stray_text_in_the_column_fails_loudly_when_read(status: type[enum.StrEnum]) -> None:
    engine = create_engine("sqlite://")
    table = Table("t", MetaData(), Column("s", string_enum(status, 16)))
    table.create(engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES ('not_a_status')"))
        with pytest.raises(LookupError):
            conn.execute(select(table.c.s)).scalars().all()


# --- the columns typed after the joint-work and points ones (clues, cases, accountability, points) ---

# (column, its enum, the width its migration gave it, the text each member was stored as before)
TYPED_LATER: list[tuple[Column, type[enum.StrEnum], int, tuple[str, ...]]] = [
    (
        Clue.__table__.c.status,
        ClueStatus,
        32,
        (
            "generated",
            "pushed",
            "self_checked",
            "sampled",
            "verified",
            "adjudicating",
            "decided",
            "appealed",
            "accountability",
            "closed",
        ),
    ),
    (
        AccountabilityProposal.__table__.c.status,
        ProposalStatus,
        16,
        ("proposed", "confirmed", "rejected", "withdrawn"),
    ),
    (
        AccountabilityProposal.__table__.c.mitigation,
        Mitigation,
        16,
        ("none", "lighter", "exempted", "aggravated"),
    ),
    (SelfCheck.__table__.c.outcome, SelfCheckOutcome, 16, ("confirmed", "disputed")),
    (Adjudication.__table__.c.ruling, Decision, 16, ("unreasonable", "reasonable")),
    (Vote.__table__.c.vote, Decision, 16, ("unreasonable", "reasonable")),
    (CaseDecision.__table__.c.decision, Decision, 16, ("unreasonable", "reasonable")),
    (
        CaseDecision.__table__.c.basis,
        DecisionBasis,
        16,
        ("self_check", "verification", "ruling", "article_31", "review"),
    ),
    (Appeal.__table__.c.result, ReviewResult, 16, ("upheld", "overturned")),
    (
        Deadline.__table__.c.outcome,
        DeadlineOutcome,
        16,
        ("met", "met_late", "missed", "lapsed", "cancelled"),
    ),
    (PointAppeal.__table__.c.result, AppealResult, 16, ("upheld", "amended", "revoked")),
    (
        Referral.__table__.c.outcome,
        ReferralOutcome,
        16,
        ("penalised", "no_violation", "transferred", "other"),
    ),
    (LoginAttempt.__table__.c.outcome, LoginOutcome, 16, ("success", "failure", "locked")),
]
LATER_LABELS: dict[type[enum.StrEnum], dict] = {  # type: ignore[type-arg]
    ClueStatus: STATUS_ZH,
    ProposalStatus: PROPOSAL_STATUS_ZH,
    SelfCheckOutcome: SELF_CHECK_OUTCOME_ZH,
    VerificationConclusion: VERIFICATION_CONCLUSION_ZH,
    Decision: DECISION_ZH,
    DecisionBasis: DECISION_BASIS_ZH,
    ReviewResult: REVIEW_RESULT_ZH,
    DeadlineOutcome: DEADLINE_OUTCOME_ZH,
    AppealResult: APPEAL_RESULT_ZH,
    ReferralOutcome: REFERRAL_OUTCOME_ZH,
    LoginOutcome: LOGIN_OUTCOME_ZH,
}


def _later_id(value: object) -> str | None:
    return f"{value.table.name}.{value.name}" if isinstance(value, Column) else None


@pytest.mark.parametrize(("column", "status", "width", "stored"), TYPED_LATER, ids=_later_id)
def test_later_column_is_typed_with_its_enum_in_the_migrated_width(
    column: Column, status: type[enum.StrEnum], width: int, stored: tuple[str, ...]
) -> None:
    assert column.type.enum_class is status  # type: ignore[attr-defined]
    assert column.type.length == width  # type: ignore[attr-defined]
    assert not column.type.native_enum  # type: ignore[attr-defined]
    assert tuple(m.value for m in status) == stored


@pytest.mark.parametrize(("column", "status", "width", "stored"), TYPED_LATER, ids=_later_id)
def test_later_column_round_trips_its_text_and_refuses_a_stray_value(
    column: Column, status: type[enum.StrEnum], width: int, stored: tuple[str, ...]
) -> None:
    engine = create_engine("sqlite://")
    table = Table(
        "t", MetaData(), Column("id", Integer, primary_key=True), Column("s", string_enum(status, width))
    )
    table.create(engine)
    with engine.begin() as conn:
        for member in status:
            conn.execute(insert(table).values(s=member))
        assert [r[0] for r in conn.execute(text("SELECT s FROM t ORDER BY id"))] == list(stored)
        read = list(conn.execute(select(table.c.s).order_by(table.c.id)).scalars())
        assert read == list(status)
        assert all(type(v) is status for v in read)
        conn.execute(text("INSERT INTO t (s) VALUES ('not_a_status')"))
        with pytest.raises(LookupError):
            conn.execute(select(table.c.s)).scalars().all()


@pytest.mark.parametrize("status", list(LATER_LABELS), ids=lambda s: s.__name__)
def test_later_status_has_a_chinese_label_per_member(status: type[enum.StrEnum]) -> None:
    labels = LATER_LABELS[status]
    assert set(labels) == set(status)
    assert all(label and not label.isascii() for label in labels.values())
    assert [m.label_zh for m in status] == [labels[m] for m in status]  # type: ignore[attr-defined]


def test_the_old_import_paths_still_give_the_same_enums() -> None:
    from sanjianguan.access import ratelimit
    from sanjianguan.accountability import service
    from sanjianguan.cases import states
    from sanjianguan.points import service as points_service

    assert states.ClueStatus is ClueStatus
    assert states.STATUS_ZH is STATUS_ZH
    moved = (SelfCheckOutcome, VerificationConclusion, Decision, DecisionBasis, ReviewResult)
    assert all(getattr(states, e.__name__) is e for e in moved)
    assert service.ProposalStatus is ProposalStatus
    assert service.Mitigation is Mitigation
    assert service.MITIGATION_ZH is MITIGATION_ZH
    assert points_service.AppealResult is AppealResult
    assert tuple(LoginOutcome) == (ratelimit.SUCCESS, ratelimit.FAILURE, ratelimit.LOCKED)


def test_referral_outcomes_keep_their_plain_text_keys_and_labels() -> None:
    from sanjianguan.referrals.service import OUTCOMES

    assert OUTCOMES == {
        "penalised": "已查处",
        "no_violation": "未发现违法违规",
        "transferred": "已移送司法机关",
        "other": "其他",
    }
    assert all(type(key) is str for key in OUTCOMES)  # the invalid-outcome message lists them


def test_a_stray_clue_status_fails_loudly_when_the_clue_is_loaded() -> None:
    from sqlalchemy.orm import Session

    from sanjianguan.workflow_db.base import Base

    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.execute(
            text(
                "INSERT INTO clues (id, source_kind, source_id, rule_id, period, institution_id, "
                "evidence, status, created_at, updated_at, version) VALUES "
                "('XS1', 'hit', 's1', 'C01', '2025-01', 'H1', '{}', 'generatd', "
                "'2025-01-01 00:00:00', '2025-01-01 00:00:00', 1)"
            )
        )
        with pytest.raises(LookupError):
            session.execute(select(Clue)).scalars().all()
