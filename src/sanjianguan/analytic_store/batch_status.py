"""批次状态: what became of a batch sent to the analytic store (column `batches.status`).

A module of its own, with no imports, so that the CLI can label statuses without
loading the store.
"""

from __future__ import annotations

import enum


class BatchStatus(enum.StrEnum):
    """批次状态: accepted and rejected are recorded in `batches`; unchanged is only reported
    (a re-sent batch whose rows are all still stored, see `analytic_store.load_idempotence`)."""

    ACCEPTED = "accepted"  # 已入库
    REJECTED = "rejected"  # 已拒收
    UNCHANGED = "unchanged"  # 未变化

    @property
    def label_zh(self) -> str:
        """状态的中文名称."""
        return BATCH_STATUS_ZH[self]


BATCH_STATUS_ZH: dict[BatchStatus, str] = {
    BatchStatus.ACCEPTED: "已入库",
    BatchStatus.REJECTED: "已拒收",
    BatchStatus.UNCHANGED: "未变化",
}
