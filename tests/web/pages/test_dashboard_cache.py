"""驾驶舱缓存 through the web: the page and the API of one user share one computation, and
a change made through a page's service call is counted at once."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from sanjianguan.cases import figures_cache
from sanjianguan.cases.statistics import ClueCounts, clue_counts
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import User
from tests.web.pages.helpers import sign_in
from tests.workflow_db.fixtures import sample_clue


def test_page_and_api_share_one_computation(
    client: TestClient, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []

    def counting(session: Session, user: User, *args: Any, **kwargs: Any) -> ClueCounts:
        made.append(user.username)
        return clue_counts(session, user, *args, **kwargs)

    monkeypatch.setattr(figures_cache, "clue_counts", counting)
    sign_in(client, "county")
    assert client.get("/").status_code == 200
    first = client.get("/api/v1/statistics/clues").json()
    assert client.get("/").status_code == 200
    assert made == ["county"]
    with database.transaction() as session:
        session.add(sample_clue("w1", "H1", "511502"))
    second = client.get("/api/v1/statistics/clues").json()
    assert made == ["county", "county"]
    assert second["total"] == first["total"] + 1
