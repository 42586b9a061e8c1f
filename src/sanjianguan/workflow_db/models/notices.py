"""Issued notices (文书): numbered documents the offices send, kept unchanged once issued.

Not `cases.Notice` (the notice *text* of a clue step, art. 29/30): an `OfficialNotice` is
the finished .docx with its 文号, numbered per (region, year, kind) by
`sanjianguan.notices.numbering`. There is no update path: the row, its bytes and its
SHA-256 (also in the audit chain, `notice.issued`) stay as issued.

The document is kept as bytes in the row, not as a file under the data folder like case
evidence: a notice is small (tens of kilobytes), written once by the system itself, and
must commit atomically with its number and its audit event (a rolled-back issue leaves
no orphan file, a backup of the database holds every notice it numbers).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sanjianguan.workflow_db.base import Base


class OfficialNotice(Base):
    """One issued notice: kind, 文号 (number), subject, recipient institution, the .docx and its hash.

    `seq` is the running number n of `number` within (region_code, year, kind): the unique
    constraint on those four makes allocation race-free (a second writer of the same n
    fails and retries with the next). One notice per (kind, subject): issuing again
    returns the first.
    """

    __tablename__ = "official_notices"
    __table_args__ = (
        UniqueConstraint("region_code", "year", "kind", "seq"),
        UniqueConstraint("kind", "subject_id"),
        Index("ix_official_notices_recipient_issued", "recipient_id", "issued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # a NoticeKind value
    number: Mapped[str] = mapped_column(String(64), unique=True)  # 文号, e.g. 宜三监告〔2026〕7号
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)  # the issuing office
    year: Mapped[int]
    seq: Mapped[int]
    subject_id: Mapped[str] = mapped_column(String(160))  # clue id, proposal id, fact id, point record id
    recipient_id: Mapped[str] = mapped_column(ForeignKey("institutions.id"))
    title: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    issued_at: Mapped[datetime]
    issued_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
