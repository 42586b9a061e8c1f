"""授权矩阵: every route of the API × every role (and no login), against the spec's roles table.

EXPECTED is written from the roles table of `shared/spec/workflow-and-accountability.md`
(office pushes, samples, decides, notifies; investigator verifies; adjudicator opens,
draws, rules; expert votes on assigned packages only; institution self-checks, supplies
evidence, appeals, reports rectification; insurance and auditor read; public: the
quarterly disclosure only), not from the code. A route of the app missing from EXPECTED
fails, so every new endpoint has to be declared here.

The world: one user per role, each placed so that clue c1 (institution H1, county
511502) lies inside their jurisdiction (the expert is assigned to c1). So a refused role
meets the role check, not the jurisdiction filter, and must get 403; an allowed role
must get past both (any answer but 401/403/422 or a 5xx; 404 or 409 from the state of
the world is fine); no login gets 401 except on the public routes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from sanjianguan.context import Context
from sanjianguan.web.app import API_PREFIX, create_app
from sanjianguan.web.route_roles import PUBLIC, ROUTE_ROLES
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import ExpertAssignment, ExpertProfile, Role
from tests.cases.harness import PDF, Harness, make_harness
from tests.workflow_db.fixtures import PASSWORD, Clock, _user

ROLES = [role.value for role in Role]
ANONYMOUS = "anonymous"
EVERYONE = frozenset(ROLES)
BUT_EXPERT = EVERYONE - {"expert"}
OFFICE, INSTITUTION, EXPERT = frozenset({"office"}), frozenset({"institution"}), frozenset({"expert"})
ADJUDICATOR, INVESTIGATOR = frozenset({"adjudicator"}), frozenset({"investigator"})
INSURANCE, AUDITOR, ANALYST = frozenset({"insurance"}), frozenset({"auditor"}), frozenset({"analyst"})
# Accountability is the office's (art. 30); the institution sees its own; the auditor reads.
ACCOUNTABILITY_READERS = OFFICE | INSTITUTION | AUDITOR
# "Who inspects, who scores": the health side (office, verification group) and insurance.
SCORERS = OFFICE | INVESTIGATOR | INSURANCE
POINTS_READERS = SCORERS | INSTITUTION | AUDITOR
# Joint inspections and campaigns: the inspecting departments, the institutions, the auditor;
# the spec is silent on the analysts: they read them too (campaigns target their rules).
JOINT_READERS = OFFICE | ANALYST | INVESTIGATOR | INSURANCE | INSTITUTION | AUDITOR

# One user per role, all seeing c1 (H1 in 511502): region codes at or above the county.
MATRIX_USERS: dict[str, tuple[Role, str | None, str | None]] = {
    "office": (Role.OFFICE, "511500", None),
    "analyst": (Role.ANALYST, "511500", None),
    "investigator": (Role.INVESTIGATOR, "511502", None),
    "adjudicator": (Role.ADJUDICATOR, "511500", None),
    "expert": (Role.EXPERT, "511500", None),
    "institution": (Role.INSTITUTION, None, "H1"),
    "insurance": (Role.INSURANCE, "511502", None),
    "auditor": (Role.AUDITOR, "511500", None),
}
# Path parameters, filled into every route's template ({me}: the matrix expert's user id).
PARAMS = {
    "clue_id": "c1",
    "period": "2026-02",
    "file_id": "1",
    "user_id": "{me}",
    "institution_id": "H1",
    "region_code": "511502",
    "quarter": "2026-Q1",
    "party_id": "DOC-c1",
    # objects of the joint-work and accountability routes that the world does not hold
    "proposal_id": "1",
    "campaign_id": "1",
    "record_id": "1",
    "plan_id": "1",
    "visit_id": "1",
    "referral_id": "1",
    "notice_id": "1",
}


@dataclass(frozen=True)
class Call:
    """A route's allowed roles (or PUBLIC) and a well-formed request to it."""

    roles: frozenset[str] | str
    json: Any = None
    form: dict[str, str] | None = None
    files: bool = False  # attach one PDF as `files`
    params: dict[str, str] = field(default_factory=dict)  # query string
    path: dict[str, str] = field(default_factory=dict)  # path parameters beyond PARAMS
    hidden: bool = False  # the spec hides the object's existence: refused roles may get 404


