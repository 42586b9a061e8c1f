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
