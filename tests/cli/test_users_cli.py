"""`sjg users list | disable | enable | regions`, and `--region` checked against the known regions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from sanjianguan.access.sessions import authenticate, login
from sanjianguan.access.settings import AccessSettings
from sanjianguan.bootstrap import open_database
from sanjianguan.cli import _register
from sanjianguan.cli.app import app
from sanjianguan.context import Context
from sanjianguan.errors import AuthenticationError, SjgError
from sanjianguan.workflow_db.base import utcnow
from sanjianguan.workflow_db.models import AuditEvent, AuthSession, Region, User
from tests.workflow_db.fixtures import PASSWORD, store_institutions

Invoke = Callable[..., tuple[int, str]]


@pytest.fixture
def sjg(ctx: Context, tmp_path: Path) -> Invoke:
    """The CLI on a data folder whose store knows H1 (511502) and H2 (511503)."""
    store_institutions(ctx, ("H1", "翠屏区人民医院", "511502"), ("H2", "南溪区中医医院", "511503"))
    _register()
    runner = CliRunner()
    secret = tmp_path / "pw.txt"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")

    def invoke(*args: str) -> tuple[int, str]:
        argv = [*args, "--password-file", str(secret)] if args[:2] == ("users", "add") else list(args)
        result = runner.invoke(app, ["--home", str(ctx.home), *argv])
        error = result.exception
        if error is not None and not isinstance(error, SystemExit):
            assert isinstance(error, SjgError), repr(error)  # `sjg` prints these as one clear line
            return 2, str(error)
        return result.exit_code, result.output

    assert invoke("db", "upgrade")[0] == 0
    return invoke


def _events(ctx: Context) -> list[tuple[str, str | None]]:
    database = open_database(ctx.home, ctx.settings)
    try:
        with database.transaction() as session:
            return [(e.event, e.subject_id) for e in session.execute(select(AuditEvent)).scalars()]
    finally:
        database.dispose()


def _login(session: Session) -> str:
    return login(session, "city", PASSWORD, client="test", policy=AccessSettings(), now=utcnow()).token


def test_unknown_region_is_refused_with_a_hint(sjg: Invoke, ctx: Context) -> None:
    code, out = sjg("users", "add", "bob", "--role", "office", "--region", "999999")
    assert code != 0
    assert "未知行政区划：999999" in out
    assert "sjg users regions" in out
    code, out = sjg("users", "add", "bob", "--role", "office", "--region", "511599")  # well-formed, unknown
    assert code != 0
    assert "unknown region 511599" in out
    assert "user.created" not in {event for event, _ in _events(ctx)}
    # a region of the store's institutions (or one containing them) is known and registered
    assert sjg("users", "add", "city", "--role", "office", "--region", "511500")[0] == 0
    assert sjg("users", "add", "county", "--role", "analyst", "--region", "511503")[0] == 0
    code, out = sjg("users", "regions")
    assert code == 0, out
    assert {"510000", "511500", "511503"} <= set(out.split())
    assert "511502" not in out  # nothing registered it yet
    code, out = sjg("users", "regions", "--sync")
    assert code == 0, out
    assert "511502" in out


def test_list_filters_by_role_and_region(sjg: Invoke) -> None:
    assert sjg("users", "add", "city", "--role", "office", "--region", "511500", "--name", "市办公室")[0] == 0
    assert sjg("users", "add", "nanxi", "--role", "analyst", "--region", "511503")[0] == 0
    assert sjg("users", "add", "h1", "--role", "institution", "--institution", "H1")[0] == 0
    code, out = sjg("users", "list")
    assert code == 0, out
    assert "users: 3" in out
    assert "市办公室" in out
    lines = {line.split()[1]: line for line in out.splitlines() if line.startswith("│")}
    assert "H1" in lines["h1"]
    assert "institution" in lines["h1"]
    assert "是" in lines["city"]
    out = sjg("users", "list", "--role", "analyst")[1]
    assert "nanxi" in out
    assert "city" not in out
    assert "users: 1" in out
    out = sjg("users", "list", "--region", "511502")[1]  # the county of H1: its institution user only
    assert "h1" in out
    assert "nanxi" not in out
    assert "users: 1" in out
    out = sjg("users", "list", "--region", "511500")[1]  # the city holds everyone
    assert "users: 3" in out
    code, out = sjg("users", "list", "--region", "999999")
    assert code != 0
    assert "未知行政区划" in out
    code, out = sjg("users", "list", "--role", "admin")
    assert code != 0
    assert "未知角色" in out


def test_disable_ends_sessions_and_enable_restores_login(sjg: Invoke, ctx: Context) -> None:
    assert sjg("users", "add", "city", "--role", "office", "--region", "511500")[0] == 0
    database = open_database(ctx.home, ctx.settings)
    try:
        with database.transaction() as session:
            token = _login(session)
        code, out = sjg("users", "disable", "City")
        assert code == 0, out
        assert "已停用 / disabled: city" in out
        assert "否" in sjg("users", "list")[1]
        with database.transaction() as session:
            user = session.execute(select(User).where(User.username == "city")).scalar_one()
            assert user.is_active is False
            assert session.execute(select(AuthSession.revoked_at)).scalar_one() is not None
            with pytest.raises(AuthenticationError):
                authenticate(session, token, now=utcnow())
        with database.transaction() as session, pytest.raises(AuthenticationError):
            _login(session)  # refused (and the failed attempt noted)
        assert "未变 / unchanged" in sjg("users", "disable", "city")[1]
        assert sjg("users", "enable", "city")[0] == 0
        with database.transaction() as session:
            with pytest.raises(AuthenticationError):
                authenticate(session, token, now=utcnow())  # the old session stays ended
            assert _login(session)
            assert session.get(Region, "511500") is not None
    finally:
        database.dispose()
    events = _events(ctx)
    user_events = [event for event, _ in events if event in {"user.disabled", "user.enabled"}]
    assert user_events == ["user.disabled", "user.enabled"]  # the no-op disable is not audited
    code, out = sjg("users", "disable", "nobody")
    assert code != 0
    assert "用户不存在" in out