TEXT = {"text": "说明"}
REASON = {"reason": "说明"}
EXPECTED: dict[tuple[str, str], Call] = {
    # session and the current user
    ("POST", "/session"): Call(PUBLIC, json={}),  # body: the caller's own credentials (below)
    ("DELETE", "/session"): Call(EVERYONE),
    ("GET", "/me"): Call(EVERYONE),
    # a wrong current password: past the checks (400), and no password changes mid-matrix
    ("PUT", "/me/password"): Call(
        EVERYONE, json={"current_password": "not-the-password", "new_password": "another-long-one"}
    ),
    ("GET", "/calendar/status"): Call(EVERYONE),  # the official calendar: public facts, no case data
    # clues: every role reads, scoped by jurisdiction (experts: assigned, anonymised)
    ("GET", "/clues"): Call(EVERYONE, params={"period": "2026-02"}),
    ("GET", "/clues/{clue_id}"): Call(EVERYONE),
    ("GET", "/statistics/clues"): Call(EVERYONE, params={"period": "2026-02"}),  # the dashboard's counts
    ("GET", "/clues/{clue_id}/case"): Call(EVERYONE),
    ("GET", "/clues/{clue_id}/adjudication"): Call(EVERYONE),
    ("GET", "/clues/{clue_id}/history"): Call(BUT_EXPERT),  # double-blind: no audit trail for experts
    ("GET", "/clues/{clue_id}/evidence/{file_id}"): Call(BUT_EXPERT),  # raw files may identify
    # the office: push, sample, decide, notify, review, accountability, close, overdue
    ("POST", "/periods/{period}/push"): Call(OFFICE, json={"region_code": "511502"}),
    ("POST", "/periods/{period}/sample"): Call(OFFICE, json={"region_code": "511502", "seed": "m"}),
    ("GET", "/deadlines/overdue"): Call(OFFICE),
    ("POST", "/clues/{clue_id}/remind"): Call(OFFICE, json=REASON),
    ("POST", "/clues/{clue_id}/decision"): Call(OFFICE, json=REASON),
    ("POST", "/clues/{clue_id}/decision-notice"): Call(OFFICE, json=TEXT),
    ("POST", "/clues/{clue_id}/review"): Call(OFFICE, json={"outcome": "upheld", "explanation": "维持"}),
    ("POST", "/clues/{clue_id}/responsibility-notice"): Call(OFFICE, json=TEXT),
    ("POST", "/clues/{clue_id}/close"): Call(OFFICE, json=REASON),
    # art. 31: the authority (office, or the verification group) orders evidence
    ("POST", "/clues/{clue_id}/evidence-request"): Call(OFFICE | INVESTIGATOR, json=TEXT),
    # the institution
    ("POST", "/clues/{clue_id}/self-check"): Call(
        INSTITUTION, form={"outcome": "disputed", "explanation": "说明"}, files=True
    ),
    ("POST", "/clues/{clue_id}/evidence"): Call(INSTITUTION, form={"note": "补充"}, files=True),
    ("POST", "/clues/{clue_id}/appeal"): Call(INSTITUTION, form={"reason": "有新证据"}, files=True),
    ("POST", "/clues/{clue_id}/rectification"): Call(INSTITUTION, form={"report": "已整改"}, files=True),
    # verification group
    ("POST", "/clues/{clue_id}/verify"): Call(
        INVESTIGATOR, form={"outcome": "agree", "explanation": "现场核查"}, files=True
    ),
    # adjudication group and the expert pool
    ("POST", "/clues/{clue_id}/adjudication"): Call(
        ADJUDICATOR, json={"reason": "意见不一致", "specialty": "内科", "panel_size": 3}
    ),
    ("POST", "/clues/{clue_id}/ruling"): Call(ADJUDICATOR, json=TEXT),
    ("PUT", "/experts/{user_id}/profile"): Call(OFFICE | ADJUDICATOR, json={"specialties": ["内科"]}),
    ("POST", "/clues/{clue_id}/votes"): Call(EXPERT, json={"outcome": "reasonable", "explanation": "意见"}),
    ("GET", "/experts/me/packages"): Call(EXPERT),
    ("POST", "/experts/me/conflicts"): Call(EXPERT, json={"institution_id": "H3", "reason": "曾任职"}),
    # accountability ladder (art. 16-25, 30, 33): the office runs it and confirms each proposal
    ("POST", "/accountability/runs"): Call(OFFICE, json={"year": 2026, "region_code": "511502"}),
    ("GET", "/accountability/ladder"): Call(EVERYONE),  # configuration (art. 35), no case data
    ("GET", "/accountability/proposals"): Call(ACCOUNTABILITY_READERS),
    ("GET", "/accountability/proposals/{proposal_id}"): Call(ACCOUNTABILITY_READERS, hidden=True),
    ("POST", "/accountability/proposals/{proposal_id}/confirm"): Call(
        OFFICE, json={"mitigation": "none"}, hidden=True
    ),
    ("POST", "/accountability/proposals/{proposal_id}/reject"): Call(OFFICE, json=REASON, hidden=True),
    ("GET", "/accountability/facts"): Call(ACCOUNTABILITY_READERS),
    ("POST", "/accountability/facts"): Call(
        OFFICE,
        json={
            "kind": "interview",
            "institution_id": "H1",
            "occurred_on": "2026-03-10",
            "description": "约谈",
        },
    ),
    # penalty points (seed 001)
    ("POST", "/points/records"): Call(
        SCORERS,
        json={
            "party_kind": "institution",
            "institution_id": "H1",
            "item_code": "I-01",
            "event_date": "2026-03-01",
            "approved_on": "2026-03-10",
            "department": "卫生健康局",
            "description": "记分事由",
        },
    ),
    ("GET", "/points/records"): Call(POINTS_READERS),
    ("GET", "/points/records/{record_id}"): Call(POINTS_READERS, hidden=True),
    ("POST", "/points/records/{record_id}/notice"): Call(
        SCORERS, json={"received_on": "2026-03-12"}, hidden=True
    ),
    ("POST", "/points/records/{record_id}/report"): Call(SCORERS, hidden=True),
    ("POST", "/points/records/{record_id}/register"): Call(OFFICE, hidden=True),
    ("POST", "/points/records/{record_id}/appeal"): Call(INSTITUTION, json=REASON, hidden=True),
    ("POST", "/points/records/{record_id}/appeal/decision"): Call(
        OFFICE, json={"outcome": "upheld", "explanation": "维持"}, hidden=True
    ),
    ("GET", "/points/institutions/{institution_id}"): Call(POINTS_READERS, params={"year": "2026"}),
    ("GET", "/points/staff/{party_id}"): Call(POINTS_READERS, params={"year": "2026"}),
    ("POST", "/points/returns"): Call(
        OFFICE,
        json={"region_code": "511502", "month": "2026-02", "department": "医保局", "signed_by": "张三"},
    ),
    ("GET", "/points/returns"): Call(OFFICE, params={"region_code": "511502", "month": "2026-02"}),
    ("POST", "/points/disclosures"): Call(OFFICE, json={"region_code": "511502", "quarter": "2026-Q1"}),
    ("GET", "/public/points/disclosures/{region_code}/{quarter}"): Call(PUBLIC),  # 公示: no login
    # double random inspections (双随机一公开) and joint inspections
    ("POST", "/inspections/plans"): Call(
        OFFICE, json={"year": 2026, "region_code": "511502", "items": ["医保结算"], "departments": ["health"]}
    ),
    ("GET", "/inspections/plans"): Call(JOINT_READERS),
    ("GET", "/inspections/plans/{plan_id}"): Call(JOINT_READERS, hidden=True),
    ("GET", "/inspections/visits"): Call(JOINT_READERS),
    ("GET", "/inspections/visits/{visit_id}"): Call(JOINT_READERS, hidden=True),
    ("POST", "/inspections/visits/{visit_id}/findings"): Call(
        INVESTIGATOR | INSURANCE,
        json={"summary": "检查情况", "findings": [{"item": "医保结算", "outcome": "compliant"}]},
        hidden=True,
    ),
    ("POST", "/inspections/conflicts"): Call(
        INVESTIGATOR, json={"institution_id": "H1", "reason": "亲属任职"}
    ),
    # special campaigns (专项治理)
    ("POST", "/campaigns"): Call(
        OFFICE,
        json={
            "title": "专项治理",
            "region_code": "511502",
            "rule_ids": ["R-DUP-01"],
            "phases": [
                {"phase": p, "starts_on": f"2026-0{i + 4}-01", "ends_on": f"2026-0{i + 4}-28"}
                for i, p in enumerate(("deployment", "self_check", "supervision", "consolidation"))
            ],
        },
    ),
    ("GET", "/campaigns"): Call(JOINT_READERS),
    ("GET", "/campaigns/{campaign_id}"): Call(JOINT_READERS, hidden=True),
    ("POST", "/campaigns/{campaign_id}/close"): Call(OFFICE, json=REASON, hidden=True),
    ("GET", "/campaigns/{campaign_id}/tally"): Call(JOINT_READERS, hidden=True),
    ("GET", "/campaigns/{campaign_id}/records"): Call(JOINT_READERS, hidden=True),
    ("POST", "/campaigns/{campaign_id}/records"): Call(
        OFFICE | INVESTIGATOR | INSURANCE | INSTITUTION,
        json={"institution_id": "H1", "kind": "refund", "amount": 100, "source": "self_reported"},
        hidden=True,
    ),
    ("POST", "/campaigns/{campaign_id}/records/{record_id}/void"): Call(OFFICE, json=REASON, hidden=True),
    ("GET", "/campaigns/{campaign_id}/institutions/{institution_id}/self-check-form"): Call(
        JOINT_READERS, hidden=True
    ),
    # cross-department referral (移送) and its feedback
    ("POST", "/clues/{clue_id}/referrals"): Call(
        OFFICE | INSURANCE, json={"department": "insurance", "reason": "移送"}
    ),
    ("GET", "/referrals"): Call(OFFICE | INSURANCE | AUDITOR),
    ("GET", "/referrals/{referral_id}"): Call(OFFICE | INSURANCE | AUDITOR, hidden=True),
    ("POST", "/referrals/{referral_id}/receive"): Call(INSURANCE, hidden=True),
    ("POST", "/referrals/{referral_id}/feedback"): Call(
        INSURANCE, json={"outcome": "penalised", "explanation": "已处理"}, hidden=True
    ),
    # rule feedback (precision of the rules from how clues ended): the analysts tune rules
    ("GET", "/feedback/rules"): Call(OFFICE | ANALYST | AUDITOR),
    # notices with a 文号 (文书): the office issues; the office and the recipient institution read
    ("POST", "/notices"): Call(OFFICE, json={"kind": "notification", "subject": "c1"}),
    ("GET", "/notices"): Call(OFFICE | INSTITUTION),
    ("GET", "/notices/{notice_id}"): Call(OFFICE | INSTITUTION, hidden=True),
    ("GET", "/notices/{notice_id}/file"): Call(OFFICE | INSTITUTION, hidden=True),
}
# documents (报表): as the data they hold; the disclosure list is public like the public page
EXPECTED[("GET", "/reports/disclosure")] = Call(PUBLIC, params={"region": "511502", "quarter": "2026-Q1"})
EXPECTED[("GET", "/reports/campaigns/{campaign_id}")] = Call(JOINT_READERS, hidden=True)
EXPECTED[("GET", "/reports/yearly")] = Call(
    ACCOUNTABILITY_READERS, params={"region": "511502", "year": "2026"}
)
# 县区月报 (seed 000): the county's office files its return and the stamped scan; the city follows.
# The matrix's office is the city's: its scan upload for a county is refused by the service (400).
EXPECTED |= {
    ("GET", "/reports/county-return"): Call(OFFICE, params={"region": "511502", "period": "2026-02"}),
    ("POST", "/reports/county-return/scan"): Call(
        OFFICE, form={"region": "511502", "period": "2026-02"}, files=True
    ),
    ("GET", "/reports/county-return/scans"): Call(OFFICE, params={"period": "2026-02"}),
}
# 工作月报、工作通报: the regional roles that report the month (institutions, experts: 403).
MONTHLY_REPORT_READERS = OFFICE | ANALYST | INSURANCE | AUDITOR
EXPECTED[("GET", "/reports/monthly")] = Call(MONTHLY_REPORT_READERS, params={"period": "2026-02"})
EXPECTED[("GET", "/reports/bulletin")] = Call(MONTHLY_REPORT_READERS, params={"period": "2026-02"})
# 消息中心: every role reads, marks read and mutes its own messages (no route names another user).
EXPECTED |= {
    ("GET", "/messages"): Call(EVERYONE),
    ("POST", "/messages/read"): Call(EVERYONE, json={"ids": [1]}),
    ("GET", "/messages/preferences"): Call(EVERYONE),
    ("PUT", "/messages/preferences"): Call(EVERYONE, json={"muted": ["new_clues"]}),
}
# FastAPI's own documentation routes, outside /api/v1 and public.
DOC_ROUTES = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
# The browser pages (web/pages/): not API routes; their sessions are tested in tests/web/pages/.
PAGE_ROUTES = {"/", "/login", "/logout", "/password"}
PAGE_ROUTES |= {"/clues/{clue_id}"}
PAGE_ROUTES |= {"/clues/{clue_id}/act/{action}"}
PAGE_ROUTES |= {"/workbench", "/submissions", "/submissions/{batch_id}"}
PAGE_ROUTES |= {"/indicators", "/indicators/{indicator_id}"}
PAGE_ROUTES |= {"/collection", "/collection/mappings"}
PAGE_ROUTES |= {"/rules", "/rules/{rule_id}"}
PAGE_ROUTES |= {"/rules/{rule_id}/params/{param}", "/rules/{rule_id}/params/{param}/reset"}
PAGE_ROUTES |= {"/public/disclosure"}  # 公示 (public, no login): tests/web/pages/test_disclosure_page.py
PAGE_ROUTES |= {"/clues", "/clues/export.xlsx", "/clues/actions", "/clues/push", "/clues/sample"}
PAGE_ROUTES |= {
    "/accounts",
    "/accounts/{user_id}/reset",
    "/accounts/{user_id}/active",
    "/accounts/{user_id}/role",
}
PAGE_ROUTES |= {
    "/accountability",
    "/accountability/{proposal_id}/confirm",
    "/accountability/{proposal_id}/reject",
}
PAGE_ROUTES |= {"/points", "/points/monthly", "/points/{record_id}/notice", "/points/{record_id}/report"}
PAGE_ROUTES |= {"/points/{record_id}/register", "/points/{record_id}/decision"}
PAGE_ROUTES |= {"/expert", "/expert/conflicts", "/expert/packages/{clue_id}"}
PAGE_ROUTES |= {"/expert/packages/{clue_id}/vote", "/verification", "/audit"}
PAGE_ROUTES |= {
    "/inspections",
    "/inspections/plans",
    "/inspections/plans/{plan_id}",
    "/inspections/conflicts",
}
PAGE_ROUTES |= {"/inspections/visits/{visit_id}", "/inspections/visits/{visit_id}/findings"}
PAGE_ROUTES |= {"/campaigns", "/campaigns/{campaign_id}", "/campaigns/{campaign_id}/records"}
PAGE_ROUTES |= {"/campaigns/{campaign_id}/records/{record_id}/void", "/campaigns/{campaign_id}/close"}
PAGE_ROUTES |= {"/campaigns/{campaign_id}/self-check/{institution_id}"}
PAGE_ROUTES |= {
    "/referrals",
    "/referrals/new",
    "/referrals/{referral_id}",
    "/referrals/{referral_id}/receive",
}
PAGE_ROUTES |= {"/referrals/{referral_id}/feedback"}
PAGE_ROUTES |= {"/points/disclosures"}
PAGE_ROUTES |= {"/county-returns"}  # 县区月报: tests/web/pages/test_county_returns_page.py
PAGE_ROUTES |= {"/documents", "/documents/issue", "/documents/{notice_id}/file"}  # 文书: tests/notices/
PAGE_ROUTES |= {"/messages", "/messages/read", "/messages/preferences"}  # 消息: tests/messages/test_pages.py


