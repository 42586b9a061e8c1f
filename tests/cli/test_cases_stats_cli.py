"""`sjg cases stats --as USER`: the dashboard's figures, equal to the API's for the same user."""

from __future__ import annotations

import json
from datetime import date

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sanjianguan.bootstrap import open_database
from sanjianguan.cli import _register
from sanjianguan.cli.app import app
from sanjianguan.clock import clock_on
from sanjianguan.context import Context
from sanjianguan.errors import NotFoundError
from sanjianguan.web.app import create_app
from tests.workflow_db.fixtures import PASSWORD, sample_clue, seed_org

TODAY = date(2026, 3, 20)


def test_the_cli_gives_the_api_figures_of_each_jurisdiction(ctx: Context) -> None:
    database = open_database(ctx.home, ctx.settings)
    try:
        with database.sessions() as session:
            seed_org(session)
        with database.transaction() as session:
            session.add_all(
                [
                    sample_clue("s1", "H1", "511502", period="2026-02"),
                    sample_clue("s2", "H1", "511502", period="2026-02"),
                    sample_clue("s3", "H2", "511503", period="2026-02"),
                ]
            )
    finally:
        database.dispose()
    _register()
    runner = CliRunner()
    totals = {}
    with TestClient(create_app(ctx, clock=clock_on(TODAY))) as client:
        for username in ("city", "county"):
            cli = runner.invoke(
                app,
                ["--home", str(ctx.home), "cases", "stats", "--as", username, "--today", TODAY.isoformat()],
            )
            assert cli.exit_code == 0, cli.output
            token = client.post("/api/v1/session", json={"username": username, "password": PASSWORD})
            headers = {"Authorization": f"Bearer {token.json()['token']}"}
            client.cookies.clear()
            api = client.get("/api/v1/statistics/clues", headers=headers).json()
            assert json.loads(cli.output) == api, username
            totals[username] = api["total"]
    assert totals["city"] > totals["county"] >= 2  # the county sees its own clues only


def test_an_unknown_user_is_refused_by_name(ctx: Context) -> None:
    open_database(ctx.home, ctx.settings).dispose()
    _register()
    result = CliRunner().invoke(app, ["--home", str(ctx.home), "cases", "stats", "--as", "nobody"])
    assert result.exit_code != 0
    assert isinstance(result.exception, NotFoundError)  # `sjg` prints it in both languages
    assert "nobody" in str(result.exception)
