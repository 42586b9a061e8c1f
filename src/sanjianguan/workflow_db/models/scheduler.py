"""定时任务 (the scheduler): one row per job run, and the once-only overdue flags of the jobs.

`job_runs` is the lock that keeps two workers (`sjg worker` on two hosts, or a restart
overlapping the old process) from running the same job for the same slot twice: a
worker inserts (job_id, slot) before it runs, and the unique key makes the second
insert fail, so that worker skips. A failed run keeps its reason (`error`) and may be
claimed again at the next wake (the retry); a run left `running` by a killed worker is
taken over once it is older than the worker's stale limit.

`overdue_flags` records that an automatic job has already flagged a lapse (a penalty
point step, a missing monthly return, a county's missing stamped return) so that the
daily job audits each lapse once, whatever the number of runs.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sanjianguan.workflow_db.base import Base, string_enum


class RunStatus(enum.StrEnum):
    """一次任务运行的状态."""

    RUNNING = "running"  # 运行中
    SUCCEEDED = "succeeded"  # 成功
    FAILED = "failed"  # 失败（下次重试）

    @property
    def label_zh(self) -> str:
        """状态的中文名称."""
        return RUN_STATUS_ZH[self]


RUN_STATUS_ZH: dict[RunStatus, str] = {
    RunStatus.RUNNING: "运行中",
    RunStatus.SUCCEEDED: "成功",
    RunStatus.FAILED: "失败（下次重试）",
}


class JobRun(Base):
    """One job's run for one slot (a China date `YYYY-MM-DD`, or a month `YYYY-MM`)."""

    __tablename__ = "job_runs"
    __table_args__ = (
        UniqueConstraint("job_id", "slot"),
        Index("ix_job_runs_job_started", "job_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(64))
    slot: Mapped[str] = mapped_column(String(16))
    status: Mapped[RunStatus] = mapped_column(string_enum(RunStatus, 16))
    attempts: Mapped[int]
    worker: Mapped[str] = mapped_column(String(200))  # host:pid of the claiming worker
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)  # the last failure's reason
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # what the run did (counts, ids)


class OverdueFlag(Base):
    """A lapse an automatic job flagged (and audited) once: subject kind, subject, step."""

    __tablename__ = "overdue_flags"
    __table_args__ = (UniqueConstraint("subject_type", "subject_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(32))  # point_record | point_return | county_return
    subject_id: Mapped[str] = mapped_column(String(200))
    step: Mapped[str] = mapped_column(String(32))
    due_on: Mapped[date]
    flagged_on: Mapped[date]
    region_code: Mapped[str | None] = mapped_column(String(6))
