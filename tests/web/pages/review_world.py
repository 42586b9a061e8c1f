"""A clue walked to the experts' panel, for the tests of the expert, verification and audit pages.

The clue belongs to an institution with distinctive id and name, its evidence and texts
name the institution, the doctor and the patient, and the panel's experts have distinctive
usernames and names: so a test can look for every one of them in a page's bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sanjianguan.cases import service
from sanjianguan.cases.states import SelfCheckOutcome, VerificationConclusion
from sanjianguan.workflow_db.models import Clue, Institution, User
from tests.cases.harness import Harness, pdf

INSTITUTION = "INSTSECRET4417"
INSTITUTION_NAME = "保密测试第九人民医院"
CLUE = "XSBCDFGHJKLMNPQRS"
PERIOD = "2026-02"
DOCTOR = f"DOC-{CLUE}"
PATIENT = f"PAT-{CLUE}"
ENCOUNTER = f"ENC-{CLUE}"
DEPARTMENT = f"DEPT-{CLUE}"


@dataclass
class Panel:
    clue_id: str
    experts: list[str]  # usernames, in panel order
    names: dict[str, str] = field(default_factory=dict)  # username → display name

    def secrets(self) -> list[str]:
        """What an expert's page must never contain (the identities, the other experts)."""
        return [INSTITUTION, INSTITUTION_NAME, DOCTOR, PATIENT, ENCOUNTER, DEPARTMENT]


def add_secret_clue(h: Harness) -> None:
    with h.database.transaction() as session:
        session.add(Institution(id=INSTITUTION, name=INSTITUTION_NAME, region_code="511502"))
        session.flush()
        clue = Clue(
            id=CLUE,
            source_kind="hit",
            source_id=CLUE,
            rule_id="C01",
            period=PERIOD,
            region_code="511502",
            institution_id=INSTITUTION,
            department=DEPARTMENT,
            doctor_id=DOCTOR,
            patient_id=PATIENT,
            encounter_id=ENCOUNTER,
            evidence={
                "patient_id": PATIENT,
                "line_ids": ["LINE-A-991", "LINE-B-992"],
                "stays": f"2026-02-03|{ENCOUNTER}|{INSTITUTION}",
                "reason": f"{INSTITUTION_NAME} 医师 {DOCTOR} 为患者 {PATIENT} 重复收费",
                "amount": 88.5,
                "birth_date": "1960-05-01",
            },
        )
        session.add(clue)


def to_panel(h: Harness) -> Panel:
    """The secret clue pushed, disputed, sampled, verified 'disagree', a panel of 3 drawn."""
    add_secret_clue(h)
    now = h.clock.now
    h.run("county", service.push_period, PERIOD, "511502", now=now)
    with h.database.transaction() as session:  # the institution's own user
        hospital = session.get(User, h.org.users["hospital1"].id)
        assert hospital is not None
        hospital.institution_id = INSTITUTION
    h.run(
        "hospital1",
        service.self_check,
        CLUE,
        outcome=SelfCheckOutcome.DISPUTED,
        explanation=f"{INSTITUTION_NAME}已核查患者 {PATIENT} 的病历",
        handling="",
        files=[pdf(f"{INSTITUTION_NAME}-{PATIENT}.pdf")],
        store=h.store,
        now=now,
    )
    h.run("county", service.sample, PERIOD, "511502", seed="t", include=[CLUE], now=now)
    h.run(
        "investigator",
        service.verify,
        CLUE,
        conclusion=VerificationConclusion.DISAGREE,
        record_text=f"现场核查 {DOCTOR} 的医嘱",
        store=h.store,
        now=now,
    )
    h.run("adjudicator", service.open_adjudication, CLUE, reason=f"{INSTITUTION} 自查与核实不一致", now=now)
    ids = h.run("adjudicator", service.draw_panel, CLUE, specialty="内科", size=3, seed="s", now=now)
    by_id = {u.id: name for name, u in h.org.users.items()}
    panel = Panel(CLUE, [])
    with h.database.transaction() as session:
        for number, user_id in enumerate(ids, 1):
            user = session.get(User, user_id)
            assert user is not None
            user.username = f"panelist-{by_id[user_id]}-x{number}"
            user.display_name = f"评审专家{'甲乙丙'[number - 1]}某"
            panel.experts.append(user.username)
            panel.names[user.username] = user.display_name
    return panel
