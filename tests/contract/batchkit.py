"""Builds tiny valid batches for tests: one institution, two encounters, every table.

    folder = write_batch(tmp_path / "b", fmt="parquet", manifest={"kind": "append"},
                         rows={"fee_items": [...]})

Rows are dicts of text (None = empty cell); `valid_rows()` gives fresh copies to edit.
Other tests may use it as they like: it only writes files.
"""

from __future__ import annotations

import copy
import csv
import json
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

Row = dict[str, str | None]

INSTITUTION = "H51150200001"
PERIOD = "2025-03"
ID_CARD = "51150219800101123X"  # a made-up, well-formed resident ID number
ID_PATIENT = "511502198001011234"  # a patient_id that is an ID-card number (must be masked)

MANIFEST: dict[str, object] = {
    "contract_version": "1",
    "institution_id": INSTITUTION,
    "period": PERIOD,
    "kind": "full",
    "produced_at": "2025-04-02T10:00:00+08:00",
}

_ROWS: dict[str, list[Row]] = {
    "institutions": [
        {
            "institution_id": INSTITUTION,
            "name": "宜宾市第一人民医院",
            "region_code": "511502",
            "level": "3",
            "grade": "甲",
            "category": "综合医院",
            "ownership": "公立",
            "insurance_designated": "是",
            "beds_approved": "800",
            "beds_open": "820",
            "connected_on": "2024-01-01",
        }
    ],
    "staff": [
        {"staff_id": "D001", "institution_id": INSTITUTION, "role": "doctor", "name": "张医生", "sex": "男"},
        {"staff_id": "D002", "institution_id": INSTITUTION, "role": "doctor", "name": "李医生", "sex": "2"},
    ],
    "patients": [
        {"patient_id": "PT001", "sex": "1", "birth_date": "1980-01-01", "id_card_no": ID_CARD},
        {"patient_id": ID_PATIENT, "sex": "女", "birth_date": "1990-05-06", "id_card_no": None},
    ],
    "encounters": [
        {
            "encounter_id": "E001",
            "institution_id": INSTITUTION,
            "patient_id": "PT001",
            "encounter_type": "住院",
            "department": "内科",
            "attending_doctor_id": "D001",
            "admit_time": "2025-03-01 08:00",
            "discharge_time": "2025-03-05 10:00:00",
            "main_diagnosis": "J18.900",
            "discharge_disposition": "1",
            "readmission_planned": "0",
            "total_amount": "130.50",
            "settled_at": "2025-03-05 11:00:00",
        },
        {
            "encounter_id": "E002",
            "institution_id": INSTITUTION,
            "patient_id": ID_PATIENT,
            "encounter_type": "outpatient",
            "department": "外科",
            "attending_doctor_id": "D002",
            "admit_time": "2025-03-10",
            "discharge_time": None,
            "main_diagnosis": "K35.800",
            "discharge_disposition": None,
            "readmission_planned": None,
            "total_amount": "20",
            "settled_at": None,
        },
    ],
    "diagnoses": [
        {"encounter_id": "E001", "seq": "1", "icd10_code": "J18.900", "kind": "main"},
        {"encounter_id": "E001", "seq": "2", "icd10_code": "I10.x00", "kind": "other"},
    ],
    "procedures": [
        {
            "encounter_id": "E001",
            "seq": "1",
            "icd9cm3_code": "87.4400",
            "performed_at": "2025-03-02 09:00",
            "complication": "否",
        }
    ],
    "fee_items": [
        {
            "line_id": "L001",
            "encounter_id": "E001",
            "item_code": "XJ01CAA001",
            "local_code": "Y001",
            "item_type": "drug_western",
            "charged_at": "2025-03-01 09:00:00",
            "quantity": "2",
            "unit_price": "12.50",
            "amount": "25.00",
        },
        {
            "line_id": "L002",
            "encounter_id": "E001",
            "item_code": "001102000010000",
            "local_code": "B001",
            "item_type": "bed",
            "charged_at": "2025-03-02",
            "quantity": "4",
            "unit_price": "26.375",
            "amount": "105.50",
        },
        {
            "line_id": "L003",
            "encounter_id": "E002",
            "item_code": "250101001",
            "local_code": "J001",
            "item_type": "lab",
            "charged_at": "2025-03-10 10:30",
            "quantity": "1",
            "unit_price": "20",
            "amount": "20",
        },
    ],
    "orders": [
        {
            "encounter_id": "E001",
            "order_id": "O001",
            "drug_code": "XJ01CAA001",
            "dose": "0.5",
            "dose_unit": "g",
            "route": "口服",
            "times_per_day": "3",
            "start_at": "2025-03-01 09:00",
            "doctor_id": "D001",
        }
    ],
    "exam_reports": [
        {
            "encounter_id": "E001",
            "report_id": "R001",
            "item_code": "210300001",
            "performed_at": "2025-03-01 15:00",
            "positive": "true",
        }
    ],
    "consents": [{"encounter_id": "E001", "item_code": "87.4400", "signed_at": "2025-03-01 20:00"}],
}


