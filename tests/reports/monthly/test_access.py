"""`sjg report monthly|bulletin` and `GET /api/v1/reports/monthly|bulletin`, and the dashboard's buttons."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from sanjianguan.cli import _register
from sanjianguan.cli.app import app
from sanjianguan.clock import clock_on
from sanjianguan.context import Context
from sanjianguan.reports.official.document import table_texts
from sanjianguan.web.app import create_app
from tests.cli.sjg_main import run_sjg
from tests.reports.monthly.world import PERIOD, TODAY, walk_home
from tests.web.pages.helpers import sign_in
from tests.workflow_db.fixtures import PASSWORD

runner = CliRunner()


@pytest.fixture
def world(ctx: Context, tmp_path: Path) -> Context:
    return walk_home(ctx, tmp_path / "evidence")


def _sjg(ctx: Context, *args: str) -> tuple[int, str]:
    _register()
    result = runner.invoke(app, ["--home", str(ctx.home), "report", *args, "--today", TODAY.isoformat()])
    return result.exit_code, result.output


def _totals(content: bytes) -> list[str]:
    """The 合计 row of the by-category table (the month's clues and amount)."""
    for table in Document(io.BytesIO(content)).tables:
        rows = table_texts(table)
        if rows[0] == ["类别", "线索数", "涉及金额（元）"]:
            return rows[-1]
    raise AssertionError("no by-category table")


def test_cli_writes_the_report_and_prints_its_figures(world: Context, tmp_path: Path) -> None:
    out = tmp_path / "月报.docx"
    code, output = _sjg(world, "monthly", "--region", "511500", "--period", PERIOD, "--out", str(out))
    assert code == 0, output
    assert "线索数 / clues: 9" in output
    assert "涉及金额（元）/ amount: 4615.30" in output
    assert "按期自查率 / on-time self-check: 44.4%" in output
    assert _totals(out.read_bytes()) == ["合计", "9", "4,615.30"]


def test_cli_follows_the_suffix_and_the_user(world: Context, tmp_path: Path) -> None:
    out = tmp_path / "county.xlsx"
    args = ("--region", "511502", "--period", PERIOD, "--out", str(out), "--as", "county")
    code, output = _sjg(world, "monthly", *args)
    assert code == 0, output
    assert "线索数 / clues: 6" in output
    assert "疑似问题线索（按类别）" in load_workbook(out).sheetnames
    out = tmp_path / "通报.docx"
    code, output = _sjg(world, "bulletin", "--region", "511502", "--period", PERIOD, "--out", str(out))
    assert code == 0, output
    assert "翠屏区医疗“三监管”2026年2月工作通报" in [p.text for p in Document(str(out)).paragraphs]


def test_cli_refuses_bad_input(
    world: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def sjg(*args: str) -> tuple[int, str]:  # through `main`, which turns a user error into exit 2
        return run_sjg(monkeypatch, capsys, "--home", str(world.home), "report", *args)

    out = tmp_path / "empty.docx"
    code, output = sjg("monthly", "--region", "511500", "--period", "2025-06", "--out", str(out))
    assert code == 2
    assert "该月没有数据" in output
    assert not out.exists()
    code, output = sjg("bulletin", "--region", "511500", "--period", PERIOD, "--out", str(tmp_path / "x.pdf"))
    assert code == 2
    assert "不支持的文件格式 .pdf" in output


@pytest.fixture
def client(world: Context) -> Iterator[TestClient]:
    with TestClient(create_app(world, clock=clock_on(TODAY)), follow_redirects=False) as test_client:
        yield test_client


def _bearer(client: TestClient, username: str) -> dict[str, str]:
    token = client.post("/api/v1/session", json={"username": username, "password": PASSWORD})
    assert token.status_code == 200, token.text
    client.cookies.clear()
    return {"Authorization": f"Bearer {token.json()['token']}"}


def test_api_downloads_for_the_callers_jurisdiction(client: TestClient) -> None:
    headers = _bearer(client, "county")
    response = client.get(f"/api/v1/reports/monthly?period={PERIOD}", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.word")
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    assert _totals(response.content)[1] == "6"  # the county's own clues
    book = client.get(f"/api/v1/reports/bulletin?period={PERIOD}&format=xlsx", headers=headers)
    assert book.status_code == 200
    assert "说明" in load_workbook(io.BytesIO(book.content)).sheetnames


@pytest.mark.parametrize("username", ["hospital1", "expert", "investigator"])
def test_api_refuses_other_roles(client: TestClient, username: str) -> None:
    headers = _bearer(client, username)
    for path in ("monthly", "bulletin"):
        response = client.get(f"/api/v1/reports/{path}?period={PERIOD}", headers=headers)
        assert response.status_code == 403, (path, response.text)


def test_api_says_why_a_month_is_empty(client: TestClient) -> None:
    response = client.get("/api/v1/reports/monthly?period=2025-06", headers=_bearer(client, "city"))
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail["code"] == "empty_month"
    assert "该月没有数据" in detail["message_zh"]
    assert detail["message_en"].startswith("no data for 2025-06")


def test_the_dashboard_links_the_downloads_for_allowed_roles(client: TestClient) -> None:
    sign_in(client, "city")
    page = client.get(f"/?period={PERIOD}").text
    for label, href in (
        ("下载工作月报（Word）", f"/api/v1/reports/monthly?period={PERIOD}&amp;format=docx"),
        ("下载工作月报（Excel）", f"/api/v1/reports/monthly?period={PERIOD}&amp;format=xlsx"),
        ("下载工作通报", f"/api/v1/reports/bulletin?period={PERIOD}&amp;format=docx"),
    ):
        assert f'<a class="button" href="{href}" download>{label}</a>' in page
    download = client.get(f"/api/v1/reports/monthly?period={PERIOD}&format=xlsx")  # the page's cookie
    assert download.status_code == 200
    client.cookies.clear()
    sign_in(client, "hospital1")
    assert "report-downloads" not in client.get(f"/?period={PERIOD}").text
