"""`sjg report disclosure|campaign|yearly`: the API's documents, the figures printed, bad input refused."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sanjianguan.bootstrap import open_database
from sanjianguan.cli import _register
from sanjianguan.cli.app import app
from sanjianguan.context import Context
from sanjianguan.errors import InvalidInputError, NotFoundError
from sanjianguan.web.app import create_app
from tests.reports.tallies.helpers import sheet_rows, table_after, word_tables
from tests.reports.tallies.world import World, build
from tests.web.test_api import login
from tests.workflow_db.fixtures import Clock, seed_org

runner = CliRunner()
TODAY = "2026-04-05"  # the world's clock at its end


@dataclass
class Built:
    home: Path
    client: TestClient
    world: World


@pytest.fixture
def built(ctx: Context) -> Iterator[Built]:
    database = open_database(ctx.home, ctx.settings)
    try:
        with database.sessions() as s:
            seed_org(s)
        clock = Clock()
        with TestClient(create_app(ctx, clock=clock, database=database)) as client:
            yield Built(ctx.home, client, build(client, database, clock))
    finally:
        database.dispose()


def _sjg(home: Path, *args: str) -> tuple[int, str, BaseException | None]:
    _register()
    result = runner.invoke(app, ["--home", str(home), "report", *args, "--today", TODAY])
    return result.exit_code, result.output, result.exception


def test_disclosure_is_the_apis_list(built: Built, tmp_path: Path) -> None:
    out = tmp_path / "附件5.xlsx"
    code, output, _ = _sjg(
        built.home, "disclosure", "--region", "511502", "--quarter", "2026-Q1", "--out", str(out)
    )
    assert code == 0, output
    assert "合计 staff_points: 5" in output
    api = built.client.get("/api/v1/reports/disclosure", params={"region": "511502", "quarter": "2026-Q1"})
    assert table_after(sheet_rows(out.read_bytes()), "序号") == table_after(sheet_rows(api.content), "序号")


def test_campaign_and_yearly_equal_the_api(built: Built, tmp_path: Path) -> None:
    cid = built.world.campaign_id
    out = tmp_path / "campaign.docx"
    code, output, _ = _sjg(built.home, "campaign", str(cid), "--out", str(out))
    assert code == 0, output
    assert "台账记录 / records: 5" in output
    city = login(built.client, "city")
    api = built.client.get(f"/api/v1/reports/campaigns/{cid}", headers=city)
    assert word_tables(out.read_bytes()) == word_tables(api.content)
    xlsx = tmp_path / "yearly.xlsx"
    code, output, _ = _sjg(built.home, "yearly", "--region", "511500", "--year", "2026", "--out", str(xlsx))
    assert code == 0, output
    assert "情形合计 / situations: 3" in output
    params = {"region": "511500", "year": "2026", "format": "xlsx"}
    api = built.client.get("/api/v1/reports/yearly", params=params, headers=city)
    for sheet in ("情形", "处理与记分"):
        assert sheet_rows(xlsx.read_bytes(), sheet)[2:] == sheet_rows(api.content, sheet)[2:]
    docx = tmp_path / "county.docx"
    code, output, _ = _sjg(
        built.home, "yearly", "--region", "511502", "--year", "2026", "--as", "county", "--out", str(docx)
    )
    assert code == 0, output
    assert [row[1] for row in word_tables(docx.read_bytes())[0][1:]] == ["H1 医院", "合计"]


def test_bad_input_is_refused_and_writes_nothing(built: Built, tmp_path: Path) -> None:
    pdf = tmp_path / "yearly.pdf"
    code, _, exc = _sjg(built.home, "yearly", "--region", "511500", "--year", "2026", "--out", str(pdf))
    assert (code != 0, isinstance(exc, InvalidInputError), pdf.exists()) == (True, True, False)
    empty = tmp_path / "2025.docx"
    code, _, exc = _sjg(built.home, "yearly", "--region", "511500", "--year", "2025", "--out", str(empty))
    assert isinstance(exc, NotFoundError)
    assert exc.code == "yearly_no_data"
    assert not empty.exists()
    missing = tmp_path / "none.docx"
    code, _, exc = _sjg(built.home, "campaign", "999", "--out", str(missing))
    assert isinstance(exc, NotFoundError)
    assert not missing.exists()
    code, _, exc = _sjg(
        built.home,
        "disclosure",
        "--region",
        "511502",
        "--quarter",
        "2026-Q2",
        "--out",
        str(tmp_path / "q2.xlsx"),
    )
    assert isinstance(exc, InvalidInputError)
    assert exc.code == "quarter_not_over"
