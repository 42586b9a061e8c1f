"""Loading batches into the store (入库): one transaction per batch, idempotent.

A batch is read and its headers checked first (a file that breaks the contract rejects
the whole batch, which is recorded in `batches` with status `rejected`). Then, in one
transaction: a `full` batch deletes its institutions' encounters and child rows of its
period; every table is validated set-based (`contract.validate`), its good rows
inserted (masters upserted by key) and its bad rows quarantined with file, row, field
and reason; the batch is recorded as `accepted`. Any failure rolls everything back.

Fee lines take one of three paths. A clean Parquet file already in the contract's exact
shape is validated in one read-only pass and then kept as it is, a Parquet segment
(`store/segments.py`): no row is copied. Otherwise the good rows go straight into the
native table and a hashed-key proof follows (`_load_fast`); when that proof fails, the
exact passes decide (`_load_exact`). Every path stores the same rows with the same values.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path

import duckdb

from sanjianguan.analytic_store import segments
from sanjianguan.analytic_store.batch_status import BatchStatus
from sanjianguan.analytic_store.ddl import native_table
from sanjianguan.analytic_store.keys import (
    duplicates_select,
    in_store_checks,
    key_clash_sql,
    key_columns,
    key_hash_sql,
    stored_key_clash_sql,
)
from sanjianguan.analytic_store.masking import id_card_hash_sql, mask_patient_id_sql
from sanjianguan.analytic_store.quarantine import QuarantineLine, quarantine_lines
from sanjianguan.analytic_store.segments import SegmentChanges
from sanjianguan.config import Settings
from sanjianguan.contract.batch import (
    GB,
    BatchFiles,
    ZipLimits,
    batch_files,
    batch_id,
    check_batch_path,
    discover,
    open_batch,
)
from sanjianguan.contract.files import FileLimits, stage_file
from sanjianguan.contract.manifest import CHINA_TZ, Manifest, read_manifest
from sanjianguan.contract.schema import (
    CONTRACT_VERSION,
    ENCOUNTER_CHILD_TABLES,
    FEE_ITEMS,
    MASTER_TABLES,
    TABLES,
)
from sanjianguan.contract.validate import (
    CheckParams,
    HeaderMap,
    checked_select,
    extras_select,
    map_headers,
    quote,
    raw_json_sql,
    reason_sql,
    settlement_month_sql,
)
from sanjianguan.errors import ConfigError, ContractError

__all__ = [
    "LoadReport",
    "ProgressFn",
    "QuarantineLine",
    "StagedTable",
    "load_batch",
    "load_paths",
    "quarantine_lines",
]

ACCEPTED, REJECTED, UNCHANGED = BatchStatus.ACCEPTED, BatchStatus.REJECTED, BatchStatus.UNCHANGED
PERIOD_TABLES = ("encounters", *ENCOUNTER_CHILD_TABLES)
ProgressFn = Callable[[str, int, int], None]  # (table, tables done, tables in batch)


@dataclass
class LoadReport:
    """入库结果: what happened to one batch."""

    batch_id: str
    source: str
    status: BatchStatus = REJECTED
    institution_id: str | None = None
    period: str | None = None
    kind: str | None = None
    produced_at: datetime | None = None
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    read_by_table: dict[str, int] = field(default_factory=dict)
    accepted_by_table: dict[str, int] = field(default_factory=dict)
    quarantined_by_table: dict[str, int] = field(default_factory=dict)
    message: str = ""
    affected: list[tuple[str, str]] = field(default_factory=list)  # (institution_id, period)

    @property
    def ok(self) -> bool:
        return self.status in (ACCEPTED, UNCHANGED)


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


# ------------------------------------------------------------------------- entry points


def load_paths(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[Path],
    *,
    salt: str,
    settings: Settings,
    received_at: datetime | None = None,
    progress: ProgressFn | None = None,
    confirm_replace: bool = False,
) -> list[LoadReport]:
    """Load every batch under `paths` (a folder of batches loads in sorted order).

    Every path is looked at first: one that is not a batch (NotABatchError) loads nothing.
    """
    batches = [batch for path in paths for batch in discover(Path(path))]
    return [
        load_batch(
            con,
            batch,
            salt=salt,
            settings=settings,
            received_at=received_at,
            progress=progress,
            confirm_replace=confirm_replace,
        )
        for batch in batches
    ]


def load_batch(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    salt: str,
    settings: Settings,
    received_at: datetime | None = None,
    progress: ProgressFn | None = None,
    confirm_replace: bool = False,
) -> LoadReport:
    """Load one batch (folder or .zip); never half-applied, rejections recorded.

    A path that is not a batch at all raises NotABatchError and is not recorded.
    `confirm_replace` lets a `full` batch remove most of a stored month (`_check_replace`).
    """
    check_batch_path(path)
    received = received_at or datetime.now(CHINA_TZ).replace(tzinfo=None)
    report = LoadReport(batch_id=hashlib.sha256(str(path).encode()).hexdigest(), source=str(path))
    limits = ZipLimits(settings.ingest.zip_max_ratio, int(settings.ingest.zip_max_gb * GB))
    options = _Options(salt, settings, received, progress, confirm_replace)
    try:
        with open_batch(path, limits) as folder:
            try:
                _load_folder(con, folder, report, options)
            except (ContractError, duckdb.Error, OSError) as exc:  # OSError: keeping a segment file
                report.message = _prefixed(exc).replace(str(folder), str(path))
    except ContractError as exc:
        report.message = str(exc)
    if report.status == REJECTED:
        _reset_counts(report)
        _record(con, report, received)
    return report


def _prefixed(exc: Exception) -> str:
    if isinstance(exc, ContractError):
        return str(exc)
    return f"入库失败，已回滚 / load failed and was rolled back: {exc}"


def _reset_counts(report: LoadReport) -> None:
    report.rows_accepted = report.rows_quarantined = 0
    report.accepted_by_table, report.quarantined_by_table, report.affected = {}, {}, []


# ------------------------------------------------------------------------- one batch


@dataclass(frozen=True)
class _Options:
    """How one batch is loaded."""

    salt: str
    settings: Settings
    received: datetime
    progress: ProgressFn | None
    confirm_replace: bool


def _load_folder(con: duckdb.DuckDBPyConnection, folder: Path, report: LoadReport, options: _Options) -> None:
    report.batch_id = batch_id(folder)
    manifest = read_manifest(folder)
    _describe(report, manifest)
    files = batch_files(folder)
    report.batch_id = batch_id(folder, files)
    if _already_accepted(con, report):
        return
    notes = [RELOADED] if _was_accepted(con, report.batch_id) else []
    if files.ignored:
        notes.append(f"已忽略无法识别的文件 / ignored unknown files: {', '.join(files.ignored)}")
    report.message = "；".join(notes)
    staged: list[StagedTable] = []
    settings = options.settings
    try:
        staged = _stage_all(con, files, staged, report, _file_limits(settings))
        _check_period(con, manifest, staged, settings.ingest.period_mismatch_max)
        if not options.confirm_replace:
            _check_replace(con, manifest, staged, settings.ingest.replace_guard)
        params = _params(manifest, options.salt, settings)
        _apply(con, manifest, staged, params, report, options.received, options.progress)
    finally:
        _drop_staged(con, staged)


RELOADED = "该批次曾入库，但其数据已被替换，现重新入库 / batch loaded before but replaced since: loaded again"


def _file_limits(settings: Settings) -> FileLimits:
    return FileLimits(settings.ingest.max_columns, settings.ingest.max_header_kb * 1024)


def _describe(report: LoadReport, manifest: Manifest) -> None:
    report.institution_id, report.period = manifest.institution_id, manifest.period
    report.kind, report.produced_at = manifest.kind, manifest.produced_at


def _already_accepted(con: duckdb.DuckDBPyConnection, report: LoadReport) -> bool:
    """Idempotence: the same content, accepted and still held by the store, changes nothing.

    Held: every (institution, period) the batch loaded still has all the encounters it
    brought (`batch_content`); a `full` batch accepted since removes them, and the batch
    then loads again. Batches loaded before `batch_content` existed count as held.
    """
    if not _still_held(con, report.batch_id):
        return False
    row = con.execute(
        "SELECT rows_read, rows_accepted, rows_quarantined FROM batches "
        "WHERE batch_id = ? AND status = ? LIMIT 1",
        [report.batch_id, ACCEPTED],
    ).fetchone()
    if row is None:
        return False
    report.status = UNCHANGED
    report.rows_read, report.rows_accepted, report.rows_quarantined = (int(v) for v in row)
    report.message = "该批次已入库，未作改动 / batch already loaded, nothing changed"
    return True


def _was_accepted(con: duckdb.DuckDBPyConnection, batch: str) -> bool:
    sql = "SELECT count(*) FROM batches WHERE batch_id = ? AND status = ?"
    return bool(_count(con, sql, [batch, ACCEPTED]))


def _still_held(con: duckdb.DuckDBPyConnection, batch: str) -> bool:
    missing = _count(
        con,
        "SELECT count(*) FROM batch_content c WHERE c.batch_id = ? AND c.encounters <> "
        "(SELECT count(*) FROM encounters e WHERE e.batch_id = c.batch_id "
        "AND e.institution_id = c.institution_id AND e.period = c.period)",
        [batch],
    )
    return missing == 0


def _check_period(
    con: duckdb.DuckDBPyConnection, manifest: Manifest, staged: list[StagedTable], max_share: float
) -> None:
    """期间核对: reject the batch when too many encounters settled outside the manifest's month."""
    table = next((t for t in staged if t.name == "encounters"), None)
    if table is None or table.rows == 0:
        return
    month = settlement_month_sql(table.hmap, table.types)
    months = con.execute(
        f"SELECT m, count(*) AS n FROM (SELECT {month} AS m FROM {table.stage}) "
        "WHERE m IS NOT NULL AND m <> ? GROUP BY m ORDER BY n DESC, m",
        [manifest.period],
    ).fetchall()
    other = sum(int(n) for _, n in months)
    if other <= max_share * table.rows:
        return
    top = ", ".join(f"{m}: {n}" for m, n in months[:3])
    share = other / table.rows
    raise ContractError(
        f"批次期间 {manifest.period} 与数据不符：{table.rows} 条就诊中 {other} 条({share:.1%})结算于其他月份"
        f"({top})，超过上限 {max_share:.0%}，整批拒收 / manifest period {manifest.period} disagrees "
        f"with the data: {other} of {table.rows} encounters ({share:.1%}) settled in other months "
        f"({top}), more than {max_share:.0%}: batch rejected",
        file=table.hmap.file,
    )


