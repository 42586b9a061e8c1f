"""Issue 10 item 4: free text that reaches an expert is scanned and identities masked.

The probe's examples: a hospital name, `h51150200001` in lower case, a person's name
present in the data (a user's display name), a mobile number; with an ID number, a
landline, and the ids of the clue's own institution (its other clues' patients).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from sanjianguan.cases.views import case_file
from sanjianguan.clues.anonymise import MASK, expert_evidence
from sanjianguan.workflow_db.models import (
    Adjudication,
    Clue,
    Institution,
    Role,
    SelfCheck,
    User,
    Verification,
)
from tests.workflow_db.fixtures import sample_clue, seed_org

WHEN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOSPITAL = "宜宾市第一人民医院"
CODE = "H51150200001"
TEXT = (
    f"经{HOSPITAL}何科长核实（见 x{CODE.lower()}号记录），患者 PAT-c9 联系电话 13812345678，"
    "身份证 51150219800101123X，座机 0831-2345678。"
)
SECRETS = (HOSPITAL, CODE.lower(), "何科长", "PAT-c9", "13812345678", "51150219800101123X", "2345678")


def _setup(session: Session) -> User:
    org = seed_org(session)
    session.add(Institution(id=CODE, name=HOSPITAL, region_code="511502"))
    session.add(
        User(
            username="hosp.contact",
            display_name=f"何科长（{HOSPITAL}医保办）",
            role=Role.INSTITUTION,
            institution_id=CODE,
            password_hash="x",
        )
    )
    session.add(sample_clue("c9", "H2", "511503"))  # another clue of the expert's clue's institution
    session.add(
        SelfCheck(clue_id="c2", outcome="disputed", explanation=TEXT, handling=TEXT, submitted_at=WHEN)
    )
    session.add(Verification(clue_id="c2", conclusion="confirmed", record=TEXT, verified_at=WHEN))
    session.add(Adjudication(clue_id="c2", opened_at=WHEN, reason=TEXT))
    session.commit()
    return org.users["expert"]


def _assert_masked(text: str | None) -> None:
    assert text is not None
    assert MASK in text
    leaked = [s for s in SECRETS if s.lower() in text.lower()]
    assert leaked == [], text


def test_free_texts_in_the_experts_case_file_are_masked(session: Session) -> None:
    expert = _setup(session)
    case = case_file(session, expert, "c2", today=date(2026, 3, 2))
    _assert_masked(case["self_check"]["explanation"])
    _assert_masked(case["self_check"]["handling"])
    _assert_masked(case["verification"]["record"])
    _assert_masked(case["adjudication"]["reason"])
    assert case["self_check"]["explanation"].startswith("经〔已遮蔽〕〔已遮蔽〕核实")


def test_others_still_read_the_text_as_written(session: Session) -> None:
    _setup(session)
    office = session.query(User).filter_by(username="city").one()
    case = case_file(session, office, "c2", today=date(2026, 3, 2))
    assert case["self_check"]["explanation"] == TEXT


def test_text_inside_evidence_is_masked_with_the_stores_names(session: Session) -> None:
    _setup(session)
    clue = session.get(Clue, "c2")
    assert clue is not None
    clue.evidence = {"reason": TEXT, "indicator_name": "次均费用", "value": "1.2"}
    shown = expert_evidence(clue)
    _assert_masked(shown["reason"])
    assert shown["indicator_name"] == "次均费用"
