"""Issue 10 item 17: declaring a conflict does not tell an expert whether a clue id exists.

`POST /experts/me/conflicts` answers 201 with the same body for a known and an unknown clue
(or institution); only the known one is stored; both are audited (`recorded` says which).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sanjianguan.context import Context
from sanjianguan.web.app import create_app
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent, ExpertConflict, User
from tests.cases.harness import make_harness
from tests.web.test_api import login
from tests.workflow_db.fixtures import Clock

URL = "/api/v1/experts/me/conflicts"


@pytest.fixture
def client(ctx: Context, database: Database, clock: Clock, tmp_path: Path) -> Iterator[TestClient]:
    make_harness(database, clock, tmp_path / "home")
    with TestClient(create_app(ctx, clock=clock, database=database)) as test_client:
        yield test_client


def _declare(client: TestClient, headers: dict[str, str], **target: str) -> tuple[int, dict[str, object]]:
    response = client.post(URL, json={**target, "reason": "曾参与该院会诊"}, headers=headers)
    return response.status_code, response.json()


def test_known_and_unknown_targets_get_the_same_answer(client: TestClient, database: Database) -> None:
    headers = login(client, "expert")
    known = _declare(client, headers, clue_id="c1")
    unknown = _declare(client, headers, clue_id="no-such-clue")
    assert known == (201, {"recorded": True, "institution_id": None, "clue_id": "c1"})
    assert unknown == (201, {"recorded": True, "institution_id": None, "clue_id": "no-such-clue"})
    institution = _declare(client, headers, institution_id="H3")
    nowhere = _declare(client, headers, institution_id="H404")
    assert institution[0] == nowhere[0] == 201
    assert set(institution[1]) == set(nowhere[1])
    with database.sessions() as session:
        expert = session.execute(select(User.id).where(User.username == "expert")).scalar_one()
        stored = session.execute(
            select(ExpertConflict.clue_id, ExpertConflict.institution_id).where(
                ExpertConflict.expert_user_id == expert
            )
        ).all()
        assert sorted(stored, key=str) == sorted([("c1", None), (None, "H3")], key=str)
        audited = session.execute(
            select(AuditEvent.payload).where(AuditEvent.event == "expert.conflict_declared")
        ).scalars()
        recorded = {(p["clue_id"] or p["institution_id"]): p["recorded"] for p in audited}
    assert recorded == {"c1": True, "no-such-clue": False, "H3": True, "H404": False}


def test_a_malformed_declaration_is_still_refused(client: TestClient) -> None:
    headers = login(client, "expert")
    status, body = _declare(client, headers)
    assert status == 400
    assert body["detail"]["code"] == "conflict_target"  # type: ignore[index]
