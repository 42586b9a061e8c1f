"""Fixtures of the page tests: the sample organisation and a client that does not follow redirects."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from sanjianguan.context import Context
from sanjianguan.web.app import create_app
from sanjianguan.workflow_db.connection import Database
from tests.workflow_db.fixtures import Clock, Org, seed_org


@pytest.fixture
def org(database: Database) -> Org:
    with database.sessions() as s:
        return seed_org(s)


@pytest.fixture
def client(ctx: Context, database: Database, clock: Clock, org: Org) -> Iterator[TestClient]:
    app = create_app(ctx, clock=clock, database=database)
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client
