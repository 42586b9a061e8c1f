"""job_runs and overdue_flags: the scheduler's run lock and its once-only overdue flags

`job_runs`: one row per (job, slot), unique: a worker inserts it before running the job,
so a second worker's insert fails and it skips (定时任务只运行一次); status, attempts,
the claiming worker, start and end, the last error and what the run did.
`overdue_flags`: a lapse an automatic job audited once (penalty-point steps, missing
monthly points returns, missing county returns). New tables only: no row changes.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sanjianguan.workflow_db.base

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(length=64), nullable=False),
        sa.Column("slot", sa.String(length=16), nullable=False),
        sa.Column(
            "status",
            sa.Enum("running", "succeeded", "failed", name="runstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=False),
        sa.Column("started_at", sanjianguan.workflow_db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sanjianguan.workflow_db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_runs")),
        sa.UniqueConstraint("job_id", "slot", name=op.f("uq_job_runs_job_id_slot")),
    )
    op.create_index("ix_job_runs_job_started", "job_runs", ["job_id", "started_at"], unique=False)
    op.create_table(
        "overdue_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=200), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("flagged_on", sa.Date(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_overdue_flags")),
        sa.UniqueConstraint(
            "subject_type", "subject_id", "step", name=op.f("uq_overdue_flags_subject_type_subject_id_step")
        ),
    )


def downgrade() -> None:
    op.drop_table("overdue_flags")
    op.drop_index("ix_job_runs_job_started", table_name="job_runs")
    op.drop_table("job_runs")
