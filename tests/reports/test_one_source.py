"""One source of figures: the same figure in the 工作月报 (.docx read back), on the dashboard (HTML)
and in `GET /api/v1/statistics/clues` (JSON), for the same user, month and day.

The figures: the month's clue count, the amount involved, the on-time self-check rate and
one institution's clue count, for the city office of the walked month (monthly/world.py).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from docx import Document
from fastapi.testclient import TestClient

from sanjianguan.clock import clock_on
from sanjianguan.context import Context
from sanjianguan.reports.official.document import table_texts
from sanjianguan.web.app import create_app
from tests.reports.monthly.world import PERIOD, TODAY, walk_home
from tests.web.pages.helpers import sign_in


def _html(page: str) -> dict[str, str]:
    def find(pattern: str) -> str:
        found = re.search(pattern, page, re.S)
        assert found, pattern
        return found.group(1)

    on_time, due = find(r'data-on-time="(\d+)" data-due="(\d+)"'), find(r'data-due="(\d+)"')
    return {
        "total": find(r'<strong id="total">(\d+)</strong>'),
        "amount": find(r'id="tile-amount">.*?data-value="([\d.]+)"'),
        "rate": find(r'data-due="\d+">([\d.]+%)</span>'),
        "on_time/due": f"{on_time}/{due}",
        "H1": find(r'<tr data-institution="H1"><th scope="row">[^<]+</th><td class="num">(\d+)</td>'),
    }


def _api(body: dict[str, Any]) -> dict[str, str]:
    rate = body["self_check"]["rate"]
    h1 = next(row["count"] for row in body["by_institution"] if row["key"] == "H1")
    return {
        "total": str(body["total"]),
        "amount": f"{float(body['amount_total']):.2f}",
        "rate": f"{rate * 100:.1f}%",
        "on_time/due": f"{body['self_check']['on_time']}/{body['self_check']['due']}",
        "H1": str(h1),
    }


def _docx(content: bytes) -> dict[str, str]:
    tables = [table_texts(t) for t in Document(io.BytesIO(content)).tables]
    category = next(t for t in tables if t[0] == ["类别", "线索数", "涉及金额（元）"])[-1]
    progress = {row[0]: row[1] for t in tables if t[0] == ["项目", "数量"] for row in t}
    ranking = next(t for t in tables if t[0][:3] == ["排名", "机构", "线索数"])
    return {
        "total": category[1],
        "amount": category[2].replace(",", ""),
        "rate": progress["按期自查率"],
        "on_time/due": f"{progress['按期自查']}/{progress['应自查线索']}",
        "H1": next(row[2] for row in ranking[1:] if row[1] == "H1 医院"),
    }


def test_the_report_the_dashboard_and_the_api_agree(ctx: Context, tmp_path: Path) -> None:
    walk_home(ctx, tmp_path / "evidence")
    with TestClient(create_app(ctx, clock=clock_on(TODAY)), follow_redirects=False) as client:
        sign_in(client, "city")  # one user, one cookie session for all three
        page = client.get(f"/?period={PERIOD}")
        api = client.get(f"/api/v1/statistics/clues?period={PERIOD}")
        report = client.get(f"/api/v1/reports/monthly?period={PERIOD}&format=docx")
    assert (page.status_code, api.status_code, report.status_code) == (200, 200, 200)
    shown = _html(page.text)
    assert shown == _api(api.json()) == _docx(report.content)
    assert shown == {"total": "9", "amount": "4615.30", "rate": "44.4%", "on_time/due": "4/9", "H1": "6"}
