"""county_return_scans: the stamped scans of the counties' monthly returns (县区月报扫描件)

One row per upload (a re-upload adds a row; the latest counts): county, month, file
name, type, size, SHA-256, where the file lies in the data folder, when it was
received, its due date (the 10th of the next month) and whether it came on time.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 17:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sanjianguan.workflow_db.base

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "county_return_scans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("stored_path", sa.String(length=300), nullable=False),
        sa.Column("received_at", sanjianguan.workflow_db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.code"], name=op.f("fk_county_return_scans_region_code_regions")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["users.id"], name=op.f("fk_county_return_scans_uploaded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_county_return_scans")),
    )
    op.create_index(
        "ix_county_return_scans_period_region", "county_return_scans", ["period", "region_code"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_county_return_scans_period_region", table_name="county_return_scans")
    op.drop_table("county_return_scans")