def _check_replace(
    con: duckdb.DuckDBPyConnection, manifest: Manifest, staged: list[StagedTable], guard: float
) -> None:
    """替换保护: a `full` batch may not remove more than `guard` of a stored month unconfirmed."""
    if manifest.kind != "full":
        return
    brought = _brought(con, manifest, staged)
    institutions = [manifest.institution_id] if manifest.institution_id else sorted(brought)
    stored = con.execute(
        "SELECT institution_id, count(*) FROM encounters WHERE period = ? "
        "AND institution_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY 1 ORDER BY 1",
        [manifest.period, institutions],
    ).fetchall()
    for institution, held in stored:
        new = brought.get(str(institution), 0)
        removed = (int(held) - new) / int(held)
        if removed > guard:
            raise ContractError(
                f"full 批次将把机构 {institution} {manifest.period} 的就诊从 {held} 条减为 {new} 条"
                f"(减少 {removed:.0%}，超过 {guard:.0%})；确需替换请加 --confirm-replace / "
                f"this full batch would cut {institution} {manifest.period} from {held} encounters to "
                f"{new} ({removed:.0%} removed, more than {guard:.0%}); to replace anyway, "
                "use --confirm-replace"
            )


def _brought(con: duckdb.DuckDBPyConnection, manifest: Manifest, staged: list[StagedTable]) -> dict[str, int]:
    """Encounter rows the batch brings, per institution (a one-institution batch: all its rows)."""
    table = next((t for t in staged if t.name == "encounters"), None)
    if table is None:
        return {}
    if manifest.institution_id:
        return {manifest.institution_id: table.rows}
    column = quote(table.hmap.columns["institution_id"])
    rows = con.execute(
        f"SELECT NULLIF(trim(CAST({column} AS VARCHAR)), '') AS i, count(*) FROM {table.stage} "
        "WHERE i IS NOT NULL GROUP BY 1"
    ).fetchall()
    return {str(i): int(n) for i, n in rows}


