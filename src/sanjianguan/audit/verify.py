"""Checking the chain: finds the first edited, deleted or inserted row, and a cut tail."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.audit.chain import GENESIS, row_hash
from sanjianguan.workflow_db.models import AuditEvent, AuditHead

BATCH = 1000


@dataclass(frozen=True)
class Break:
    """The first place where the chain does not hold."""

    seq: int
    kind: str  # edited | deleted | inserted | truncated
    message_zh: str
    message_en: str


@dataclass(frozen=True)
class VerifyReport:
    """Result of `verify`: rows checked, the head hash (anchor it elsewhere), the first break."""

    rows: int
    head_hash: str
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _rows(session: Session) -> Iterator[AuditEvent]:
    last = 0
    while True:
        query = select(AuditEvent).where(AuditEvent.seq > last).order_by(AuditEvent.seq).limit(BATCH)
        batch = session.execute(query).scalars().all()
        yield from batch
        if len(batch) < BATCH:
            return
        last = batch[-1].seq
        session.expunge_all()


def _check(row: AuditEvent, expected_seq: int, prev_hash: str) -> Break | None:
    if row.seq > expected_seq:
        return Break(
            expected_seq,
            "deleted",
            f"第 {expected_seq} 行缺失（被删除）",
            f"row {expected_seq} missing (deleted)",
        )
    if row.prev_hash != prev_hash:
        return Break(
            row.seq,
            "inserted",
            f"第 {row.seq} 行不接续上一行（插入或删除）",
            f"row {row.seq} does not follow the previous row (inserted or deleted)",
        )
    if row_hash(prev_hash, row) != row.hash:
        return Break(
            row.seq,
            "edited",
            f"第 {row.seq} 行内容与哈希不符（被修改）",
            f"row {row.seq} does not match its hash (edited)",
        )
    return None


def verify(session: Session) -> VerifyReport:
    """Recompute the whole chain; stops at the first break."""
    prev_hash, expected, count = GENESIS, 1, 0
    for row in _rows(session):
        broken = _check(row, expected, prev_hash)
        if broken is not None:
            return VerifyReport(rows=count, head_hash=prev_hash, broken=broken)
        prev_hash, expected, count = row.hash, row.seq + 1, count + 1
    return VerifyReport(rows=count, head_hash=prev_hash, broken=_check_head(session, count, prev_hash))


def _check_head(session: Session, count: int, last_hash: str) -> Break | None:
    head = session.get(AuditHead, 1)
    if head is None or (head.seq, head.hash) == (count, last_hash):
        return None
    if head.seq > count:
        return Break(
            count + 1,
            "truncated",
            f"日志末尾缺失 {head.seq - count} 行",
            f"{head.seq - count} row(s) missing at the end",
        )
    return Break(
        head.seq + 1,
        "inserted",
        f"第 {head.seq + 1} 行之后的行未经记录写入（插入）",
        f"rows after {head.seq} were not written by the log (inserted)",
    )