def valid_rows() -> dict[str, list[Row]]:
    """A fresh copy of the valid rows, table by table."""
    return copy.deepcopy(_ROWS)


def write_batch(
    folder: Path,
    *,
    rows: Mapping[str, list[Row]] | None = None,
    manifest: Mapping[str, object] | None = None,
    fmt: str | Mapping[str, str] = "csv",
    drop: Iterable[str] = (),
    encoding: str = "utf-8",
) -> Path:
    """Write a batch folder: valid rows, with `rows` replacing whole tables and `manifest` keys
    overriding (a None value removes the key); `drop` leaves tables out; `fmt` per table or for all."""
    folder.mkdir(parents=True, exist_ok=True)
    doc = {k: v for k, v in ({**MANIFEST, **(manifest or {})}).items() if v is not None}
    (folder / "manifest.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    tables = {**valid_rows(), **(rows or {})}
    for name in set(tables) - set(drop):
        kind = fmt if isinstance(fmt, str) else fmt.get(name, "csv")
        write_table(folder / f"{name}.{kind}", tables[name], encoding=encoding)
    return folder


def write_table(
    path: Path, rows: list[Row], *, encoding: str = "utf-8", header: list[str] | None = None
) -> Path:
    """One table file; the format follows the suffix (.csv, .parquet, .xlsx)."""
    columns = header or list(dict.fromkeys(k for row in rows for k in row))
    cells = [[row.get(c) for c in columns] for row in rows]
    if path.suffix == ".csv":
        with path.open("w", encoding=encoding, newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(columns)
            writer.writerows([["" if v is None else v for v in r] for r in cells])
    elif path.suffix == ".parquet":
        _write_parquet(path, columns, cells)
    else:
        _write_xlsx(path, columns, cells)
    return path


def write_typed_table(path: Path, table: str, rows: list[Row], *, columns: list[str] | None = None) -> Path:
    """A Parquet file in the contract's exact shape: every column of `table`, in order, with
    its store type (as a hospital system exporting native Parquet writes it); `columns`
    lists the ones to write instead. Missing values, and text that is no value of the
    column's type, are NULL (a typed file cannot hold them)."""
    import duckdb

    from sanjianguan.contract.schema import TABLES

    spec = TABLES[table].columns
    wanted = columns or [c.name for c in spec]
    staged = path.with_suffix(".text.parquet")
    names = list(dict.fromkeys([*wanted, *(k for row in rows for k in row)]))
    _write_parquet(staged, names, [[row.get(c) for c in names] for row in rows])
    types = {c.name: c.type.sql for c in spec}
    select = ", ".join(f'TRY_CAST("{c}" AS {types.get(c, "VARCHAR")}) AS "{c}"' for c in wanted)
    con = duckdb.connect()
    con.execute(f"COPY (SELECT {select} FROM read_parquet('{staged}')) TO '{path}' (FORMAT parquet)")
    con.close()
    staged.unlink()
    return path


def _write_parquet(path: Path, columns: list[str], cells: list[list[str | None]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays = [pa.array([r[i] for r in cells], type=pa.string()) for i in range(len(columns))]
    pq.write_table(pa.Table.from_arrays(arrays, names=columns), path)


def _write_xlsx(path: Path, columns: list[str], cells: list[list[str | None]]) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(columns)
    for row in cells:
        sheet.append(row)
    workbook.save(path)


def zip_batch(folder: Path, dest: Path, *, top: str | None = None) -> Path:
    """Zip a batch folder, at the zip root or inside one top folder."""
    with zipfile.ZipFile(dest, "w") as archive:
        for file in sorted(folder.iterdir()):
            archive.write(file, f"{top}/{file.name}" if top else file.name)
    return dest
