"""One month of the store to a shared Parquet layout (按期增量导出), replacing it atomically.

A province's cluster reads the layout of `analytic_store.parquet` from a shared path.
`sjg export parquet --to PATH --period YYYY-MM` adds or replaces one settlement month
there as it is loaded, without rewriting the other months: everything is first written
to a staging folder inside PATH (same file system), then moved into place by renames,
so a job reading the layout never sees a half-written month, and an export that fails
or is killed leaves the previous month as it was (the staging folder, named
`.staging-…`, is removed by the next export). The masters and the KB tables are small
and replaced whole, each by one `os.replace` of its file.

PATH is a local or mounted folder (NFS, an HDFS NFS gateway, an s3 mount); an
`hdfs://` or `s3a://` URL is refused by name: export to a local folder, then copy the
month's folders with `hdfs dfs -put` / `hadoop distcp` (docs/scale.md).
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import duckdb

from sanjianguan.analytic_store.parquet import PARTITIONED_TABLES, PLAIN_TABLES, export_parquet
from sanjianguan.errors import NoDataError, StoreError
from sanjianguan.period import Period

STAGING_PREFIX = ".staging-"


def export_period(con: duckdb.DuckDBPyConnection, target: str | Path, period: str) -> dict[str, int]:
    """Write `period` of every encounter table and the whole master and KB tables to `target`.

    Rows per table. NoDataError for a month without encounters (an export would otherwise
    delete the month on the cluster); StoreError for a bad period or a remote URL.
    """
    if not Period.is_month_text(period):
        raise StoreError(f"期间格式应为 YYYY-MM / period must be YYYY-MM: {period!r}")
    if "://" in str(target):
        raise StoreError(
            f"导出目标须为本地或已挂载的目录，不能是 URL: {target}（先导出到本地，再用 hdfs dfs -put 或 "
            "distcp 复制）/ --to must be a local or mounted folder"
        )
    row = con.execute("SELECT count(*) FROM encounters WHERE period = ?", [period]).fetchone()
    if not row or not row[0]:
        raise NoDataError(period)
    root = Path(target)
    root.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(root)
    staging = root / f"{STAGING_PREFIX}{period}-{uuid.uuid4().hex[:12]}"
    try:
        counts = export_parquet(con, staging / "new", periods=[period])
        for name in PARTITIONED_TABLES:
            _swap_partition(staging, root / name, name, f"period={period}")
        for name in PLAIN_TABLES:
            (root / name).mkdir(exist_ok=True)
            os.replace(staging / "new" / name / "data.parquet", root / name / "data.parquet")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return counts


def _swap_partition(staging: Path, table: Path, name: str, partition: str) -> None:
    """Put the staged partition in place of the old one (which goes to the staging folder)."""
    table.mkdir(exist_ok=True)  # an empty table still has its folder, for Spark
    new, current = staging / "new" / name / partition, table / partition
    if current.exists():
        old = staging / "old" / name
        old.mkdir(parents=True, exist_ok=True)
        current.rename(old / partition)
    if new.exists():
        new.rename(current)


def _remove_stale_staging(root: Path) -> None:
    # Left by an export that was killed; exports to one folder run one at a time.
    for stale in root.glob(f"{STAGING_PREFIX}*"):
        shutil.rmtree(stale, ignore_errors=True)
