"""Export of the store to the Parquet layout the Spark engine reads (Parquet 目录布局).

Layout under one folder (local path, or a cluster path such as `hdfs://...` or `s3a://...`
once copied there):

    <dir>/encounters/period=YYYY-MM/*.parquet      encounters and every child table
    <dir>/fee_items/period=YYYY-MM/*.parquet       (diagnoses, procedures, fee_items, orders,
    ...                                             exam_reports, consents): hive partitions
                                                   by settlement month; `period` is in the path
    <dir>/institutions/data.parquet                masters: institutions, staff, patients
    <dir>/ref_items/data.parquet                   the current KB version of each `ref_*` view
    <dir>/kb_versions/data.parquet                 the KB version table

Columns and types are those of the store DDL (`store/ddl.py`); money and quantities stay
DECIMAL(18,4), timestamps are naive China time. A period export replaces only that
period's partitions, so months can be exported as they are loaded.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import duckdb

from sanjianguan.analytic_store.ddl import store_columns
from sanjianguan.contract.schema import ENCOUNTER_CHILD_TABLES, MASTER_TABLES, REF_TABLES, TABLES
from sanjianguan.errors import StoreError
from sanjianguan.period import Period

PARTITIONED_TABLES = ("encounters", *ENCOUNTER_CHILD_TABLES)
PLAIN_TABLES = (*MASTER_TABLES, *REF_TABLES, "kb_versions")
_KB_VERSIONS_COLUMNS = [
    ("kb_version", "INTEGER"),
    ("loaded_at", "TIMESTAMP"),
    ("source", "VARCHAR"),
    ("checksum", "VARCHAR"),
    ("note", "VARCHAR"),
]


def layout_tables() -> dict[str, list[tuple[str, str]]]:
    """Every table of the layout with its (column, store type) list, partition column last."""
    tables: dict[str, list[tuple[str, str]]] = {}
    for name in PARTITIONED_TABLES:
        cols = [c for c in store_columns(TABLES[name]) if c[0] != "period"]
        tables[name] = [*cols, ("period", "VARCHAR")]
    for name in MASTER_TABLES:
        tables[name] = store_columns(TABLES[name])
    for name, ref in REF_TABLES.items():
        tables[name] = [(c.name, c.type.sql) for c in ref.columns]
    tables["kb_versions"] = list(_KB_VERSIONS_COLUMNS)
    return tables


def export_parquet(
    con: duckdb.DuckDBPyConnection, out_dir: Path, *, periods: Sequence[str] | None = None
) -> dict[str, int]:
    """Write the store (or only `periods` of the encounter tables) to `out_dir`; rows per table."""
    for period in periods or ():
        if not Period.is_month_text(period):
            raise StoreError(f"期间格式应为 YYYY-MM / period must be YYYY-MM: {period!r}")
    out_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for name, columns in layout_tables().items():
        if name in PARTITIONED_TABLES:
            counts[name] = _export_partitioned(con, out_dir / name, columns, periods)
        else:
            counts[name] = _export_plain(con, out_dir / name, columns, name)
    return counts


def _select(name: str, columns: list[tuple[str, str]]) -> str:
    return f"SELECT {', '.join(c for c, _ in columns)} FROM {name}"


def _export_partitioned(
    con: duckdb.DuckDBPyConnection,
    target: Path,
    columns: list[tuple[str, str]],
    periods: Sequence[str] | None,
) -> int:
    if periods is None:
        shutil.rmtree(target, ignore_errors=True)
        query, params = _select(target.name, columns), []
    else:
        for period in periods:
            shutil.rmtree(target / f"period={period}", ignore_errors=True)
        marks = ", ".join("?" for _ in periods)
        query, params = f"{_select(target.name, columns)} WHERE period IN ({marks})", list(periods)
    # The folder exists even when empty, so that Spark reads an empty table, not an error.
    target.mkdir(parents=True, exist_ok=True)
    rows = _count(con, query, params)
    if rows:
        con.execute(
            f"COPY ({query}) TO {_path_literal(target)} "
            "(FORMAT parquet, PARTITION_BY (period), OVERWRITE_OR_IGNORE)",
            params,
        )
    return rows


def _export_plain(
    con: duckdb.DuckDBPyConnection, target: Path, columns: list[tuple[str, str]], name: str
) -> int:
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True, exist_ok=True)
    query = _select(name, columns)
    con.execute(f"COPY ({query}) TO {_path_literal(target / 'data.parquet')} (FORMAT parquet)")
    return _count(con, query, [])


def _count(con: duckdb.DuckDBPyConnection, query: str, params: list[str]) -> int:
    row = con.execute(f"SELECT count(*) FROM ({query})", params).fetchone()
    return int(row[0]) if row else 0


def _path_literal(path: Path) -> str:
    # COPY takes its target as a literal; quotes in a path are doubled, per SQL.
    return "'" + str(path).replace("'", "''") + "'"
