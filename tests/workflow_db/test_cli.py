"""`sjg db`, `sjg users`, `sjg audit` on a fresh data folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sanjianguan.cli import _register
from sanjianguan.cli.app import app
from sanjianguan.context import Context
from sanjianguan.workflow_db import migrations
from sanjianguan.workflow_db.connection import Database
from tests.workflow_db.fixtures import PASSWORD, store_institutions


@pytest.fixture
def run(ctx: Context) -> Callable[..., tuple[int, str]]:
    _register()
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["--home", str(ctx.home), *args])
        return result.exit_code, result.output

    return invoke


def test_db_users_and_audit_commands(
    run: Callable[..., tuple[int, str]], ctx: Context, tmp_path: Path
) -> None:
    invoke = run
    code, out = invoke("db", "upgrade")
    assert code == 0, out
    versions = Path(migrations.__file__).parent / "versions"
    head = max(v.name[:4] for v in versions.glob("[0-9]*.py"))
    assert f"revision: {head}" in out
    assert invoke("db", "current")[0] == 0
    secret = tmp_path / "pw.txt"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    store_institutions(ctx, ("H1", "h", "511502"))  # the region is known from the store's institutions
    code, out = invoke(
        "users", "add", "Alice", "--role", "office", "--region", "511502", "--password-file", str(secret)
    )
    assert code == 0, out
    code, out = invoke("audit", "verify")
    assert code == 0, out
    code, out = invoke("audit", "tail", "-n", "5")
    assert "user.created" in out
    assert "region.created" in out
    database = Database.for_home(ctx.home, ctx.settings)
    with database.engine.begin() as con:
        con.exec_driver_sql("DROP TRIGGER audit_events_no_update")
        con.exec_driver_sql("UPDATE audit_events SET reason = 'forged' WHERE seq = 2")
    database.dispose()
    code, out = invoke("audit", "verify")
    assert code == 1
    assert "seq 2" in out


def test_accounts_the_office_hands_out_must_change_their_password(
    run: Callable[..., tuple[int, str]], ctx: Context, tmp_path: Path
) -> None:
    """`sjg users add` and `sjg users passwd` give a password someone else chose: changed at first login."""
    from sqlalchemy import select

    from sanjianguan.workflow_db.models import User

    secret = tmp_path / "pw"
    secret.write_text(PASSWORD, encoding="utf-8")
    assert run("db", "upgrade")[0] == 0
    store_institutions(ctx, ("H1", "h", "511502"))
    code, out = run(
        "users", "add", "carol", "--role", "office", "--region", "511502", "--password-file", str(secret)
    )
    assert code == 0, out
    database = Database.for_home(ctx.home, ctx.settings)
    try:
        with database.transaction() as session:
            user = session.execute(select(User).where(User.username == "carol")).scalar_one()
            assert user.must_change_password is True
            user.must_change_password = False
        assert run("users", "passwd", "carol", "--password-file", str(secret))[0] == 0
        with database.sessions() as session:
            user = session.execute(select(User).where(User.username == "carol")).scalar_one()
            assert user.must_change_password is True
    finally:
        database.dispose()
