"""The workflow API: every endpoint × every role, bad input, double-blind views, downloads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from sanjianguan.cases import service
from sanjianguan.cases.states import Decision, VerificationConclusion
from sanjianguan.config import SETTINGS_FILE
from sanjianguan.context import Context
from sanjianguan.web.app import create_app
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent, Clue, EvidenceFile
from tests.cases import test_walk as walk
from tests.cases.harness import PDF, PNG, Harness, docx_bytes, make_harness
from tests.web.test_api import assert_bilingual, login
from tests.workflow_db.fixtures import Clock

ROLES_BY_USER = {
    "province": "office",
    "city": "office",
    "county": "office",
    "other_city": "analyst",
    "investigator": "investigator",
    "adjudicator": "adjudicator",
    "insurance": "insurance",
    "auditor": "auditor",
    "hospital1": "institution",
    "hospital2": "institution",
    "expert": "expert",
}
# c1 (H1, county 511502) is visible to these users; the others get 404 on it.
SEES_C1 = {"province", "city", "county", "investigator", "adjudicator", "auditor", "hospital1"}
PDF_FILE = {"files": ("a.pdf", PDF, "application/pdf")}

# (method, path, json body | None, multipart form | None, roles allowed, clue-scoped)
ALL_BUT_EXPERT = {"office", "analyst", "investigator", "adjudicator", "insurance", "auditor", "institution"}
ENDPOINTS: list[tuple[str, str, Any, Any, set[str], bool]] = [
    ("POST", "/periods/2026-02/push", {"region_code": "511502"}, None, {"office"}, False),
    ("POST", "/periods/2026-02/sample", {"region_code": "511502", "seed": "x"}, None, {"office"}, False),
    ("GET", "/clues/c1/case", None, None, ALL_BUT_EXPERT | {"expert"}, True),
    ("GET", "/clues/c1/history", None, None, ALL_BUT_EXPERT, True),
    ("GET", "/clues/c1/adjudication", None, None, ALL_BUT_EXPERT | {"expert"}, True),
    ("GET", "/clues/c1/evidence/1", None, None, ALL_BUT_EXPERT, True),
    ("POST", "/clues/c1/remind", {"reason": ""}, None, {"office"}, True),
    (
        "POST",
        "/clues/c1/self-check",
        None,
        {"outcome": "disputed", "explanation": "x"},
        {"institution"},
        True,
    ),
    ("POST", "/clues/c1/evidence-request", {"text": "请提供"}, None, {"office", "investigator"}, True),
    ("POST", "/clues/c1/evidence", None, {"note": "x"}, {"institution"}, True),
    ("POST", "/clues/c1/verify", None, {"outcome": "agree", "explanation": "x"}, {"investigator"}, True),
    (
        "POST",
        "/clues/c1/adjudication",
        {"reason": "x", "specialty": "内科", "panel_size": 3},
        None,
        {"adjudicator"},
        True,
    ),
    ("POST", "/clues/c1/votes", {"outcome": "reasonable", "explanation": "x"}, None, {"expert"}, True),
    ("POST", "/clues/c1/ruling", {"text": "x"}, None, {"adjudicator"}, True),
    ("POST", "/clues/c1/decision", {"reason": ""}, None, {"office"}, True),
    ("POST", "/clues/c1/decision-notice", {"text": "x"}, None, {"office"}, True),
    ("POST", "/clues/c1/appeal", {"reason": "x"}, None, {"institution"}, True),
    ("POST", "/clues/c1/review", {"outcome": "upheld", "explanation": "x"}, None, {"office"}, True),
    ("POST", "/clues/c1/responsibility-notice", {"text": "x"}, None, {"office"}, True),
    ("POST", "/clues/c1/rectification", None, {"report": "x"}, {"institution"}, True),
    ("POST", "/clues/c1/close", {"reason": ""}, None, {"office"}, True),
    ("GET", "/deadlines/overdue", None, None, {"office"}, False),
    ("GET", "/experts/me/packages", None, None, {"expert"}, False),
    ("PUT", "/experts/{expert}/profile", {"specialties": ["内科"]}, None, {"office", "adjudicator"}, False),
    ("POST", "/experts/me/conflicts", {"institution_id": "H3", "reason": "x"}, None, {"expert"}, False),
]


@pytest.fixture
def h(database: Database, clock: Clock, tmp_path: Path) -> Harness:
    return make_harness(database, clock, tmp_path / "home")


@pytest.fixture
def client(ctx: Context, database: Database, clock: Clock, h: Harness) -> Iterator[TestClient]:
    app = create_app(ctx, clock=clock, database=database)
    app.state.evidence = h.store
    with TestClient(app) as test_client:
        yield test_client


# Expert e1 belongs to the city pool 511500: managers outside it get 404 (after the role check).
SEES_E1 = {"province", "city", "adjudicator"}


def expected_status(user: str, endpoint: tuple[Any, ...]) -> str:
    path, roles, clue_scoped = endpoint[1], endpoint[4], endpoint[5]
    if clue_scoped and user not in SEES_C1:
        return "404"
    if ROLES_BY_USER[user] not in roles:
        return "403"
    return "404" if "{expert}" in path and user not in SEES_E1 else "ok"


def call(client: TestClient, headers: dict[str, str], endpoint: tuple[Any, ...], expert_id: int) -> Any:
    method, path, body, form, _roles, _scoped = endpoint
    url = "/api/v1" + path.replace("{expert}", str(expert_id))
    if form is not None:
        return client.request(method, url, data=form, files=PDF_FILE, headers=headers)
    return client.request(method, url, json=body, headers=headers)


def test_authorization_matrix(client: TestClient, h: Harness, database: Database) -> None:
    """Every endpoint × every role: 404 outside jurisdiction, 403 for a role not allowed, else past both."""
    tokens = {user: login(client, user) for user in ROLES_BY_USER}
    expert_id = h.org.users["e1"].id
    for endpoint in ENDPOINTS:
        for user in ROLES_BY_USER:
            response = call(client, tokens[user], endpoint, expert_id)
            want = expected_status(user, endpoint)
            got = response.status_code
            label = f"{endpoint[0]} {endpoint[1]} as {user}: {got} {response.text[:200]}"
            if want == "ok":
                assert got not in (401, 403, 404) or "evidence_not_found" in response.text, label
                assert got != 422, label
                assert got < 500, label
            else:
                assert got == int(want), label
                assert_bilingual(response.json())


def _counts(database: Database) -> tuple[int, int, str]:
    with database.sessions() as s:
        audit = s.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        files = s.execute(select(func.count()).select_from(EvidenceFile)).scalar_one()
        clue = s.get(Clue, "c1")
        assert clue is not None
        return audit, files, clue.status


def _pushed(h: Harness) -> None:
    h.run("county", service.push_period, "2026-02", "511502", now=h.clock.now)


def test_bad_input_is_bilingual_and_changes_nothing(
    client: TestClient, h: Harness, database: Database
) -> None:
    _pushed(h)
    hospital, county = login(client, "hospital1"), login(client, "county")
    base = "/api/v1/clues/c1"
    cases: list[tuple[str, Any, int, str]] = [
        (
            "unknown clue",
            lambda: client.post("/api/v1/clues/nope/close", json={}, headers=county),
            404,
            "clue_not_found",
        ),
        (
            "wrong state",
            lambda: client.post(f"{base}/close", json={}, headers=county),
            409,
            "invalid_transition",
        ),
        (
            "malformed json",
            lambda: client.post(
                f"{base}/close", content=b"{oops", headers={**county, "Content-Type": "application/json"}
            ),
            422,
            "malformed_json",
        ),
        (
            "wrong type",
            lambda: client.post(
                f"{base}/self-check",
                data={"outcome": "disputed", "explanation": "x"},
                files={"files": ("run.exe", b"MZ\x90\x00", "application/octet-stream")},
                headers=hospital,
            ),
            400,
            "file_type_not_allowed",
        ),
        (
            "pdf name, png content",
            lambda: client.post(
                f"{base}/self-check",
                data={"outcome": "disputed", "explanation": "x"},
                files={"files": ("a.pdf", PNG, "application/pdf")},
                headers=hospital,
            ),
            400,
            "file_type_not_allowed",
        ),
        (
            "docx with macros",
            lambda: client.post(
                f"{base}/self-check",
                data={"outcome": "disputed", "explanation": "x"},
                files={"files": ("a.docx", docx_bytes(macro=True), "application/octet-stream")},
                headers=hospital,
            ),
            400,
            "file_type_not_allowed",
        ),
        (
            "oversize",
            lambda: client.post(
                f"{base}/self-check",
                data={"outcome": "disputed", "explanation": "x"},
                files={"files": ("big.pdf", PDF + b"0" * (1024 * 1024), "application/pdf")},
                headers=hospital,
            ),
            400,
            "file_too_large",
        ),
        (
            "disputed without files",
            lambda: client.post(
                f"{base}/self-check", data={"outcome": "disputed", "explanation": "x"}, headers=hospital
            ),
            400,
            "files_required",
        ),
        (
            "unknown outcome",
            lambda: client.post(
                f"{base}/self-check", data={"outcome": "maybe", "explanation": "x"}, headers=hospital
            ),
            422,
            "invalid_request",
        ),
    ]
    for label, send, status, code in cases:
        before = _counts(database)
        response = send()
        assert response.status_code == status, (label, response.text)
        assert response.json()["detail"]["code"] == code, label
        assert_bilingual(response.json())
        assert _counts(database) == before, label

    h.clock.advance(days=30)  # past the self-check deadline (2026-03-25) with no reminder yet
    hospital = login(client, "hospital1")  # the earlier session has expired
    before = _counts(database)
    late = client.post(
        f"{base}/self-check",
        data={"outcome": "confirmed", "explanation": "x", "handling": "y"},
        headers=hospital,
    )
    assert late.status_code == 409
    assert late.json()["detail"]["code"] == "deadline_passed"
    assert_bilingual(late.json())
    assert _counts(database) == before


def test_self_check_upload_and_download(client: TestClient, h: Harness, database: Database) -> None:
    _pushed(h)
    hospital = login(client, "hospital1")
    response = client.post(
        "/api/v1/clues/c1/self-check",
        data={"outcome": "disputed", "explanation": "用药符合说明书"},
        files=[
            ("files", ("../../etc/说明.pdf", PDF, "application/pdf")),
            ("files", ("表.docx", docx_bytes(), "application/octet-stream")),
        ],
        headers=hospital,
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "self_checked"
    case = client.get("/api/v1/clues/c1/case", headers=login(client, "county")).json()
    files = case["files"]
    assert [f["name"] for f in files] == ["说明.pdf", "表.docx"]
    stored = h.store.path_of(files[0]["sha256"])
    assert stored.read_bytes() == PDF
    assert not stored.stat().st_mode & 0o111  # never executable
    download = client.get(f"/api/v1/clues/c1/evidence/{files[0]['id']}", headers=login(client, "city"))
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert {a["action"] for a in case["allowed_actions"]} == {"sample", "request_evidence"}


def test_votes_hidden_until_ruling_and_panel_hidden_from_institution(
    client: TestClient, h: Harness, database: Database
) -> None:
    _pushed(h)
    client.post(
        "/api/v1/clues/c1/self-check",
        data={"outcome": "disputed", "explanation": "x"},
        files=PDF_FILE,
        headers=login(client, "hospital1"),
    )
    h.run("county", service.sample, "2026-02", "511502", seed="1", now=h.clock.now)
    h.run(
        "investigator",
        service.verify,
        "c1",
        conclusion=VerificationConclusion.DISAGREE,
        record_text="x",
        store=h.store,
        now=h.clock.now,
    )
    adjudicator = login(client, "adjudicator")
    response = client.post(
        "/api/v1/clues/c1/adjudication",
        json={"reason": "争议", "specialty": "内科", "panel_size": 3, "seed": "7"},
        headers=adjudicator,
    )
    assert response.status_code == 200, response.text
    panel = client.get("/api/v1/clues/c1/adjudication", headers=adjudicator).json()["panel"]
    names = {u.id: n for n, u in h.org.users.items()}
    first, second, third = (names[i] for i in panel)
    assert (
        client.post(
            "/api/v1/clues/c1/votes",
            json={"outcome": "unreasonable", "explanation": "超适应症"},
            headers=login(client, first),
        ).status_code
        == 201
    )
    for viewer in (second, "adjudicator", "hospital1", "county"):
        view = client.get("/api/v1/clues/c1/adjudication", headers=login(client, viewer)).json()
        assert "votes" not in view, viewer
        assert view["votes_cast"] == 1
        assert "超适应症" not in str(view)
    institution_view = client.get("/api/v1/clues/c1/case", headers=login(client, "hospital1")).text
    history = client.get("/api/v1/clues/c1/history", headers=login(client, "hospital1")).text
    for expert_id in panel:
        for name in (names[expert_id],):
            assert name not in institution_view
            assert name not in history
    assert '"panel"' not in institution_view
    packages = client.get("/api/v1/experts/me/packages", headers=login(client, second)).json()
    assert [p["clue"]["id"] for p in packages] == ["c1"]
    assert "H1" not in str(packages)
    assert "DOC-c1" not in str(packages)
    for name, value in ((second, "unreasonable"), (third, "reasonable")):
        body = {"vote": value, "opinion": "意见"}  # the deprecated names, still accepted
        assert (
            client.post("/api/v1/clues/c1/votes", json=body, headers=login(client, name)).status_code == 201
        )
    ruling = client.post("/api/v1/clues/c1/ruling", json={"text": "多数认为不合理"}, headers=adjudicator)
    assert ruling.json()["detail"]["ruling"] == Decision.UNREASONABLE
    after = client.get("/api/v1/clues/c1/adjudication", headers=login(client, "hospital1")).json()
    assert len(after["votes"]) == 3
    assert all("expert_user_id" not in v for v in after["votes"])


def test_history_is_scoped(client: TestClient, h: Harness) -> None:
    _pushed(h)
    assert client.get("/api/v1/clues/c1/history", headers=login(client, "expert")).status_code == 404
    assert client.get("/api/v1/clues/c2/history", headers=login(client, "expert")).status_code == 403
    events = client.get("/api/v1/clues/c1/history", headers=login(client, "hospital1")).json()
    assert [e["event"] for e in events] == ["case.pushed"]
    assert events[0]["payload"] == {"period": "2026-02"}
    assert client.get("/api/v1/clues/c1/history", headers=login(client, "hospital2")).status_code == 404


def test_overdue_list(client: TestClient, h: Harness) -> None:
    _pushed(h)
    h.clock.advance(days=12)
    items = client.get("/api/v1/deadlines/overdue", headers=login(client, "city")).json()
    assert [(i["clue_id"], i["step"], i["due_on"]) for i in items] == [("c1", "self_check", "2026-03-25")]
    assert client.get("/api/v1/deadlines/overdue", headers=login(client, "hospital1")).status_code == 403


def _notified(h: Harness, ids: list[str]) -> list[str]:
    """Clues self-checked (confirmed), not drawn, decided unreasonable and notified: open to appeal."""
    h.add_clues(ids, period="2026-01")
    walk.push(h, "2026-01")
    for clue_id in ids:
        walk.self_check(h, clue_id, walk.CONFIRMED)
    undrawn = sorted(set(ids) - set(walk.sample(h, "2026-01")))
    for clue_id in undrawn:
        walk.decide(h, clue_id)
        walk.notify(h, clue_id)
    return undrawn


def test_appeal_carries_files_like_a_self_check(
    client: TestClient, h: Harness, database: Database, ctx: Context
) -> None:
    first, second, *_ = _notified(h, ["a1", "a2", "a3", "a4"])
    hospital, url = login(client, "hospital1"), f"/api/v1/clues/{first}/appeal"
    two_files = [
        ("files", ("申诉材料.pdf", PDF, "application/pdf")),
        ("files", ("病历.png", PNG, "image/png")),
    ]
    before = _counts(database)
    # the count limit of the data folder's settings, the content check: refused, nothing changed
    ctx.home.mkdir(parents=True, exist_ok=True)
    (ctx.home / SETTINGS_FILE).write_text("[cases]\nevidence_max_files = 1\n", encoding="utf-8")
    state = client.app.state  # type: ignore[attr-defined]
    # an app built on the data folder reads its settings (once, when it is built)
    state.evidence = create_app(Context.open(ctx.home), database=database).state.evidence
    response = client.post(url, data={"reason": "有新证据"}, files=two_files, headers=hospital)
    assert response.status_code == 400
    assert response.json()["detail"]["code"] == "too_many_files"
    assert "at most 1" in response.json()["detail"]["message_en"]
    state.evidence = h.store
    fake = [("files", ("a.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"))]
    response = client.post(url, data={"reason": "有新证据"}, files=fake, headers=hospital)
    assert response.status_code == 400
    assert response.json()["detail"]["code"] == "file_type_not_allowed"
    assert client.post(url, data={"reason": ""}, files=two_files, headers=hospital).status_code == 422
    assert client.post(url, data={}, headers=hospital).status_code == 422
    assert _counts(database)[:2] == before[:2]
    assert h.status(first) == "decided"

    response = client.post(url, data={"reason": "有新证据"}, files=two_files, headers=hospital)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "appealed"
    file_ids = response.json()["detail"]["file_ids"]
    assert len(file_ids) == 2
    for user in ("county", "hospital1", "auditor"):
        case = client.get(f"/api/v1/clues/{first}/case", headers=login(client, user)).json()
        assert case["appeal"]["file_ids"] == file_ids, user
        appeal_files = [f for f in case["files"] if f["step"] == "appeal"]
        assert [(f["id"], f["name"]) for f in appeal_files] == list(
            zip(file_ids, ["申诉材料.pdf", "病历.png"], strict=True)
        )
    download = client.get(f"/api/v1/clues/{first}/evidence/{file_ids[1]}", headers=login(client, "county"))
    assert download.content == PNG
    with database.sessions() as s:
        event = s.execute(
            select(AuditEvent).where(AuditEvent.subject_id == first, AuditEvent.event == "case.appealed")
        ).scalar_one()
        assert event.payload["file_ids"] == file_ids
        rows = s.execute(select(EvidenceFile).where(EvidenceFile.id.in_(file_ids))).scalars().all()
        assert {(r.step, r.content_type) for r in rows} == {
            ("appeal", "application/pdf"),
            ("appeal", "image/png"),
        }

    # deprecated, for one release: the JSON body without files
    response = client.post(f"/api/v1/clues/{second}/appeal", json={"reason": "未收到通知"}, headers=hospital)
    assert response.status_code == 200, response.text
    assert response.json()["detail"]["file_ids"] == []
    bad = client.post(f"/api/v1/clues/{first}/appeal", json={"reason": "x", "extra": 1}, headers=hospital)
    assert bad.status_code == 422


def test_verify_takes_outcome_and_explanation_and_still_the_old_names(client: TestClient, h: Harness) -> None:
    h.add_clues(["v1", "v2"], period="2026-01")
    walk.push(h, "2026-01")
    for clue_id in ("v1", "v2"):
        walk.self_check(h, clue_id, walk.DISPUTED)
    walk.sample(h, "2026-01", include=["v1", "v2"])
    investigator = login(client, "investigator")
    both = {"outcome": "agree", "conclusion": "agree", "explanation": "现场核查"}
    response = client.post("/api/v1/clues/v1/verify", data=both, files=PDF_FILE, headers=investigator)
    assert response.status_code == 422
    assert response.json()["detail"]["errors"][0]["loc"] == ["body", "conclusion"]
    missing = client.post("/api/v1/clues/v1/verify", data={"outcome": "agree"}, headers=investigator)
    assert missing.status_code == 422
    assert missing.json()["detail"]["errors"][0]["loc"] == ["body", "explanation"]
    assert h.status("v1") == "sampled"
    new = {"outcome": "agree", "explanation": "现场核查"}
    assert client.post("/api/v1/clues/v1/verify", data=new, headers=investigator).status_code == 200
    old = {"conclusion": "disagree", "record": "现场核查"}  # deprecated, for one release
    assert client.post("/api/v1/clues/v2/verify", data=old, headers=investigator).status_code == 200
    for clue_id, conclusion in (("v1", "agree"), ("v2", "disagree")):
        case = client.get(f"/api/v1/clues/{clue_id}/case", headers=investigator).json()
        assert case["verification"]["conclusion"] == conclusion
        assert case["verification"]["record"] == "现场核查"
