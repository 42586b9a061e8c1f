"""Request bodies are not read before authentication, and each route's body is bounded.

The probe: an unauthenticated 200 MB multipart POST was spooled to disk (184 MB) before its
401, and a 100 MB JSON body to `/session` doubled the server's memory. Here the app is
called over ASGI with a body source that counts the bytes the server pulls (exact), and
once through a real uvicorn server on loopback: the answer arrives although not one byte
of the announced body was sent.
"""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import pytest
from fastapi import FastAPI

from sanjianguan.config import Settings
from sanjianguan.web.app import API_PREFIX
from sanjianguan.web.guard import Limits
from tests.security.serving import serving
from tests.security.test_openapi_conformance import conformance_app, tokens

__all__ = ["conformance_app", "tokens"]  # the fixtures, shared
MB = 1024 * 1024
CHUNK = 64 * 1024


class Source:
    """A request body of `size` bytes in chunks, counting how many the server pulled."""

    def __init__(self, size: int) -> None:
        self.size, self.pulled = size, 0

    async def receive(self) -> dict[str, Any]:
        if self.pulled >= self.size:
            await asyncio.sleep(3600)  # the client waits for the answer
        part = min(CHUNK, self.size - self.pulled)
        self.pulled += part
        return {"type": "http.request", "body": b"x" * part, "more_body": self.pulled < self.size}


def _call(
    app: FastAPI, method: str, path: str, size: int, headers: dict[str, str], *, announce: bool = True
) -> tuple[int, dict[str, Any], int]:
    """(status, JSON body, bytes pulled) of one request whose body has `size` bytes."""
    source = Source(size)
    sent: list[dict[str, Any]] = []
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    if announce:
        raw.append((b"content-length", str(size).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": API_PREFIX + path,
        "raw_path": (API_PREFIX + path).encode(),
        "query_string": b"",
        "root_path": "",
        "headers": raw,
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 80),
        "state": {},
    }

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def run() -> None:
        await asyncio.wait_for(app(scope, source.receive, send), timeout=30)

    asyncio.run(run())
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, json.loads(body), source.pulled


MULTIPART = {"Content-Type": "multipart/form-data; boundary=xyz"}
JSON = {"Content-Type": "application/json"}


def test_unauthenticated_upload_is_refused_before_its_body(conformance_app: FastAPI) -> None:
    for announce in (True, False):  # with Content-Length, and chunked
        status, body, pulled = _call(
            conformance_app, "POST", "/clues/c1/evidence", 200 * MB, MULTIPART, announce=announce
        )
        assert (status, body["detail"]["code"], pulled) == (401, "not_authenticated", 0)


def test_bad_token_and_cookie_are_refused_before_the_body(conformance_app: FastAPI) -> None:
    """Chunked (no Content-Length), so that only the login check can refuse it unread."""
    for headers in ({"Authorization": "Bearer nope"}, {"Cookie": "sjg_session=nope"}):
        status, _body, pulled = _call(
            conformance_app, "POST", "/accountability/facts", 50 * MB, JSON | headers, announce=False
        )
        assert (status, pulled) == (401, 0)


def test_oversized_login_body_is_refused_unread(conformance_app: FastAPI) -> None:
    status, body, pulled = _call(conformance_app, "POST", "/session", 100 * MB, JSON)
    assert (status, body["detail"]["code"], pulled) == (413, "body_too_large", 0)
    assert body["detail"]["limit_bytes"] == 8 * 1024
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]["message_zh"])


def test_chunked_body_is_cut_at_the_limit(conformance_app: FastAPI, tokens: dict[str, str]) -> None:
    """Without Content-Length the guard passes bytes on until the limit, then answers 413."""
    limit = Limits.of(Settings()).body
    auth = {"Authorization": f"Bearer {tokens['office']}"}
    status, body, pulled = _call(
        conformance_app, "POST", "/accountability/facts", 50 * MB, JSON | auth, announce=False
    )
    assert (status, body["detail"]["code"]) == (413, "body_too_large")
    assert limit < pulled <= limit + CHUNK  # never read beyond the chunk that crossed the limit


def test_logged_in_oversized_json_is_refused_from_its_length(
    conformance_app: FastAPI, tokens: dict[str, str]
) -> None:
    auth = {"Authorization": f"Bearer {tokens['office']}"}
    status, _body, pulled = _call(conformance_app, "POST", "/accountability/facts", 2 * MB, JSON | auth)
    assert (status, pulled) == (413, 0)


def test_upload_limit_follows_the_evidence_settings() -> None:
    settings = Settings.model_validate(
        {"cases": {"evidence_max_mb": 2, "evidence_max_files": 3}, "web": {"upload_overhead_kb": 100}}
    )
    assert Limits.of(settings).upload == 3 * 2 * MB + 100 * 1024
    assert Limits.of(settings).login == 8 * 1024


def _answer_without_body(port: int, path: str, headers: str) -> bytes:
    """Announce a 200 MB body, send none of it, and read what the server answers."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        head = (
            f"POST {API_PREFIX}{path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}"
            f"Content-Length: {200 * MB}\r\n\r\n"
        )
        sock.sendall(head.encode())
        return sock.recv(65536)  # a timeout here: the server was waiting for the body


@pytest.mark.slow
def test_real_server_answers_before_the_body_arrives(conformance_app: FastAPI) -> None:
    with serving(conformance_app) as port:
        upload = _answer_without_body(
            port, "/clues/c1/evidence", "Content-Type: multipart/form-data; boundary=xyz\r\n"
        )
        login = _answer_without_body(port, "/session", "Content-Type: application/json\r\n")
    assert upload.startswith(b"HTTP/1.1 401"), upload[:200]
    assert login.startswith(b"HTTP/1.1 413"), login[:200]
