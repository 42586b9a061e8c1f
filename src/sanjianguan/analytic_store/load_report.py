"""入库结果 (load report): what happened to one batch, and the `batches` row that records it.

Every attempt at a batch leaves one `batches` row: an accepted batch's is written inside
the transaction that stores its rows, a rejected one's after the rollback (`loader.py`),
with the counts reset so a rejected batch never claims rows it did not keep.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from sanjianguan.analytic_store.batch_status import BatchStatus
from sanjianguan.contract.schema import CONTRACT_VERSION
from sanjianguan.errors import ContractError

ProgressFn = Callable[[str, int, int], None]  # (table, tables done, tables in batch)


@dataclass
class LoadReport:
    """入库结果: what happened to one batch."""

    batch_id: str
    source: str
    status: BatchStatus = BatchStatus.REJECTED
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
        return self.status in (BatchStatus.ACCEPTED, BatchStatus.UNCHANGED)


def failure_message(exc: Exception) -> str:
    """A contract error speaks for itself; anything else is said to have been rolled back."""
    if isinstance(exc, ContractError):
        return str(exc)
    return f"入库失败，已回滚 / load failed and was rolled back: {exc}"


def reset_counts(report: LoadReport) -> None:
    """A rejected batch stored nothing: no accepted or quarantined rows, no (institution, period)."""
    report.rows_accepted = report.rows_quarantined = 0
    report.accepted_by_table, report.quarantined_by_table, report.affected = {}, {}, []


def record_batch(con: duckdb.DuckDBPyConnection, report: LoadReport, received: datetime) -> None:
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
