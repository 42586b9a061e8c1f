"""期间核对 (period check): a batch whose encounters settled in other months is rejected whole.

A batch speaks for one month (its manifest's `period`). When more than the configured
share of its encounters settled in other months, the manifest and the data disagree and
the batch is rejected before anything is stored (`ingest.period_mismatch_max`).
"""

from __future__ import annotations

import duckdb

from sanjianguan.analytic_store.load_stage import StagedTable, staged_encounters
from sanjianguan.contract.manifest import Manifest
from sanjianguan.contract.validate import settlement_month_sql
from sanjianguan.errors import ContractError


def check_period(
    con: duckdb.DuckDBPyConnection, manifest: Manifest, staged: list[StagedTable], max_share: float
) -> None:
    """期间核对: reject the batch when too many encounters settled outside the manifest's month."""
    table = staged_encounters(staged)
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