def api_routes(app: Any) -> set[tuple[str, str]]:
    """(method, path under /api/v1) of every API route of the app (included routers flattened)."""
    found: set[tuple[str, str]] = set()
    for context in iter_route_contexts(app.routes):
        path = context.path or ""
        if path in PAGE_ROUTES:
            continue
        if isinstance(context.original_route, APIRoute):
            assert path.startswith(API_PREFIX), path
            found.update((method, path.removeprefix(API_PREFIX)) for method in context.methods or ())
        else:
            assert path in DOC_ROUTES, path
    return found


@dataclass
class World:
    client: TestClient
    expert_id: int
    tokens: dict[str, dict[str, str]]

    def login(self, role: str) -> dict[str, str]:
        response = self.client.post(f"{API_PREFIX}/session", json=credentials(role))
        assert response.status_code == 200, response.text
        self.client.cookies.clear()  # the bearer token only: no cookie left behind
        return {"Authorization": f"Bearer {response.json()['token']}"}


def credentials(role: str) -> dict[str, str]:
    return {"username": f"m.{role}", "password": PASSWORD}


@pytest.fixture
def world(ctx: Context, database: Database, clock: Clock, tmp_path: Path) -> Iterator[World]:
    h: Harness = make_harness(database, clock, tmp_path / "home")
    with database.transaction() as session:
        users = {role: _user(session, f"m.{role}", *unit) for role, unit in MATRIX_USERS.items()}
        expert = users["expert"].id
        session.add(ExpertAssignment(clue_id="c1", expert_user_id=expert))
        session.add(ExpertProfile(user_id=expert, specialties=["内科"], updated_at=clock.now))
    app = create_app(ctx, clock=clock, database=database)
    app.state.evidence = h.store
    with TestClient(app) as client:
        found = World(client, expert, {})
        found.tokens = {role: found.login(role) for role in ROLES}
        yield found


