"""Loading batches: rejections, quarantine reasons, replacement, upserts, masking, code mapping."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from sanjianguan.analytic_store.database import salt
from sanjianguan.analytic_store.loader import LoadReport, load_batch, load_paths, quarantine_lines
from sanjianguan.config import Settings
from sanjianguan.contract.batch import NotABatchError
from tests.contract.batchkit import (
    ID_CARD,
    ID_PATIENT,
    INSTITUTION,
    valid_rows,
    write_batch,
    write_table,
    zip_batch,
)

RECEIVED = datetime(2025, 4, 3, 9, 0)


@pytest.fixture
def load(con: duckdb.DuckDBPyConnection, home: Path) -> Any:
    def _load(path: Path, **kwargs: Any) -> LoadReport:
        return load_batch(con, path, salt=salt(home), settings=Settings(), received_at=RECEIVED, **kwargs)

    return _load


def quarantined(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int, str, str]]:
    return [
        (r[0], r[1], r[2], r[3], r[4])
        for r in con.execute(
            "SELECT table_name, file, row_number, field, reason FROM quarantine "
            "ORDER BY table_name, row_number"
        ).fetchall()
    ]


def count(con: duckdb.DuckDBPyConnection, table: str, where: str = "true") -> int:
    row = con.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()
    assert row is not None
    return int(row[0])


def assert_balanced(report: LoadReport) -> None:
    for table, read in report.read_by_table.items():
        assert report.accepted_by_table[table] + report.quarantined_by_table[table] == read, table


# ------------------------------------------------------------------ accepted batches


def test_valid_batch_loads_every_row(con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path) -> None:
    report = load(write_batch(tmp_path / "b"))
    assert report.status == "accepted", report.message
    assert report.rows_read == report.rows_accepted == 16
    assert report.affected == [(INSTITUTION, "2025-03")]
    assert count(con, "fee_items", "period = '2025-03' AND institution_id = 'H51150200001'") == 3
    assert count(con, "batches", "status = 'accepted' AND produced_at = TIMESTAMP '2025-04-02 10:00:00'") == 1


def test_values_are_typed_and_normalised(con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path) -> None:
    load(write_batch(tmp_path / "b"))
    assert con.execute("SELECT encounter_type FROM encounters ORDER BY 1").fetchall() == [
        ("inpatient",),
        ("outpatient",),
    ]
    assert con.execute("SELECT sex FROM staff ORDER BY staff_id").fetchall() == [("1",), ("2",)]
    amount = con.execute("SELECT unit_price FROM fee_items WHERE line_id = 'L002'").fetchone()
    assert amount == (Decimal("26.3750"),)
    assert con.execute("SELECT insurance_designated FROM institutions").fetchone() == (True,)


def test_findings_load_as_they_are(con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path) -> None:
    rows = valid_rows()
    rows["encounters"][0].update(
        main_diagnosis=None, discharge_time="2025-02-01 00:00", encounter_type="ward"
    )
    rows["fee_items"][0]["item_type"] = "unknown_type"
    report = load(write_batch(tmp_path / "b", rows=rows))
    assert report.rows_quarantined == 0
    assert con.execute(
        "SELECT main_diagnosis, encounter_type FROM encounters WHERE encounter_id = 'E001'"
    ).fetchone() == (
        None,
        "ward",
    )


# ------------------------------------------------------------------ rejections


def assert_rejected(con: duckdb.DuckDBPyConnection, report: LoadReport, *needles: str) -> None:
    assert report.status == "rejected"
    for needle in needles:
        assert needle in report.message, report.message
    assert count(con, "batches", "status = 'rejected'") == 1
    assert count(con, "encounters") == 0


def test_missing_manifest_rejected(con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path) -> None:
    folder = write_batch(tmp_path / "b")
    (folder / "manifest.json").unlink()
    assert_rejected(con, load(folder), "manifest.json")


@pytest.mark.parametrize(
    ("field", "value"),
    [("contract_version", "2"), ("period", "2025-13"), ("kind", "delta"), ("produced_at", "yesterday")],
)
def test_bad_manifest_field_rejected(
    con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path, field: str, value: str
) -> None:
    report = load(write_batch(tmp_path / "b", manifest={field: value}))
    assert_rejected(con, report, "manifest.json", field)


def test_unreadable_file_rejected(con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path) -> None:
    folder = write_batch(tmp_path / "b", drop=["fee_items"])
    (folder / "fee_items.parquet").write_bytes(b"not a parquet file")
    assert_rejected(con, load(folder), "fee_items.parquet")


def test_missing_required_column_rejected(con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path) -> None:
    rows = valid_rows()
    for row in rows["encounters"]:
        del row["admit_time"]
    assert_rejected(con, load(write_batch(tmp_path / "b", rows=rows)), "encounters.csv", "admit_time")


def test_duplicate_header_mapping_rejected(con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path) -> None:
    rows = valid_rows()
    for row in rows["fee_items"]:
        row["cnt"] = row["quantity"]
    report = load(write_batch(tmp_path / "b", rows=rows))
    assert_rejected(con, report, "fee_items.csv", "quantity", "cnt")


def test_batch_without_tables_rejected(con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "manifest.json").write_text(
        json.dumps({"contract_version": "1", "period": "2025-03", "kind": "full"})
    )
    assert_rejected(con, load(folder), "no table file")


def test_rejected_batch_changes_nothing(con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path) -> None:
    load(write_batch(tmp_path / "a"))
    rows = valid_rows()
    rows["fee_items"].append({"line_id": "L9", "encounter_id": "E001"})  # fine: quarantined later, not here
    folder = write_batch(tmp_path / "b", rows=rows, manifest={"kind": "append", "period": "2025-04"})
    (folder / "orders.csv").write_bytes(b'encounter_id,order_id\n"unterminated,1\n')
    report = load(folder)
    assert report.status == "rejected"
    assert count(con, "fee_items") == 3
    assert count(con, "quarantine") == 0


# ------------------------------------------------------------------ quarantine reasons


def load_with(load: Any, tmp_path: Path, table: str, row: int, **values: str | None) -> LoadReport:
    rows = valid_rows()
    rows[table][row].update(values)
    report = load(write_batch(tmp_path / "b", rows=rows))
    assert report.status == "accepted", report.message
    assert_balanced(report)
    return report


@pytest.mark.parametrize(
    ("table", "row", "values", "field", "reason"),
    [
        ("fee_items", 0, {"quantity": None}, "quantity", "required value is empty"),
        ("fee_items", 1, {"charged_at": "2025-03-32"}, "charged_at", "not a valid timestamp"),
        ("fee_items", 1, {"unit_price": "12,5"}, "unit_price", "not a valid number"),
        ("patients", 0, {"birth_date": "1980/01/01"}, "birth_date", "not a valid date"),
        ("diagnoses", 1, {"seq": "1.5"}, "seq", "not a valid integer"),
        ("exam_reports", 0, {"positive": "maybe"}, "positive", "not a valid boolean"),
        ("fee_items", 2, {"amount": "20.02"}, "amount", "amount differs from quantity × unit_price"),
        (
            "fee_items",
            2,
            {"item_code": None, "local_code": None},
            "item_code",
            "neither item_code nor local_code",
        ),
        ("fee_items", 1, {"encounter_id": "E999"}, "encounter_id", "neither in this batch nor in the store"),
        ("staff", 1, {"institution_id": "H9"}, "institution_id", "not the batch's institution H51150200001"),
        ("diagnoses", 1, {"seq": "1"}, "encounter_id,seq", "duplicate key in the batch, row 2 kept"),
    ],
)
def test_each_quarantine_reason_names_file_row_and_field(
    con: duckdb.DuckDBPyConnection,
    load: Any,
    tmp_path: Path,
    table: str,
    row: int,
    values: dict[str, str | None],
    field: str,
    reason: str,
) -> None:
    report = load_with(load, tmp_path, table, row, **values)
    assert report.quarantined_by_table[table] == 1
    [line] = quarantined(con)
    assert line[:4] == (table, f"{table}.csv", row + 2, field)
    assert reason in line[4]
    assert " / " in line[4]
    text = str(quarantine_lines(con, report.batch_id)[0])
    assert f"{table}.csv" in text
    assert f"row {row + 2}" in text
    assert field in text


def test_child_of_quarantined_encounter_is_quarantined(
    con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path
) -> None:
    report = load_with(load, tmp_path, "encounters", 1, institution_id="H9")
    assert report.quarantined_by_table == {
        **dict.fromkeys(report.read_by_table, 0),
        "encounters": 1,
        "fee_items": 1,
    }
    assert ("fee_items", "fee_items.csv", 4, "encounter_id") in [q[:4] for q in quarantined(con)]


def test_institution_without_jurisdiction(con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path) -> None:
    rows = valid_rows()
    rows["encounters"][1]["institution_id"] = "H9"
    report = load(write_batch(tmp_path / "b", rows=rows, manifest={"institution_id": None}))
    assert report.quarantined_by_table["encounters"] == 1
    line = quarantined(con)[0]
    assert line[:4] == ("encounters", "encounters.csv", 3, "institution_id")
    assert "no jurisdiction" in line[4]


def test_key_already_in_store_from_other_batch(
    con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path
) -> None:
    load(write_batch(tmp_path / "a"))
    rows = valid_rows()
    for encounter in rows["encounters"]:  # settled in April: the batch's period agrees with its rows
        encounter["settled_at"] = "2025-04-01 09:00"
    report = load(write_batch(tmp_path / "b", rows=rows, manifest={"kind": "append", "period": "2025-04"}))
    assert report.status == "accepted"
    assert report.rows_accepted == 5  # the masters; every encounter and child row is already stored
    fields = {q[3] for q in quarantined(con)}
    assert "encounter_id" in fields
    assert "line_id" in fields
    assert all("already in the store" in q[4] for q in quarantined(con))


def test_encounter_of_another_institution(con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path) -> None:
    rows = valid_rows()
    rows["institutions"].append({**rows["institutions"][0], "institution_id": "H2"})
    rows["encounters"][1]["institution_id"] = "H2"
    load(write_batch(tmp_path / "a", rows=rows, manifest={"institution_id": None}))
    fee = [{**valid_rows()["fee_items"][2], "line_id": "L100"}]
    report = load(
        write_batch(tmp_path / "b", rows={"fee_items": fee}, manifest={"kind": "append"}, drop=["encounters"])
    )
    line = [q for q in quarantined(con) if q[0] == "fee_items"]
    assert line
    assert line[0][3] == "encounter_id"
    assert "institution other than" in line[0][4]
    assert report.quarantined_by_table["fee_items"] == 1


def test_quarantine_raw_is_the_row_as_read(con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path) -> None:
    load_with(load, tmp_path, "fee_items", 0, quantity="two")
    raw = con.execute("SELECT raw FROM quarantine").fetchone()
    assert raw is not None
    assert json.loads(raw[0])["quantity"] == "two"


# ------------------------------------------------------------------ file formats and headers


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_csv_encodings(con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path, encoding: str) -> None:
    report = load(write_batch(tmp_path / "b", encoding=encoding))
    assert report.status == "accepted"
    assert report.rows_quarantined == 0
    assert con.execute("SELECT department FROM encounters ORDER BY 1").fetchall() == [("内科",), ("外科",)]


def test_national_alias_headers(con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path) -> None:
    rows = valid_rows()
    national = {
        "line_id": "feedetl_sn",
        "encounter_id": "MDTRT_ID",
        "item_code": " hilist_code ",
        "quantity": "cnt",
    }
    rows["fee_items"] = [{national.get(k, k): v for k, v in row.items()} for row in rows["fee_items"]]
    report = load(write_batch(tmp_path / "b", rows=rows))
    assert report.rows_quarantined == 0
    assert count(con, "fee_items", "encounter_id = 'E001' AND quantity = 2") == 1


@pytest.mark.parametrize("fmt", ["xlsx", "parquet"])
def test_xlsx_and_parquet(con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path, fmt: str) -> None:
    report = load(write_batch(tmp_path / "b", fmt=fmt))
    assert report.status == "accepted", report.message
    assert report.rows_accepted == 16
    assert con.execute("SELECT birth_date FROM patients ORDER BY 1").fetchone() == (
        datetime(1980, 1, 1).date(),
    )


def test_extra_columns_kept_aside(con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path) -> None:
    rows = valid_rows()
    rows["fee_items"][1]["remark"] = "自费"
    report = load(write_batch(tmp_path / "b", rows=rows))
    assert report.rows_quarantined == 0
    assert con.execute(
        "SELECT table_name, file, row_number, column_name, value FROM extra_columns"
    ).fetchall() == [("fee_items", "fee_items.csv", 3, "remark", "自费")]


@pytest.mark.parametrize("top", [None, "2025-03"])
def test_zip_input(con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path, top: str | None) -> None:
    folder = write_batch(tmp_path / "b")
    report = load(zip_batch(folder, tmp_path / "b.zip", top=top))
    assert report.status == "accepted", report.message
    assert load(folder).status == "unchanged"  # same content, same batch


def test_path_traversal_zip_rejected(con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path) -> None:
    import zipfile

    folder = write_batch(tmp_path / "b")
    with zipfile.ZipFile(tmp_path / "evil.zip", "w") as archive:
        for file in folder.iterdir():
            archive.write(file, file.name)
        archive.writestr("../escape.txt", "x")
    report = load(tmp_path / "evil.zip")
    assert_rejected(con, report, "evil.zip", "unsafe path")
    assert not (tmp_path / "escape.txt").exists()


def test_folder_of_batches_loads_in_order(con: duckdb.DuckDBPyConnection, home: Path, tmp_path: Path) -> None:
    write_batch(
        tmp_path / "out" / "2025-04", manifest={"period": "2025-04", "kind": "append"}, drop=["encounters"]
    )
    write_batch(tmp_path / "out" / "2025-03")
    reports = load_paths(con, [tmp_path / "out"], salt=salt(home), settings=Settings())
    assert [(r.period, r.status) for r in reports] == [("2025-03", "accepted"), ("2025-04", "accepted")]
    assert reports[1].quarantined_by_table["fee_items"] == 3  # keys already stored by 2025-03


# ------------------------------------------------------------------ idempotence, replacement, upserts


def store_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = [
        r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()
    ]
    return {t: count(con, t) for t in tables}


def test_same_batch_twice_is_unchanged(con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path) -> None:
    folder = write_batch(tmp_path / "b")
    first = load(folder)
    before = store_counts(con)
    second = load(folder)
    assert second.status == "unchanged"
    assert second.batch_id == first.batch_id
    assert (second.rows_read, second.rows_accepted) == (first.rows_read, first.rows_accepted)
    assert store_counts(con) == before


def test_full_replaces_and_append_adds(con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path) -> None:
    load(write_batch(tmp_path / "a"))
    rows = valid_rows()
    rows["encounters"] = rows["encounters"][:1]
    rows["fee_items"] = rows["fee_items"][:1]
    load(write_batch(tmp_path / "b", rows=rows, manifest={"produced_at": "2025-04-03T00:00:00"}))
    assert count(con, "encounters") == 1
    assert count(con, "fee_items") == 1
    assert count(con, "diagnoses") == 2
    extra = [{**rows["fee_items"][0], "line_id": "L500"}]
    others = ["encounters", "diagnoses", "procedures", "orders", "exam_reports", "consents"]
    report = load(
        write_batch(tmp_path / "c", rows={"fee_items": extra}, manifest={"kind": "append"}, drop=others)
    )
    assert report.rows_quarantined == 0
    assert count(con, "fee_items") == 2
    assert count(con, "fee_items", "line_id = 'L500' AND period = '2025-03'") == 1


def test_masters_upserted_latest_wins(con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path) -> None:
    load(write_batch(tmp_path / "a"))
    rows = valid_rows()
    rows["institutions"][0]["name"] = "新名称"
    rows["staff"][0]["department"] = "心内科"
    load(
        write_batch(
            tmp_path / "b", rows=rows, manifest={"kind": "append", "period": "2025-04"}, drop=["encounters"]
        )
    )
    assert con.execute("SELECT name FROM institutions").fetchall() == [("新名称",)]
    assert con.execute("SELECT department FROM staff WHERE staff_id = 'D001'").fetchall() == [("心内科",)]
    assert count(con, "patients") == 2


# ------------------------------------------------------------------ masking and code mapping


def test_no_id_card_number_anywhere_in_store(
    con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path, home: Path
) -> None:
    rows = valid_rows()
    rows["patients"][1]["remark"] = ID_CARD  # even in an unknown column
    rows["patients"].append({**rows["patients"][0], "birth_date": "bad"})  # and in a quarantined row
    load(write_batch(tmp_path / "b", rows=rows))
    for table in store_counts(con):
        dump = con.execute(f"SELECT * FROM {table}").fetchall()
        text = repr(dump).upper()
        assert ID_CARD not in text, table
        assert ID_PATIENT not in text, table
    con.close()
    data = (home / "store.duckdb").read_bytes()
    assert ID_CARD.encode() not in data
    assert ID_PATIENT.encode() not in data


def test_masked_patient_id_links_encounters(
    con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path
) -> None:
    load(write_batch(tmp_path / "b"))
    linked = con.execute(
        "SELECT count(*) FROM encounters e JOIN patients p USING (patient_id) WHERE p.patient_id LIKE 'P%'"
    ).fetchone()
    assert linked == (2,)
    assert count(con, "patients", "id_card_hash IS NOT NULL AND length(id_card_hash) = 64") == 1


def test_code_mapping_at_load(con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path) -> None:
    con.execute("INSERT INTO code_map VALUES (?, 'Y001', 'XJ01CAA001', 'manual', now())", [INSTITUTION])
    rows = valid_rows()
    for row in rows["fee_items"]:
        del row["item_code"]
    report = load(write_batch(tmp_path / "b", rows=rows))
    assert report.rows_quarantined == 0
    assert con.execute(
        "SELECT line_id, item_code, item_code_source FROM fee_items ORDER BY 1"
    ).fetchall() == [
        ("L001", "XJ01CAA001", "mapped"),
        ("L002", None, None),
        ("L003", None, None),
    ]


def test_received_at_recorded(con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path) -> None:
    load(write_batch(tmp_path / "b"))
    assert con.execute("SELECT received_at, source FROM batches").fetchone() == (
        RECEIVED,
        str(tmp_path / "b"),
    )


def test_write_table_header_order(tmp_path: Path) -> None:
    path = write_table(tmp_path / "x.csv", [{"b": "1", "a": None}])
    assert path.read_text().splitlines() == ["b,a", "1,"]


def test_a_path_that_is_not_a_batch_loads_and_records_nothing(
    con: duckdb.DuckDBPyConnection, home: Path, tmp_path: Path
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# notes", encoding="utf-8")
    good = write_batch(tmp_path / "good")
    with pytest.raises(NotABatchError, match="not a batch folder or zip"):
        load_paths(con, [good, readme], salt=salt(home), settings=Settings())
    with pytest.raises(NotABatchError, match=r"README\.md"):
        load_batch(con, readme, salt=salt(home), settings=Settings())
    assert count(con, "batches") == 0
    assert count(con, "encounters") == 0


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("fee_items", "item_code", "1.102E+12"),
        ("fee_items", "local_code", "1.1e+11"),
        ("orders", "drug_code", "6E+13"),
        ("fee_items", "line_id", "2.0251E+15"),
    ],
)
def test_code_mangled_into_scientific_notation_is_quarantined(
    con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path, table: str, column: str, value: str
) -> None:
    """Excel shows a long number as 1.102E+12: the true code is lost, the row is a finding."""
    rows = valid_rows()
    rows[table][0][column] = value
    report = load(write_batch(tmp_path / "b", rows=rows))
    assert report.status == "accepted"
    assert report.quarantined_by_table[table] == 1
    assert_balanced(report)
    [line] = quarantined(con)
    assert line[:4] == (table, f"{table}.csv", 2, column)
    assert line[4] == (
        "疑似被 Excel 转为科学计数法，原编码已丢失 / "
        "looks mangled by Excel into scientific notation, the true code is lost"
    )
    assert count(con, table, f"{column} = '{value}'") == 0


def test_codes_that_only_resemble_scientific_notation_load(
    con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path
) -> None:
    rows = valid_rows()
    rows["fee_items"][0]["local_code"] = "3E01"  # no E+: not how Excel shows a number
    rows["fee_items"][1]["local_code"] = "1.102E+12X"
    rows["fee_items"][2]["item_name"] = "1.5E+3"  # a name, not a code
    report = load(write_batch(tmp_path / "b", rows=rows))
    assert report.rows_quarantined == 0
    assert count(con, "fee_items", "local_code IN ('3E01', '1.102E+12X') OR item_name = '1.5E+3'") == 3
