"""Audit events of data submission (subject: the batch)."""

from __future__ import annotations

from dataclasses import dataclass

from sanjianguan.audit.events import Event


@dataclass(frozen=True, kw_only=True)
class BatchSubmitted(Event):
    """数据提交: a batch zip sent through the browser and what the loader made of it."""

    name = "data.batch_submitted"
    subject_type = "batch"
    institution_id: str
    period: str
    status: str  # accepted | rejected | unchanged (analytic_store.batch_status)
    rows_accepted: int
    rows_quarantined: int
