"""browser sessions (网页会话): a forced password change, and idle expiry of page sessions

`users.must_change_password` (首次登录须修改密码): an account an office creates or resets
(`sjg users add`, `sjg users passwd`) gets a password someone else chose; the browser pages
let its user do nothing but change it. Existing users (and the demo's) start with false:
they chose, or were given before this revision, the password they use.

`auth_sessions.last_seen_at`: when the session was opened or its browser pages last made a
request; a page session idle for longer than `[access] idle_minutes` ends (revoked). Null
for sessions opened before this revision: they count from `created_at`.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 11:28:33.853879
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sanjianguan.workflow_db.base

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_seen_at", sanjianguan.workflow_db.base.UtcDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.drop_column("last_seen_at")
