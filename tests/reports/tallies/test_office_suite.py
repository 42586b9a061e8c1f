"""Each tallies document opens in LibreOffice (converted to PDF, at least one page), on each backend."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.reports.office import pdf_pages, to_pdf
from tests.reports.tallies.world import World
from tests.web.test_api import login


def test_every_document_converts_to_pdf(client: TestClient, world: World, tmp_path: Path) -> None:
    city = login(client, "city")
    downloads = {
        "disclosure.xlsx": client.get(
            "/api/v1/reports/disclosure", params={"region": "511502", "quarter": "2026-Q1"}
        ),
        "campaign.docx": client.get(f"/api/v1/reports/campaigns/{world.campaign_id}", headers=city),
        "yearly.docx": client.get(
            "/api/v1/reports/yearly", params={"region": "511500", "year": "2026"}, headers=city
        ),
        "yearly.xlsx": client.get(
            "/api/v1/reports/yearly",
            params={"region": "511500", "year": "2026", "format": "xlsx"},
            headers=city,
        ),
    }
    for name, response in downloads.items():
        assert response.status_code == 200, (name, response.text)
        path = tmp_path / name
        path.write_bytes(response.content)
        pdf = to_pdf(path, tmp_path / "pdf")
        assert pdf_pages(pdf) >= 1, name