def request(world: World, method: str, path: str, call: Call, role: str) -> Any:
    values = {**PARAMS, **call.path}
    url = API_PREFIX + path.format(**values).replace("{me}", str(world.expert_id))
    if path == "/session" and method == "DELETE" and role != ANONYMOUS:
        headers = world.login(role)  # logging out ends the token: use a fresh one
    else:
        headers = world.tokens.get(role, {})
    world.client.cookies.clear()
    body = credentials("office" if role == ANONYMOUS else role) if path == "/session" else call.json
    if call.form is not None or call.files:
        files = {"files": ("说明.pdf", PDF, "application/pdf")} if call.files else None
        return world.client.request(
            method, url, data=call.form or {}, files=files, params=call.params, headers=headers
        )
    return world.client.request(method, url, json=body, params=call.params, headers=headers)


def assert_bilingual(response: Any, label: str) -> None:
    detail = response.json()["detail"]
    assert detail["code"], label
    assert detail["message_en"].strip(), label
    assert any("\u4e00" <= ch <= "\u9fff" for ch in detail["message_zh"]), label


def test_every_route_is_declared(ctx: Context) -> None:
    app = create_app(ctx)
    routes = api_routes(app)
    missing = sorted(routes - set(EXPECTED))
    assert not missing, f"declare these routes in EXPECTED (roles from the spec): {missing}"
    assert not sorted(set(EXPECTED) - routes), "EXPECTED names routes the app no longer has"


