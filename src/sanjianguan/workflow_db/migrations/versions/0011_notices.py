"""issued notices (文书): numbered .docx documents kept unchanged once issued

`official_notices`: one row per issued notice (告知书、责任追究通知书、责令限期改正通知书、
约谈记录、记分通知书、调查核实报告、裁定判决结果报告) with its 文号 (`number`, unique), the
running number `seq` within (region, year, kind) (unique: the race-free allocation), the
subject (clue, proposal, fact or point record), the recipient institution, the .docx bytes
and their SHA-256. One notice per (kind, subject). A new table only: no row changes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 16:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sanjianguan.workflow_db.base

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "official_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.String(length=160), nullable=False),
        sa.Column("recipient_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("issued_at", sanjianguan.workflow_db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issued_by"], ["users.id"], name=op.f("fk_official_notices_issued_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["institutions.id"], name=op.f("fk_official_notices_recipient_id_institutions")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.code"], name=op.f("fk_official_notices_region_code_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_official_notices")),
        sa.UniqueConstraint("kind", "subject_id", name=op.f("uq_official_notices_kind_subject_id")),
        sa.UniqueConstraint("number", name=op.f("uq_official_notices_number")),
        sa.UniqueConstraint(
            "region_code", "year", "kind", "seq", name=op.f("uq_official_notices_region_code_year_kind_seq")
        ),
    )
    op.create_index(
        op.f("ix_official_notices_recipient_issued"),
        "official_notices",
        ["recipient_id", "issued_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_official_notices_region_code"), "official_notices", ["region_code"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_official_notices_region_code"), table_name="official_notices")
    op.drop_index(op.f("ix_official_notices_recipient_issued"), table_name="official_notices")
    op.drop_table("official_notices")
