"""message centre (消息中心): messages, muted kinds, outbound deliveries; users.email

`messages`: one row per recipient (unique per user, kind and dedup subject), with an index
on (user, read_at) for the header's unread count. `message_preferences`: the kinds a user
muted. `message_deliveries`: the outbound copy of a message per channel (email, webhook),
with its attempts, last error and next attempt; `dead` once the attempts are spent.
`users.email` (nullable): the address of the email channel. New tables and a nullable
column only: no row changes.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 17:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sanjianguan.workflow_db.base

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

UtcDateTime = sanjianguan.workflow_db.base.UtcDateTime


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email", sa.String(length=254), nullable=True))
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("read_at", UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_messages_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint("user_id", "kind", "subject", name=op.f("uq_messages_user_id_kind_subject")),
    )
    op.create_index(op.f("ix_messages_user_unread"), "messages", ["user_id", "read_at"], unique=False)
    op.create_table(
        "message_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("muted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_message_preferences_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_message_preferences")),
    )
    op.create_table(
        "message_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_message_deliveries_message_id_messages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_deliveries")),
        sa.UniqueConstraint("message_id", "channel", name=op.f("uq_message_deliveries_message_id_channel")),
    )
    op.create_index(
        op.f("ix_message_deliveries_status_next"),
        "message_deliveries",
        ["status", "next_attempt_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_message_deliveries_status_next"), table_name="message_deliveries")
    op.drop_table("message_deliveries")
    op.drop_table("message_preferences")
    op.drop_index(op.f("ix_messages_user_unread"), table_name="messages")
    op.drop_table("messages")
    # ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35) rather than a batch copy: copying `users`
    # means dropping it, which the foreign keys of every table that names a user refuse.
    op.drop_column("users", "email")
