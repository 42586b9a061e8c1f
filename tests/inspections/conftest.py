"""API fixtures shared by the joint-work tests (inspections, campaigns, referrals, feedback)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sanjianguan.context import Context
from sanjianguan.web.app import create_app
from sanjianguan.workflow_db.connection import Database
from tests.cases.harness import Harness, make_harness
from tests.workflow_db.fixtures import Clock


@pytest.fixture
def h(database: Database, clock: Clock, tmp_path: Path) -> Harness:
    return make_harness(database, clock, tmp_path / "home")


@pytest.fixture
def client(ctx: Context, database: Database, clock: Clock, h: Harness) -> Iterator[TestClient]:
    app = create_app(ctx, clock=clock, database=database)
    with TestClient(app) as test_client:
        yield test_client