def _params(manifest: Manifest, salt: str, settings: Settings) -> CheckParams:
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


def _stage_all(
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


def _drop_staged(con: duckdb.DuckDBPyConnection, staged: list[StagedTable]) -> None:
    for table in staged:
        con.execute(f"DROP {'VIEW' if table.is_view else 'TABLE'} IF EXISTS {table.stage}")


def _apply(
    con: duckdb.DuckDBPyConnection,
    manifest: Manifest,
    staged: list[StagedTable],
    params: CheckParams,
    report: LoadReport,
    received: datetime,
    progress: ProgressFn | None,
) -> None:
    """The transaction: replace, validate and insert every table, record the batch.

    Segment files are settled after it: new ones deleted if it rolls back, replaced ones
    deleted once it has committed.
    """
    home = segments.home_of(con)
    changes = SegmentChanges(home) if home is not None else None
    con.execute("BEGIN TRANSACTION")
    try:
        _forget_previous_load(con, report.batch_id)
        affected = _replace_period(con, manifest, staged, changes)
        for done, table in enumerate(staged, start=1):
            affected |= _load_table(con, table, report, params, changes)
            if progress is not None:
                progress(table.name, done, len(staged))
        report.affected = sorted(affected)
        report.status = ACCEPTED
        _record(con, report, received)
        _record_content(con, report.batch_id)
        con.execute("COMMIT")
    except BaseException:
        report.status = REJECTED
        con.execute("ROLLBACK")
        if changes is not None:
            changes.rolled_back()
        raise
    if changes is not None:
        changes.committed()


def _forget_previous_load(con: duckdb.DuckDBPyConnection, batch: str) -> None:
    """A batch loaded again (replaced since): its earlier quarantine and extras are superseded."""
    for table in ("quarantine", "extra_columns", "batch_content"):
        con.execute(f"DELETE FROM {table} WHERE batch_id = ?", [batch])


def _record_content(con: duckdb.DuckDBPyConnection, batch: str) -> None:
    con.execute(
        "INSERT INTO batch_content SELECT batch_id, institution_id, period, count(*) FROM encounters "
        "WHERE batch_id = ? GROUP BY ALL",
        [batch],
    )


def _replace_period(
    con: duckdb.DuckDBPyConnection,
    manifest: Manifest,
    staged: list[StagedTable],
    changes: SegmentChanges | None,
) -> set[tuple[str, str]]:
    """`full`: delete the period's encounters and child rows of the batch's institutions."""
    if manifest.kind != "full":
        return set()
    institutions = (
        [manifest.institution_id] if manifest.institution_id else _encounter_institutions(con, staged)
    )
    if changes is not None:  # segment lines are found through their encounters: first
        segments.replace_period(con, changes, institutions, manifest.period)
    for name in PERIOD_TABLES:
        con.execute(
            f"DELETE FROM {native_table(name)} WHERE period = ? "
            "AND institution_id IN (SELECT unnest(?::VARCHAR[]))",
            [manifest.period, institutions],
        )
    return {(inst, manifest.period) for inst in institutions}


def _encounter_institutions(con: duckdb.DuckDBPyConnection, staged: list[StagedTable]) -> list[str]:
    """Every institution that has encounters in a multi-institution batch."""
    table = next((t for t in staged if t.name == "encounters"), None)
    if table is None:
        return []
    column = quote(table.hmap.columns["institution_id"])
    rows = con.execute(
        f"SELECT DISTINCT NULLIF(trim(CAST({column} AS VARCHAR)), '') AS i FROM {table.stage} "
        "WHERE i IS NOT NULL"
    ).fetchall()
    return sorted(str(r[0]) for r in rows)


# ------------------------------------------------------------------------- one table


def _load_table(
    con: duckdb.DuckDBPyConnection,
    table: StagedTable,
    report: LoadReport,
    params: CheckParams,
    changes: SegmentChanges | None,
) -> set[tuple[str, str]]:
    """Validate, insert and quarantine one table; return the (institution, period) pairs it touched."""
    result = None
    if changes is not None and _keeps_as_segment(table):
        result = _load_in_place(con, table, report.batch_id, params, changes)
    if result is None and table.name not in MASTER_TABLES:
        result = _load_fast(con, table, report.batch_id, params)
    if result is None:
        result = _load_exact(con, table, report.batch_id, params)
    accepted, quarantined, touched = result
    if table.hmap.extras:
        _keep_extras(con, table, report.batch_id, params)
    report.accepted_by_table[table.name] = accepted
    report.quarantined_by_table[table.name] = quarantined
    report.rows_accepted += accepted
    report.rows_quarantined += quarantined
    return touched


TableResult = tuple[int, int, set[tuple[str, str]]]  # accepted, quarantined, touched


def _keeps_as_segment(table: StagedTable) -> bool:
    """A fee-line Parquet file in the contract's exact shape: names, every column, store types."""
    if table.name != segments.VIEW or not table.is_view or table.hmap.extras or table.rows == 0:
        return False
    columns = table.hmap.table.columns
    return len(table.hmap.headers) == len(columns) and all(
        table.hmap.columns.get(c.name) == c.name and table.types.get(c.name) == c.type.sql for c in columns
    )


def _load_in_place(
    con: duckdb.DuckDBPyConnection,
    table: StagedTable,
    batch: str,
    params: CheckParams,
    changes: SegmentChanges,
) -> TableResult | None:
    """Keep a fee-line file as a segment when one read proves every line good and stored as read.

    The pass proves: no field or reference problem, no text that loading would change
    (trimmed, '' made NULL), every encounter of the batch's month (a segment line takes
    its period from the path), distinct key hashes; a second look proves no key already
    stored, when the store holds lines of these institutions at all. Any doubt (a problem
    row, or a hash that may collide) returns None: the row-by-row paths decide.
    """
    select = checked_select(table.hmap, table.types, table.stage, params, verbatim=True)
    row = con.execute(
        "SELECT count(*) FILTER (WHERE _err IS NOT NULL OR NOT _verbatim OR period IS DISTINCT FROM ?), "
        f"count(*) - count(DISTINCT {key_hash_sql(FEE_ITEMS)}), "
        f"list(DISTINCT institution_id ORDER BY institution_id) FROM ({select})",
        [params.period],
    ).fetchone()
    unfit, duplicate, institutions = row if row else (1, 0, [])
    if unfit or duplicate or _stored_keys_clash(con, select, batch, institutions):
        return None
    segments.add_segment(
        con,
        changes,
        table.path,
        batch_id=batch,
        period=params.period,
        rows=table.rows,
        institutions=institutions,
    )
    return table.rows, 0, {(str(i), params.period) for i in institutions}


def _stored_keys_clash(
    con: duckdb.DuckDBPyConnection, select: str, batch: str, institutions: list[str]
) -> bool:
    """May a stored fee line of these institutions have a key of the batch? (hashes: may = maybe)"""
    hashes = f"SELECT {key_hash_sql(FEE_ITEMS)} AS _h FROM ({select})"
    clash = stored_key_clash_sql(FEE_ITEMS, hashes, "SELECT unnest($2::VARCHAR[])")
    return bool(_count(con, f"SELECT {clash}", [batch, institutions]))


def _load_fast(
    con: duckdb.DuckDBPyConnection, table: StagedTable, batch: str, params: CheckParams
) -> TableResult | None:
    """One pass from the staged file straight into the store, then a proof of the keys.

    Big tables (fee lines) are why: materialising the checked rows, marking duplicates
    in it and copying it again cost three passes and the whole batch in memory. Here the
    rows without a field or reference problem go straight in; a hashed-key aggregate
    over what went in then proves there is no duplicate in the batch and no key already
    in the store. If that proof fails (a real duplicate, or a hash collision) the rows
    go out again and the exact passes decide (None). Problem rows are re-read only when
    there are some: rows read minus rows inserted.
    """
    select = checked_select(table.hmap, table.types, table.stage, params)
    accepted = _count(
        con,
        f"INSERT INTO {native_table(table.name)} BY NAME SELECT * EXCLUDE (_row, _err), ? AS batch_id "
        f"FROM ({select}) WHERE _err IS NULL",
        [batch],
    )
    row = con.execute(key_clash_sql(TABLES[table.name]), [batch]).fetchone()
    dup, in_store, touched = row if row else (0, 0, [])
    if dup or in_store:
        con.execute(f"DELETE FROM {native_table(table.name)} WHERE batch_id = ?", [batch])
        return None
    quarantined = table.rows - accepted
    if quarantined:
        problems = f"SELECT _row, _err FROM ({select}) WHERE _err IS NOT NULL"
        _quarantine(con, table, problems, batch, params)
    return accepted, quarantined, {(str(i), str(p)) for i, p in touched or []}


def _load_exact(
    con: duckdb.DuckDBPyConnection, table: StagedTable, batch: str, params: CheckParams
) -> TableResult:
    """Materialise the checked rows, mark duplicates (first kept), insert, quarantine."""
    work = f"_w_{table.name}"
    checks = in_store_checks(TABLES[table.name])
    select = checked_select(table.hmap, table.types, table.stage, params, extra_checks=checks)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {work} AS {select}")
    try:
        _mark_duplicates(con, table.name, work)
        if table.name in MASTER_TABLES:
            _delete_master_keys(con, table.name, work)
        accepted = _count(
            con,
            f"INSERT INTO {native_table(table.name)} BY NAME SELECT * EXCLUDE (_row, _err), ? AS batch_id "
            f"FROM {work} WHERE _err IS NULL",
            [batch],
        )
        quarantined = _count(con, f"SELECT count(*) FROM {work} WHERE _err IS NOT NULL")
        if quarantined:
            _quarantine(con, table, f"SELECT _row, _err FROM {work} WHERE _err IS NOT NULL", batch, params)
        return accepted, quarantined, _touched(con, table.name, work)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {work}")


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> int:
    row = con.execute(sql, params or []).fetchone()
    return int(row[0]) if row else 0


def _mark_duplicates(con: duckdb.DuckDBPyConnection, name: str, work: str) -> None:
    """Later occurrences of a key in the batch get a `duplicate` problem (the first one is kept)."""
    con.execute(
        f"UPDATE {work} SET _err = d._err FROM ({duplicates_select(TABLES[name], work)}) d "
        f"WHERE {work}._row = d._row"
    )


def _delete_master_keys(con: duckdb.DuckDBPyConnection, name: str, work: str) -> None:
    """Upsert of a master table: stored rows whose key the batch brings go first (latest wins)."""
    keys = key_columns(TABLES[name])
    match = " AND ".join(f"t.{k} = k.{k}" for k in keys)
    con.execute(
        f"DELETE FROM {name} t USING (SELECT DISTINCT {', '.join(keys)} FROM {work} WHERE _err IS NULL) k "
        f"WHERE {match}"
    )


def _quarantine(
    con: duckdb.DuckDBPyConnection, table: StagedTable, problems: str, batch: str, params: CheckParams
) -> None:
    """Record every problem row (`problems`: a SELECT of `_row, _err`): where, which field, why, the row."""
    con.execute(
        f"INSERT INTO quarantine (batch_id, table_name, file, row_number, field, reason, raw) "
        f"WITH q AS ({problems}), "
        f"r AS (SELECT * FROM {table.stage} WHERE _row IN (SELECT _row FROM q)) "
        f"SELECT ?, ?, ?, q._row, split_part(q._err, '|', 1), {reason_sql('q._err', params)}, "
        f"{raw_json_sql(table.hmap, params)} FROM q JOIN r USING (_row)",
        [batch, table.name, table.hmap.file],
    )


def _keep_extras(con: duckdb.DuckDBPyConnection, table: StagedTable, batch: str, params: CheckParams) -> None:
    """Unknown columns are kept aside, one row per non-empty cell."""
    con.execute(
        "INSERT INTO extra_columns (batch_id, table_name, file, row_number, column_name, value) "
        f"SELECT ?, ?, ?, _row, column_name, value FROM ({extras_select(table.hmap, table.stage, params)})",
        [batch, table.name, table.hmap.file],
    )


def _touched(con: duckdb.DuckDBPyConnection, name: str, work: str) -> set[tuple[str, str]]:
    if name not in PERIOD_TABLES:
        return set()
    rows = con.execute(f"SELECT DISTINCT institution_id, period FROM {work} WHERE _err IS NULL").fetchall()
    return {(str(r[0]), str(r[1])) for r in rows}


def _record(con: duckdb.DuckDBPyConnection, report: LoadReport, received: datetime) -> None:
    """One `batches` row per attempt (accepted inside the transaction, rejected after rollback)."""
    con.execute(
        "INSERT INTO batches (batch_id, institution_id, period, kind, contract_version, produced_at, "
        "received_at, source, status, message, rows_read, rows_accepted, rows_quarantined) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            report.batch_id,
            report.institution_id,
            report.period,
            report.kind,
            CONTRACT_VERSION if report.period else None,  # known once the manifest was read
            report.produced_at,
            received,
            report.source,
            report.status,
            report.message,
            report.rows_read,
            report.rows_accepted,
            report.rows_quarantined,
        ],
    )
