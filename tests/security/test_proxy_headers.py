"""`X-Forwarded-For` is believed only from configured proxies (not from loopback by default).

The probe: rotating the header from 127.0.0.1 bypassed the per-address login limit, and
the spoofed address was recorded. A real uvicorn server on loopback, with the options
`sjg serve` uses, records the connection's own address unless the proxy is trusted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from sqlalchemy import select

from sanjianguan.cli.serve import proxy_options
from sanjianguan.config import Settings
from sanjianguan.context import Context
from sanjianguan.web.app import create_app
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import LoginAttempt
from tests.security.serving import serving
from tests.workflow_db.fixtures import Clock, seed_org


@contextmanager
def _serving(ctx: Context, database: Database, settings: Settings) -> Iterator[str]:
    app = create_app(ctx, clock=Clock(), database=database)
    with serving(app, **proxy_options(settings)) as port:
        yield f"http://127.0.0.1:{port}"


def _clients_recorded(database: Database, base: str) -> list[str]:
    for spoofed in ("203.0.113.7", "203.0.113.8"):
        response = httpx.post(
            f"{base}/api/v1/session",
            json={"username": "county", "password": "wrong password!"},
            headers={"X-Forwarded-For": spoofed},
        )
        assert response.status_code == 401
    with database.sessions() as s:
        return list(s.execute(select(LoginAttempt.client).order_by(LoginAttempt.id)).scalars())


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_forwarded_for_from_loopback_is_not_believed_by_default(ctx: Context, database: Database) -> None:
    with database.transaction() as s:
        seed_org(s)
    with _serving(ctx, database, Settings()) as base:
        assert _clients_recorded(database, base) == ["127.0.0.1", "127.0.0.1"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_forwarded_for_from_a_configured_proxy_is_believed(ctx: Context, database: Database) -> None:
    with database.transaction() as s:
        seed_org(s)
    settings = Settings.model_validate({"access": {"trusted_proxies": ["127.0.0.1"]}})
    with _serving(ctx, database, settings) as base:
        assert _clients_recorded(database, base) == ["203.0.113.7", "203.0.113.8"]