def test_documented_roles_are_the_tested_roles() -> None:
    """docs/api.md's roles column (web/route_roles.py) says what this matrix checks."""
    assert set(ROUTE_ROLES) == set(EXPECTED)
    for route, call in EXPECTED.items():
        assert ROUTE_ROLES[route] == call.roles, route


def test_authorization_matrix(world: World) -> None:
    """Every route × every role and no login: allowed → past the checks, refused → 403, anonymous → 401."""
    routes = api_routes(world.client.app) & set(EXPECTED)  # undeclared ones fail the test above
    failures = []
    for method, path in sorted(routes, key=lambda r: (r[1], r[0])):
        call = EXPECTED[(method, path)]
        for role in [*ROLES, ANONYMOUS]:
            response = request(world, method, path, call, role)
            got, label = response.status_code, f"{method} {path} as {role}: {response.status_code}"
            if call.roles == PUBLIC or (role != ANONYMOUS and role in call.roles):
                ok = got not in (401, 403, 422) and got < 500
            elif role == ANONYMOUS:
                ok = got == 401
            else:
                ok = got == 403 or (call.hidden and got == 404)
            if not ok:
                failures.append(f"{label} {response.text[:160]}")
            elif got >= 400:
                assert_bilingual(response, label)
    assert not failures, "\n".join(failures)
