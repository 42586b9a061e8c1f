"""Unhandled input: integers beyond 2^63 − 1 and year 0 are a 422 with the error body, never a 500.

The probe: `/campaigns/99999999999999999999`, `/clues?offset=…` with a 20-digit number,
`month=0000-01` and `"quarter": "0000-Q1"` each gave a 500. Every integer parameter and
body field of the API must carry an upper bound, checked over the OpenAPI document.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sanjianguan.web.apidocs import _openapi
from sanjianguan.web.app import API_PREFIX
from sanjianguan.web.schemas.common import MAX_INT
from tests.security.test_openapi_conformance import conformance_app, tokens

__all__ = ["conformance_app", "tokens"]
HUGE = "99999999999999999999"


def _ints(schema: dict[str, Any], schemas: dict[str, Any], where: str, seen: frozenset[str]) -> list[str]:
    """Integer schemas under `schema` that lack a maximum (their location)."""
    found: list[str] = []
    ref = schema.get("$ref")
    if ref and ref not in seen:
        found += _ints(schemas[ref.rsplit("/", 1)[-1]], schemas, where, seen | {ref})
    if schema.get("type") == "integer" and "maximum" not in schema:
        found.append(where)
    for key, sub in schema.get("properties", {}).items():
        found += _ints(sub, schemas, f"{where}.{key}", seen)
    for sub in [*schema.get("anyOf", []), *([schema["items"]] if "items" in schema else [])]:
        found += _ints(sub, schemas, where, seen)
    return found


def test_every_integer_input_has_an_upper_bound() -> None:
    spec = _openapi()
    schemas = spec["components"]["schemas"]
    unbounded: list[str] = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            label = f"{method.upper()} {path}"
            for param in operation.get("parameters", []):
                unbounded += _ints(param["schema"], schemas, f"{label} {param['name']}", frozenset())
            for media in operation.get("requestBody", {}).get("content", {}).values():
                unbounded += _ints(media["schema"], schemas, f"{label} body", frozenset())
    assert not unbounded, unbounded


@pytest.mark.parametrize(
    ("method", "path", "params", "body", "field"),
    [
        ("GET", f"/campaigns/{HUGE}", {}, None, "campaign_id"),
        ("GET", f"/accountability/proposals/{HUGE}", {}, None, "proposal_id"),
        ("GET", f"/points/records/{HUGE}", {}, None, "record_id"),
        ("GET", f"/clues/c1/evidence/{HUGE}", {}, None, "file_id"),
        ("GET", "/clues", {"offset": HUGE}, None, "offset"),
        ("GET", "/accountability/proposals", {"offset": str(MAX_INT + 1)}, None, "offset"),
        ("GET", "/clues", {"period": "0000-01"}, None, "period"),
        ("GET", "/points/returns", {"region_code": "511502", "month": "0000-01"}, None, "month"),
        ("POST", "/periods/0000-01/push", {}, {"region_code": "511502"}, "period"),
        ("POST", "/points/disclosures", {}, {"region_code": "511502", "quarter": "0000-Q1"}, "quarter"),
        ("GET", "/public/points/disclosures/511502/0000-Q1", {}, None, "quarter"),
        ("POST", "/periods/2026-02/push", {}, {"region_code": "000000"}, "region_code"),
        ("GET", "/feedback/rules", {"region_code": "000000"}, None, "region_code"),
        ("GET", "/public/points/disclosures/000000/2026-Q1", {}, None, "region_code"),
        (
            "POST",
            "/accountability/runs",
            {},
            {"year": 2026, "region_code": "511502", "until": "0000-12"},
            "until",
        ),
    ],
)
def test_oversized_numbers_and_year_zero_are_422(
    conformance_app: FastAPI,
    tokens: dict[str, str],
    method: str,
    path: str,
    params: dict[str, str],
    body: dict[str, Any] | None,
    field: str,
) -> None:
    with TestClient(conformance_app, raise_server_exceptions=False) as client:
        response = client.request(
            method,
            API_PREFIX + path,
            params=params,
            json=body,
            headers={"Authorization": f"Bearer {tokens['office']}"},
        )
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail["code"] == "invalid_request"
    assert [e["loc"][-1] for e in detail["errors"]] == [field]


def test_years_1900_to_2999_are_accepted(conformance_app: FastAPI, tokens: dict[str, str]) -> None:
    headers = {"Authorization": f"Bearer {tokens['office']}"}
    with TestClient(conformance_app) as client:
        for period in ("1900-01", "2999-12"):
            response = client.get(f"{API_PREFIX}/clues", params={"period": period}, headers=headers)
            assert response.status_code == 200, response.text
        assert (
            client.get(f"{API_PREFIX}/clues", params={"period": "1899-12"}, headers=headers).status_code
            == 422
        )
