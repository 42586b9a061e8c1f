"""Bad input on every route it applies to: a clear 4xx in Chinese and English, and nothing changed.

"Nothing changed" is measured as the audit log's length, the evidence files and c1's status
before and after each refused request.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from sanjianguan.web.app import API_PREFIX
from sanjianguan.web.route_roles import PUBLIC
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent, Clue, EvidenceFile
from tests.cases.harness import PDF
from tests.web.test_authz_matrix import EXPECTED, PARAMS, World, api_routes, request, world

__all__ = ["world"]  # the fixture, shared with the matrix

ROLE_ORDER = ["office", "investigator", "adjudicator", "institution", "expert", "analyst"]
CLUE_ACTIONS = sorted(
    (m, p) for m, p in EXPECTED if m != "GET" and p.startswith("/clues/{clue_id}/") and "{file_id}" not in p
)

# The moves of the clue's state machine (a referral is not one: it is legal in any state).
WORKFLOW_ACTIONS = [route for route in CLUE_ACTIONS if not route[1].endswith("/referrals")]


def _state(database: Database) -> tuple[int, int, str]:
    with database.sessions() as s:
        audit = s.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        files = s.execute(select(func.count()).select_from(EvidenceFile)).scalar_one()
        clue = s.get(Clue, "c1")
        assert clue is not None
        return audit, files, clue.status


def _allowed_role(roles: frozenset[str] | str) -> str:
    return "office" if roles == PUBLIC else next(r for r in ROLE_ORDER if r in roles)


def _check(response: Any, status: int, code: str, label: str) -> None:
    assert response.status_code == status, f"{label}: {response.status_code} {response.text[:200]}"
    detail = response.json()["detail"]
    assert detail["code"] == code, f"{label}: {detail}"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in detail["message_zh"]), label  # Chinese
    assert detail["message_en"].strip(), label  # English
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in detail["message_en"]), label


def test_malformed_json_on_every_json_route(world: World, database: Database) -> None:
    json_routes = sorted(
        r for r in api_routes(world.client.app) & set(EXPECTED) if EXPECTED[r].json is not None
    )
    assert len(json_routes) >= 15  # every JSON action of the workflow and beyond
    for method, path in json_routes:
        url = API_PREFIX + path.format(**{**PARAMS, "user_id": "1"})
        before = _state(database)
        response = world.client.request(
            method,
            url,
            content=b'{"text": "\xe8\xaf\xb4',  # cut off in the middle of a character
            headers={**world.tokens["office"], "Content-Type": "application/json"},
        )
        _check(response, 422, "malformed_json", f"{method} {path}")
        assert _state(database) == before, path


def test_unknown_clue_on_every_clue_action(world: World, database: Database) -> None:
    """As a role allowed to act: the unknown clue is 404, whatever the action."""
    assert len(CLUE_ACTIONS) >= 15
    for method, path in CLUE_ACTIONS:
        call = EXPECTED[(method, path)]
        before = _state(database)
        response = request(
            world, method, path.replace("{clue_id}", "no-such-clue"), call, _allowed_role(call.roles)
        )
        _check(response, 404, "clue_not_found", f"{method} {path}")
        assert _state(database) == before, path


def test_wrong_state_on_every_clue_action(world: World, database: Database) -> None:
    """c1 is `generated` (not yet pushed): no move of the loop is legal, each is a 409."""
    for method, path in WORKFLOW_ACTIONS:
        call = EXPECTED[(method, path)]
        before = _state(database)
        response = request(world, method, path, call, _allowed_role(call.roles))
        _check(response, 409, "invalid_transition", f"{method} {path}")
        assert _state(database) == before, path


def _push(world: World, database: Database) -> None:
    response = world.client.post(
        f"{API_PREFIX}/periods/2026-02/push", json={"region_code": "511502"}, headers=world.tokens["office"]
    )
    assert response.status_code == 200, response.text
    assert _state(database)[2] == "pushed"


def test_oversize_and_wrong_type_uploads(world: World, database: Database) -> None:
    _push(world, database)
    hospital = world.tokens["institution"]
    upload_routes = sorted(r for r in CLUE_ACTIONS if EXPECTED[r].files)
    assert len(upload_routes) == 5  # self-check, evidence, verify, appeal, rectification
    big = PDF + b"0" * (1024 * 1024)  # the test store's limit is 1 MiB
    for method, path in upload_routes:
        call = EXPECTED[(method, path)]
        role = _allowed_role(call.roles)
        before = _state(database)
        response = world.client.request(
            method,
            API_PREFIX + path.format(clue_id="c1"),
            data=call.form or {},
            files={"files": ("big.pdf", big, "application/pdf")},
            headers=world.tokens[role],
        )
        _check(response, 400, "file_too_large", f"oversize {path}")
        assert _state(database) == before, path
    for name, data, label in (
        ("run.exe", b"MZ\x90\x00", "an executable"),
        ("note.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "a PNG named .pdf"),
        ("files.zip", b"PK\x03\x04" + b"\x00" * 32, "an archive"),
    ):
        before = _state(database)
        response = world.client.post(
            f"{API_PREFIX}/clues/c1/self-check",
            data={"outcome": "disputed", "explanation": "说明"},
            files={"files": (name, data, "application/octet-stream")},
            headers=hospital,
        )
        _check(response, 400, "file_type_not_allowed", label)
        assert _state(database) == before, label


def test_late_self_check(world: World, database: Database) -> None:
    """Pushed on Monday 2026-03-16: the 7-working-day self-check ends on 2026-03-25."""
    _push(world, database)
    clock = world.client.app.state.clock  # type: ignore[attr-defined]
    clock.advance(days=10)  # Thursday 2026-03-26: one day late
    hospital = world.login("institution")
    before = _state(database)
    response = world.client.post(
        f"{API_PREFIX}/clues/c1/self-check",
        data={"outcome": "confirmed", "explanation": "属实", "handling": "已退费"},
        headers=hospital,
    )
    _check(response, 409, "deadline_passed", "late self-check")
    assert "2026-03-25" in response.json()["detail"]["message_zh"]
    assert _state(database) == before
