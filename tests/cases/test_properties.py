"""Random sequences of actions by random users: no illegal state, nothing outside jurisdiction.

Each example starts from a fresh SQLite store (copied from the migrated template). After
every step: each clue's status is reachable through the table; a successful action is a
row of the table for the actor's role; a refused action changed nothing; every user can
read exactly the clues of their jurisdiction. At the end the audit chain verifies.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from sanjianguan.access.jurisdiction import visible_clues
from sanjianguan.audit.verify import verify as verify_chain
from sanjianguan.calendar.workdays import china_date
from sanjianguan.cases import deadlines, service, views
from sanjianguan.cases.states import Decision, ReviewResult, SelfCheckOutcome, VerificationConclusion
from sanjianguan.cases.transitions import CaseAction, find, reachable
from sanjianguan.errors import NotFoundError, WorkflowError
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent, Clue, ExpertAssignment, User
from tests.cases.harness import Harness, make_harness, pdf
from tests.workflow_db.fixtures import Clock

CLUES = ["c1", "c2", "c3"]
USERS = [
    "province",
    "city",
    "county",
    "other_city",
    "investigator",
    "adjudicator",
    "insurance",
    "auditor",
    "hospital1",
    "hospital2",
    "expert",
    "e1",
    "e2",
    "e3",
    "e4",
]
# Static jurisdiction (clues c1: H1/511502, c2: H2/511503, c3: H3/510104), experts: assigned only.
STATIC = {
    "province": {"c1", "c2", "c3"},
    "auditor": {"c1", "c2", "c3"},
    "city": {"c1", "c2"},
    "adjudicator": {"c1", "c2"},
    "county": {"c1"},
    "investigator": {"c1"},
    "insurance": {"c2"},
    "other_city": {"c3"},
    "hospital1": {"c1"},
    "hospital2": {"c2"},
}


def _act(h: Harness, action: str, user: str, clue: str) -> tuple[CaseAction | None, Any]:
    now, store = h.clock.now, h.store
    region = {"c1": "511502", "c2": "511503", "c3": "510104"}[clue]
    calls: dict[str, tuple[CaseAction | None, Callable[[], Any]]] = {
        "push": (None, lambda: h.run(user, service.push_period, "2026-02", region, now=now)),
        "remind": (CaseAction.REMIND, lambda: h.run(user, service.remind, clue, now=now)),
        "self_check": (
            CaseAction.SELF_CHECK,
            lambda: h.run(
                user,
                service.self_check,
                clue,
                outcome=SelfCheckOutcome.DISPUTED,
                explanation="x",
                files=[pdf()],
                store=store,
                now=now,
            ),
        ),
        "sample": (None, lambda: h.run(user, service.sample, "2026-02", region, seed="p", now=now)),
        "verify": (
            CaseAction.VERIFY,
            lambda: h.run(
                user,
                service.verify,
                clue,
                conclusion=VerificationConclusion.DISAGREE,
                record_text="x",
                store=store,
                now=now,
            ),
        ),
        "open": (
            CaseAction.OPEN_ADJUDICATION,
            lambda: h.run(user, service.open_adjudication, clue, reason="x", now=now),
        ),
        "draw": (
            CaseAction.DRAW_PANEL,
            lambda: h.run(user, service.draw_panel, clue, specialty="内科", size=3, seed="s", now=now),
        ),
        "vote": (
            CaseAction.VOTE,
            lambda: h.run(user, service.vote, clue, value=Decision.UNREASONABLE, opinion="x", now=now),
        ),
        "rule": (CaseAction.RULE, lambda: h.run(user, service.rule, clue, text="x", now=now)),
        "decide": (CaseAction.DECIDE, lambda: h.run(user, service.decide, clue, now=now)),
        "request": (
            CaseAction.REQUEST_EVIDENCE,
            lambda: h.run(user, service.request_evidence, clue, text="x", now=now),
        ),
        "supply": (
            CaseAction.SUPPLY_EVIDENCE,
            lambda: h.run(user, service.supply_evidence, clue, files=[pdf()], store=store, now=now),
        ),
        "notify": (CaseAction.NOTIFY, lambda: h.run(user, service.notify, clue, text="x", now=now)),
        "appeal": (CaseAction.APPEAL, lambda: h.run(user, service.appeal, clue, reason="x", now=now)),
        "review": (
            CaseAction.REVIEW,
            lambda: h.run(user, service.review, clue, result=ReviewResult.UPHELD, text="x", now=now),
        ),
        "notice": (
            CaseAction.ISSUE_RESPONSIBILITY_NOTICE,
            lambda: h.run(user, service.issue_responsibility_notice, clue, text="x", now=now),
        ),
        "rectify": (
            CaseAction.REPORT_RECTIFICATION,
            lambda: h.run(user, service.report_rectification, clue, report="x", store=store, now=now),
        ),
        "close": (CaseAction.CLOSE, lambda: h.run(user, service.close, clue, now=now)),
    }
    action_name, call = calls[action]
    return action_name, call()


def _snapshot(h: Harness) -> tuple[dict[str, str], int]:
    with h.database.sessions() as s:
        statuses = {c.id: c.status for c in s.execute(select(Clue)).scalars()}
        return statuses, s.execute(select(func.count()).select_from(AuditEvent)).scalar_one()


def _check_jurisdiction(h: Harness) -> None:
    with h.database.sessions() as s:
        assigned: dict[int, set[str]] = {}
        for row in s.execute(select(ExpertAssignment)).scalars():
            assigned.setdefault(row.expert_user_id, set()).add(row.clue_id)
        for name in USERS:
            user = s.get(User, h.org.users[name].id)
            assert user is not None
            seen = {c.id for c in s.execute(visible_clues(user)).scalars()}
            expected = STATIC.get(name, assigned.get(user.id, set()))
            assert seen == expected, name
            for clue_id in set(CLUES) - expected:
                try:
                    views.case_file(s, user, clue_id, today=china_date(h.clock.now))
                except NotFoundError:
                    continue
                raise AssertionError(f"{name} read {clue_id} outside jurisdiction")


ACTIONS = ["push", "remind", "self_check", "sample", "verify", "open", "draw", "vote", "rule", "decide"]
ACTIONS += ["request", "supply", "notify", "appeal", "review", "notice", "rectify", "close", "tick", "wait"]
steps = st.lists(
    st.tuples(st.sampled_from(ACTIONS), st.sampled_from(USERS), st.sampled_from(CLUES)),
    min_size=5,
    max_size=40,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=steps)
def test_random_actions_keep_the_invariants(
    sequence: list[tuple[str, str, str]], sqlite_template: Path
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "workflow.sqlite"
        shutil.copy(sqlite_template, target)
        database = Database.from_url(f"sqlite:///{target}")
        try:
            h = make_harness(database, Clock(), Path(tmp) / "home")
            legal = {s.value for s in reachable()}
            for action, user, clue in sequence:
                _step(h, action, user, clue)
                statuses, _ = _snapshot(h)
                assert set(statuses.values()) <= legal
            _check_jurisdiction(h)
            with database.sessions() as s:
                assert verify_chain(s).ok
        finally:
            database.dispose()


def _step(h: Harness, action: str, user: str, clue: str) -> None:
    if action == "wait":
        h.clock.now += timedelta(days=4)
        return
    if action == "tick":
        h.run(None, deadlines.tick, china_date(h.clock.now))
        return
    before, audit_before = _snapshot(h)
    try:
        row_action, _ = _act(h, action, user, clue)
    except WorkflowError:
        assert _snapshot(h) == (before, audit_before), f"refused {action} by {user} changed something"
        return
    after, _ = _snapshot(h)
    if row_action is None:  # batch actions: every changed clue took the batch's row
        return
    role = h.org.users[user].role.value
    row = find(before[clue], row_action)
    assert role in row.roles
    assert after[clue] == row.target.value
    assert clue in STATIC.get(user, {clue}), f"{user} acted on {clue} outside jurisdiction"
