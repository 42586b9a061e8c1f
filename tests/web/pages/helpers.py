"""Helpers of the page tests: logging in by the form, reading a page's CSRF token."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from httpx import Response

from tests.workflow_db.fixtures import PASSWORD

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def post_login(client: TestClient, username: str, password: str = PASSWORD, **extra: str) -> Response:
    """Open the login form (its token and cookie), then post it."""
    form = client.get("/login")
    assert form.status_code == 200
    data = {"username": username, "password": password, "csrf_token": csrf_of(form.text), **extra}
    return client.post("/login", data=data)


def sign_in(client: TestClient, username: str) -> None:
    response = post_login(client, username)
    assert response.status_code == 303, response.text
    assert "sjg_session" in client.cookies


def page_csrf(client: TestClient, path: str = "/") -> str:
    """The CSRF token of the signed-in session, as a page carries it."""
    response = client.get(path)
    assert response.status_code == 200, response.text
    return csrf_of(response.text)
