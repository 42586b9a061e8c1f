"""Header matching, value parsing and reasons."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import duckdb
import pytest

from sanjianguan.analytic_store.masking import (
    id_card_hash,
    id_card_hash_sql,
    mask_patient_id,
    mask_patient_id_sql,
)
from sanjianguan.contract.schema import TABLES, ColType
from sanjianguan.contract.validate import map_headers, parse_text, reason
from sanjianguan.errors import ContractError

FEE = TABLES["fee_items"]
FEE_HEADERS = [
    "line_id",
    "encounter_id",
    "item_code",
    "item_type",
    "charged_at",
    "quantity",
    "unit_price",
    "amount",
]


def test_aliases_case_and_spaces() -> None:
    hmap = map_headers(
        FEE,
        [
            " MDTRT_ID ",
            "bkkp_sn",
            "hilist_code",
            "item_type",
            "fee_ocur_time",
            "cnt",
            "pric",
            "det_item_fee_sumamt",
            "memo",
        ],
        "f.csv",
    )
    assert hmap.columns["encounter_id"] == " MDTRT_ID "
    assert hmap.columns["amount"] == "det_item_fee_sumamt"
    assert hmap.extras == ("memo",)


def test_two_headers_for_one_column() -> None:
    with pytest.raises(ContractError) as info:
        map_headers(FEE, [*FEE_HEADERS, "cnt"], "fee_items.csv")
    assert info.value.column == "quantity"
    assert "cnt" in str(info.value)
    assert "fee_items.csv" in str(info.value)


def test_missing_required_column() -> None:
    with pytest.raises(ContractError) as info:
        map_headers(FEE, [h for h in FEE_HEADERS if h != "amount"], "fee_items.csv")
    assert info.value.column == "amount"
    assert info.value.file == "fee_items.csv"


def test_item_code_may_be_absent_when_local_code_given() -> None:
    headers = [h for h in FEE_HEADERS if h != "item_code"]
    with pytest.raises(ContractError, match="item_code"):
        map_headers(FEE, headers, "f.csv")
    assert "item_code" not in map_headers(FEE, [*headers, "local_code"], "f.csv").columns


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        (ColType.BOOL, "是", True),
        (ColType.BOOL, "FALSE", False),
        (ColType.BOOL, "2", None),
        (ColType.DATE, "2025-03-01", date(2025, 3, 1)),
        (ColType.DATE, "20250301", date(2025, 3, 1)),
        (ColType.DATE, "2025-03-01 00:00:00", date(2025, 3, 1)),
        (ColType.DATE, "2025-03-01 10:00", None),
        (ColType.TIMESTAMP, "2025-03-01 10:30", datetime(2025, 3, 1, 10, 30)),
        (ColType.TIMESTAMP, "2025-03-01", datetime(2025, 3, 1)),
        (ColType.TIMESTAMP, "20250301103000", datetime(2025, 3, 1, 10, 30)),
        (ColType.TIMESTAMP, "03/01/2025", None),
        (ColType.INT, "3", 3),
        (ColType.INT, "3.0", 3),
        (ColType.INT, "3.5", None),
        (ColType.DECIMAL, "-12.3456", Decimal("-12.3456")),
        (ColType.DECIMAL, "12,5", None),
    ],
)
def test_parse_text(kind: ColType, text: str, expected: object) -> None:
    sql = parse_text(kind, "s")
    assert duckdb.connect().execute(f"SELECT {sql} FROM (SELECT ? AS s)", [text]).fetchone() == (expected,)


def test_reason_is_bilingual() -> None:
    assert reason("seq|duplicate|4") == "批次内主键重复，保留第 4 行 / duplicate key in the batch, row 4 kept"
    assert "0.01" in reason("amount|amount")


@pytest.mark.parametrize("value", ["51150219800101123x", "511502800101123", "PT001", " 511502198001011234 "])
def test_masking_sql_matches_python(value: str) -> None:
    con = duckdb.connect()
    row = con.execute(
        f"SELECT {mask_patient_id_sql('trim(s)', 'salt')}, {id_card_hash_sql('trim(s)', 'salt')} "
        "FROM (SELECT ? AS s)",
        [value],
    ).fetchone()
    assert row == (mask_patient_id("salt", value.strip()), id_card_hash("salt", value))
