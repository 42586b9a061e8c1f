"""`sjg inspections draw`: a seeded draw from the command line, logged and reproducible."""

from __future__ import annotations

from typer.testing import CliRunner

from sanjianguan.bootstrap import upgrade
from sanjianguan.cli import _register
from sanjianguan.cli.app import app
from sanjianguan.context import Context
from sanjianguan.inspections.service import reproduce
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import InspectionPlan
from tests.workflow_db.fixtures import seed_org


def test_draw_command(ctx: Context) -> None:
    _register()
    database = Database.for_home(ctx.home, ctx.settings)
    upgrade(database.engine)
    with database.sessions() as session:
        seed_org(session)
    runner = CliRunner()
    args = ["--home", str(ctx.home), "inspections", "draw", "--year", "2026", "--region", "511500"]
    result = runner.invoke(app, [*args, "--seed", "cli", "--extra", "1", "--inspectors", "1"])
    assert result.exit_code == 0, result.output
    assert "seed cli" in result.output
    assert result.output.count("(baseline)") == 2
    assert result.output.count("(weighted)") == 1
    with database.sessions() as session:
        plan = session.query(InspectionPlan).one()
        assert plan.created_by is None  # a system action
        assert len(reproduce(plan)) == 3
    again = runner.invoke(app, [*args, "--seed", "cli"])
    assert again.exit_code != 0  # the city already has its 2026 plan
    database.dispose()
