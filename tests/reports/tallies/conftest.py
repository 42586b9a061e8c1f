"""The tallies' documents: the sample organisation with the world of `world.py`, and a client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from sanjianguan.context import Context
from sanjianguan.web.app import create_app
from sanjianguan.workflow_db.connection import Database
from tests.reports.tallies.world import World, build
from tests.workflow_db.fixtures import Clock, seed_org


@pytest.fixture
def client(ctx: Context, database: Database, clock: Clock) -> Iterator[TestClient]:
    with database.sessions() as s:
        seed_org(s)
    app = create_app(ctx, clock=clock, database=database)
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def world(client: TestClient, database: Database, clock: Clock) -> World:
    return build(client, database, clock)
