"""Helpers of the joint-work page tests (inspections, campaigns, referrals, disclosure)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent
from tests.web.pages.helpers import sign_in


def as_user(client: TestClient, username: str) -> None:
    client.cookies.clear()
    sign_in(client, username)


def ids(html: str, kind: str) -> list[int]:
    """The ids of the rows `<tr id="{kind}-N"` of a page, in page order."""
    return [int(i) for i in re.findall(rf'<tr id="{kind}-(\d+)"', html)]


def api(client: TestClient, path: str, **params: Any) -> Any:
    response = client.get("/api/v1" + path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def events(database: Database, name: str) -> list[AuditEvent]:
    with database.sessions() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.event == name)))


def error_of(html: str, field_id: str) -> str:
    """The text of the error next to the field `field_id` (its `aria-describedby` pointing at it)."""
    assert f'aria-describedby="{field_id}-error"' in html, field_id
    found = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', html)
    assert found, field_id
    return found.group(1)
