"""整期替换 (replacing a period): what a `full` batch does to the month it brings.

A `full` batch replaces its institutions' encounters and their child rows of its period
(an `incremental` one only adds). The replacement guard (替换保护) refuses, unless the
user confirms (`--confirm-replace`), a `full` batch that would remove more than
`ingest.replace_guard` of a stored month; `replace_period` does the deletion inside the
batch's transaction, Parquet segments of fee lines included.
"""

from __future__ import annotations

import duckdb

from sanjianguan.analytic_store import line_ranges, segments
from sanjianguan.analytic_store.ddl import native_table
from sanjianguan.analytic_store.load_stage import PERIOD_TABLES, StagedTable, staged_encounters
from sanjianguan.analytic_store.segments import SegmentChanges
from sanjianguan.contract.manifest import Manifest
from sanjianguan.contract.validate import quote
from sanjianguan.errors import ContractError


def check_replace(
    con: duckdb.DuckDBPyConnection, manifest: Manifest, staged: list[StagedTable], guard: float
) -> None:
    """替换保护: a `full` batch may not remove more than `guard` of a stored month unconfirmed."""
    if manifest.kind != "full":
        return
    new_by_institution = brought(con, manifest, staged)
    stored = con.execute(
        "SELECT institution_id, count(*) FROM encounters WHERE period = ? "
        "AND institution_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY 1 ORDER BY 1",
        [manifest.period, batch_institutions(manifest, new_by_institution)],
    ).fetchall()
    for institution, held in stored:
        new = new_by_institution.get(str(institution), 0)
        removed = (int(held) - new) / int(held)
        if removed > guard:
            raise ContractError(
                f"full 批次将把机构 {institution} {manifest.period} 的就诊从 {held} 条减为 {new} 条"
                f"(减少 {removed:.0%}，超过 {guard:.0%})；确需替换请加 --confirm-replace / "
                f"this full batch would cut {institution} {manifest.period} from {held} encounters to "
                f"{new} ({removed:.0%} removed, more than {guard:.0%}); to replace anyway, "
                "use --confirm-replace"
            )


def replace_period(
    con: duckdb.DuckDBPyConnection,
    manifest: Manifest,
    staged: list[StagedTable],
    changes: SegmentChanges | None,
) -> set[tuple[str, str]]:
    """`full`: delete the period's encounters and child rows of the batch's institutions."""
    if manifest.kind != "full":
        return set()
    institutions = batch_institutions(manifest, brought(con, manifest, staged))
    if changes is not None:  # segment lines are found through their encounters: first
        segments.replace_period(con, changes, institutions, manifest.period)
    for name in PERIOD_TABLES:
        con.execute(
            f"DELETE FROM {native_table(name)} WHERE period = ? "
            "AND institution_id IN (SELECT unnest(?::VARCHAR[]))",
            [manifest.period, institutions],
        )
    line_ranges.forget_period(con, institutions, manifest.period)
    return {(inst, manifest.period) for inst in institutions}


def batch_institutions(manifest: Manifest, brought: dict[str, int]) -> list[str]:
    """The institutions a batch replaces: its manifest's one, or every one its encounters name."""
    return [manifest.institution_id] if manifest.institution_id else sorted(brought)


def brought(con: duckdb.DuckDBPyConnection, manifest: Manifest, staged: list[StagedTable]) -> dict[str, int]:
    """Encounter rows the batch brings, per institution (a one-institution batch: all its rows)."""
    table = staged_encounters(staged)
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
