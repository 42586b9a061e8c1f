"""县区月报 by command, API and page: the same figures for the same user; the scan by API and page."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

import sanjianguan.cli
from sanjianguan.bootstrap import open_database
from sanjianguan.cli.app import app
from sanjianguan.context import Context
from sanjianguan.reports.county_return import CLUE_COLUMNS, shown
from sanjianguan.reports.data.county_return import CountyReturn, county_return_figures
from sanjianguan.reports.official.document import table_texts
from sanjianguan.web.app import create_app
from tests.cases.harness import PNG, Harness
from tests.cli.sjg_main import run_sjg
from tests.reports.county.world import at, build
from tests.web.pages.helpers import page_csrf, sign_in
from tests.workflow_db.fixtures import PASSWORD

TODAY = date(2026, 4, 11)
API = "/api/v1/reports/county-return"


@dataclass
class Served:
    h: Harness
    ctx: Context
    client: TestClient

    def figures(self, user: str) -> CountyReturn:
        with self.h.database.sessions() as session:
            return county_return_figures(
                session, self.h.user(session, user), "511502", "2026-03", today=TODAY
            )

    def bearer(self, user: str) -> dict[str, str]:
        token = self.client.post("/api/v1/session", json={"username": user, "password": PASSWORD})
        self.client.cookies.clear()
        return {"Authorization": f"Bearer {token.json()['token']}"}


@pytest.fixture
def served(ctx: Context) -> Iterator[Served]:
    database = open_database(ctx.home, ctx.settings)
    h = build(database, ctx.home)
    h.clock.now = at(TODAY)
    with TestClient(create_app(ctx, clock=h.clock, database=database), follow_redirects=False) as client:
        yield Served(h, ctx, client)
    database.dispose()


def test_command_api_and_figures_agree(served: Served, tmp_path: Path) -> None:
    sanjianguan.cli._register()
    out = tmp_path / "return.xlsx"
    args = ["--home", str(served.ctx.home), "report", "county-return", "--region", "511502"]
    result = CliRunner().invoke(
        app, [*args, "--period", "2026-03", "--out", str(out), "--today", "2026-04-11"]
    )
    assert result.exit_code == 0, result.output
    figures = served.figures("county")
    assert f"表1 received: {figures.clue_total.received}" in result.output
    assert f"表2 staff_points: {figures.action_total.staff_points}" in result.output
    total = [c.value for c in load_workbook(out)["表1"][4 + len(figures.clues) + 1]]
    assert total[1 : 1 + 8] == [getattr(figures.clue_total, c.attr) for c in CLUE_COLUMNS[:8]]

    response = served.client.get(
        API, params={"region": "511502", "period": "2026-03"}, headers=served.bearer("county")
    )
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    table1 = table_texts(Document(io.BytesIO(response.content)).tables[0])
    assert table1[-1] == ["合计", *(shown(getattr(figures.clue_total, c.attr)) for c in CLUE_COLUMNS)]
    xlsx = served.client.get(
        API, params={"region": "511502", "period": "2026-03", "format": "xlsx"}, headers=served.bearer("city")
    )
    assert xlsx.status_code == 200
    assert xlsx.content.startswith(b"PK")


def test_command_refuses_an_open_month(
    served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "early.docx"
    code, output = run_sjg(
        monkeypatch, capsys, "--home", str(served.ctx.home), "report", "county-return", "--region", "511502",
        "--period", "2026-03", "--out", str(out), "--today", "2026-03-31",
    )  # fmt: skip
    assert (code, "尚未结束" in output, out.exists()) == (2, True, False)


def test_api_refusals(served: Served) -> None:
    early = served.client.get(
        API, params={"region": "511502", "period": "2026-04"}, headers=served.bearer("county")
    )
    assert (early.status_code, early.json()["detail"]["code"]) == (400, "period_not_closed")
    other = served.client.get(
        API, params={"region": "511502", "period": "2026-03"}, headers=served.bearer("county2")
    )
    assert other.status_code == 404
    hospital = served.client.get(
        API, params={"region": "511502", "period": "2026-03"}, headers=served.bearer("hospital1")
    )
    assert hospital.status_code == 403


def test_scan_by_api_and_the_citys_status(served: Served) -> None:
    files = {"files": ("盖章.png", PNG, "image/png")}
    form = {"region": "511502", "period": "2026-03"}
    receipt = served.client.post(f"{API}/scan", data=form, files=files, headers=served.bearer("county"))
    assert receipt.status_code == 200, receipt.text
    assert (receipt.json()["on_time"], receipt.json()["due_on"]) == (False, "2026-04-10")  # received the 11th
    fake = {"files": ("盖章.png", b"plain text", "image/png")}
    refused = served.client.post(f"{API}/scan", data=form, files=fake, headers=served.bearer("county"))
    assert (refused.status_code, refused.json()["detail"]["code"]) == (400, "file_type_not_allowed")
    status = served.client.get(f"{API}/scans", params={"period": "2026-03"}, headers=served.bearer("city"))
    assert {s["region_code"]: s["status"] for s in status.json()} == {"511502": "late", "511503": "missing"}


def test_page_for_the_county_and_the_city(served: Served) -> None:
    sign_in(served.client, "county")
    page = served.client.get("/county-returns", params={"period": "2026-03"})
    assert page.status_code == 200, page.text
    assert f"{API}?region=511502&amp;period=2026-03&amp;format=docx" in page.text
    assert 'data-upload="1"' in page.text
    assert 'id="upload-bar"' in page.text
    token = page_csrf(served.client, "/county-returns?period=2026-03")
    posted = served.client.post(
        "/county-returns",
        data={"csrf_token": token, "period": "2026-03"},
        files={"files": ("盖章.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
        follow_redirects=False,
    )
    assert posted.status_code == 303, posted.text
    receipts = served.client.get(posted.headers["location"])
    assert "逾期报送" in receipts.text
    assert 'id="receipts"' in receipts.text
    wrong = served.client.post(
        "/county-returns",
        data={"csrf_token": token, "period": "2026-03"},
        files={"files": ("盖章.png", b"not an image", "image/png")},
    )
    assert wrong.status_code == 400
    assert "内容与扩展名不符" in wrong.text
    bad = served.client.post(
        "/county-returns",
        data={"csrf_token": token, "period": "2026-3x"},
        files={"files": ("a.png", PNG, "image/png")},
    )
    assert bad.status_code == 400
    assert "YYYY-MM" in bad.text
    served.client.cookies.clear()
    sign_in(served.client, "city")
    city = served.client.get("/county-returns", params={"period": "2026-03"})
    assert 'data-region="511502" data-status="late"' in city.text
    assert 'data-region="511503" data-status="missing"' in city.text
    assert 'id="scan-upload"' not in city.text
    served.client.cookies.clear()
    sign_in(served.client, "hospital1")
    assert served.client.get("/county-returns").status_code == 403
