"""message_deliveries.claim_token, claimed_at: a delivery is claimed, then sent outside the transaction

`deliver_pending` marks the due deliveries `sending` with its run's token and the time in
one short transaction, sends them with no transaction open, and records each outcome in a
short transaction of its own; a claim older than `[messages] claim_minutes` (its run died)
is taken again. Two nullable columns only: no row changes.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 18:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sanjianguan.workflow_db.base

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

UtcDateTime = sanjianguan.workflow_db.base.UtcDateTime


def upgrade() -> None:
    with op.batch_alter_table("message_deliveries") as batch:
        batch.add_column(sa.Column("claim_token", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("claimed_at", UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("message_deliveries") as batch:
        batch.drop_column("claimed_at")
        batch.drop_column("claim_token")
