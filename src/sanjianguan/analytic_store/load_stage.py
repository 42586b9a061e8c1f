"""暂存 (staging): a batch's table files read into DuckDB before anything is checked or stored.

Every table file of a batch is staged as `_stg_<table>` (a view over a Parquet file, a
table otherwise), its headers matched to the contract and its column types read, so the
batch checks and every loading path work from the same `StagedTable`. The batch's check
parameters (期间, 机构, 金额容差, the salted masking of identities) are built here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path

import duckdb

from sanjianguan.analytic_store.load_report import LoadReport
from sanjianguan.analytic_store.masking import id_card_hash_sql, mask_patient_id_sql
from sanjianguan.config import Settings
from sanjianguan.contract.batch import BatchFiles
from sanjianguan.contract.files import FileLimits, stage_file
from sanjianguan.contract.manifest import Manifest
from sanjianguan.contract.schema import ENCOUNTER_CHILD_TABLES, TABLES
from sanjianguan.contract.validate import CheckParams, HeaderMap, map_headers
from sanjianguan.errors import ConfigError

PERIOD_TABLES = ("encounters", *ENCOUNTER_CHILD_TABLES)  # the tables whose rows carry a period
TableResult = tuple[int, int, set[tuple[str, str]]]  # accepted, quarantined, touched


@dataclass(frozen=True)
class StagedTable:
    """One table file staged for loading, with its header map and column types."""

    name: str
    path: Path
    stage: str
    is_view: bool
    hmap: HeaderMap
    types: dict[str, str]
    rows: int


def stage_all(
    con: duckdb.DuckDBPyConnection,
    files: BatchFiles,
    staged: list[StagedTable],
    report: LoadReport,
    limits: FileLimits,
) -> list[StagedTable]:
    """Stage every table file and match its headers (appends to `staged` so cleanup sees it)."""
    for name, path in files.tables.items():
        stage = f"_stg_{name}"
        is_view = path.suffix.lower() == ".parquet"
        staged_file = stage_file(con, path, stage, limits)
        types = {r[0]: str(r[1]) for r in con.execute(f"DESCRIBE {stage}").fetchall()}
        hmap = map_headers(TABLES[name], staged_file.headers, path.name)
        staged.append(StagedTable(name, path, stage, is_view, hmap, types, staged_file.rows))
        report.read_by_table[name] = staged_file.rows
    report.rows_read = sum(report.read_by_table.values())
    return staged


def drop_staged(con: duckdb.DuckDBPyConnection, staged: list[StagedTable]) -> None:
    """Remove the staged views and tables, whatever became of the batch."""
    for table in staged:
        con.execute(f"DROP {'VIEW' if table.is_view else 'TABLE'} IF EXISTS {table.stage}")


def staged_encounters(staged: list[StagedTable]) -> StagedTable | None:
    """The batch's encounters file (就诊), if it brought one."""
    return next((t for t in staged if t.name == "encounters"), None)


def file_limits(settings: Settings) -> FileLimits:
    """The configured limits on one file's columns and header size."""
    return FileLimits(settings.ingest.max_columns, settings.ingest.max_header_kb * 1024)


def check_params(manifest: Manifest, salt: str, settings: Settings) -> CheckParams:
    """What the set-based checks of `contract.validate` need to know about this batch."""
    try:
        tolerance = Decimal(settings.ingest.amount_tolerance)
    except InvalidOperation as exc:
        raise ConfigError(f"ingest.amount_tolerance 不是数值 / is not a number: {exc}") from exc
    return CheckParams(
        period=manifest.period,
        institution_id=manifest.institution_id,
        amount_tolerance=tolerance,
        mask_patient_id=partial(mask_patient_id_sql, salt=salt),
        hash_id_card=partial(id_card_hash_sql, salt=salt),
    )


def count_of(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> int:
    """The integer in the first column of the first row (0 when there is no row)."""
    row = con.execute(sql, params or []).fetchone()
    return int(row[0]) if row else 0
