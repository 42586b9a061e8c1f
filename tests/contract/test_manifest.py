"""The batch manifest."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from sanjianguan.contract.manifest import parse_manifest
from sanjianguan.errors import ContractError

GOOD = {"contract_version": "1", "institution_id": " H1 ", "period": "2025-03", "kind": "Full"}


def test_valid_manifest_is_normalised() -> None:
    manifest = parse_manifest(json.dumps({**GOOD, "produced_at": "2025-04-02T02:00:00Z"}).encode())
    assert (manifest.institution_id, manifest.kind, manifest.period) == ("H1", "full", "2025-03")
    assert manifest.produced_at == datetime(2025, 4, 2, 10, 0)  # UTC → China time


def test_missing_institution_means_multi_institution() -> None:
    assert not parse_manifest(json.dumps({**GOOD, "institution_id": None}).encode()).single_institution


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("contract_version", "2"),
        ("contract_version", None),
        ("period", "2025-3"),
        ("period", "2025-00"),
        ("kind", "replace"),
        ("institution_id", 42),
        ("produced_at", "02/04/2025"),
    ],
)
def test_bad_field_names_file_and_field(field: str, value: object) -> None:
    with pytest.raises(ContractError) as info:
        parse_manifest(json.dumps({**GOOD, field: value}).encode(), "b/manifest.json")
    assert info.value.column == field
    assert info.value.file == "b/manifest.json"
    assert field in str(info.value)
    assert "manifest.json" in str(info.value)


@pytest.mark.parametrize("data", [b"{not json", b"[1, 2]", b"\xff\xfe"])
def test_not_a_json_object(data: bytes) -> None:
    with pytest.raises(ContractError, match="manifest"):
        parse_manifest(data)
