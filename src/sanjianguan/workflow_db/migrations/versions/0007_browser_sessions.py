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
    # Plain ADD COLUMN (no batch copy of the tables): SQLite adds a column with a constant
    # default in place, so the tables that reference `users` are not touched.
    op.add_column(
        "auth_sessions",
        sa.Column("last_seen_at", sanjianguan.workflow_db.base.UtcDateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "users", sa.Column("must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False)
    )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy would drop `users`, which others reference.
    op.drop_column("users", "must_change_password")
    op.drop_column("auth_sessions", "last_seen_at")
