"""foundation: organisation, access, audit log, clues

Revision ID: 0001
Revises:
Create Date: 2026-11-23

The audit log is append-only: triggers refuse UPDATE, DELETE (and on PostgreSQL
TRUNCATE) of `audit_events`; the chain head starts at seq 0 with the genesis hash.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sanjianguan.workflow_db.base

GENESIS = "0" * 64
APPEND_ONLY = "audit_events is append-only / 审计日志只能追加"

SQLITE_TRIGGERS = [
    f"CREATE TRIGGER audit_events_no_{op} BEFORE {op.upper()} ON audit_events "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
    for op in ("update", "delete")
]
POSTGRES_TRIGGERS = [
    "CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$",
    "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()",
]

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("occurred_at", sanjianguan.workflow_db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=160), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_events_hash")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_event"), ["event"], unique=False)
        batch_op.create_index("ix_audit_events_subject", ["subject_type", "subject_id"], unique=False)

    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("at", sanjianguan.workflow_db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_login_attempts_client_at", ["client", "at"], unique=False)
        batch_op.create_index("ix_login_attempts_username_at", ["username", "at"], unique=False)

    op.create_table(
        "regions",
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "level",
            sa.Enum("province", "city", "county", name="regionlevel", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("parent_code", sa.String(length=6), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_code"], ["regions.code"], name=op.f("fk_regions_parent_code_regions")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_regions")),
    )
    op.create_table(
        "institutions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("created_at", sanjianguan.workflow_db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.code"], name=op.f("fk_institutions_region_code_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_institutions")),
    )
    with op.batch_alter_table("institutions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_institutions_region_code"), ["region_code"], unique=False)

    op.create_table(
        "clues",
        sa.Column("id", sa.String(length=160), nullable=False),
        sa.Column("source_kind", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.String(length=128), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("institution_id", sa.String(length=64), nullable=False),
        sa.Column("department", sa.String(length=100), nullable=True),
        sa.Column("doctor_id", sa.String(length=128), nullable=True),
        sa.Column("patient_id", sa.String(length=128), nullable=True),
        sa.Column("encounter_id", sa.String(length=128), nullable=True),
        sa.Column("event_date", sa.Date(), nullable=True),
        sa.Column(
            "amount_involved", sanjianguan.workflow_db.base.Money(precision=18, scale=2), nullable=True
        ),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("created_at", sanjianguan.workflow_db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sanjianguan.workflow_db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"], ["institutions.id"], name=op.f("fk_clues_institution_id_institutions")
        ),
        sa.ForeignKeyConstraint(["region_code"], ["regions.code"], name=op.f("fk_clues_region_code_regions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clues")),
        sa.UniqueConstraint("source_kind", "source_id", name=op.f("uq_clues_source_kind_source_id")),
    )
    with op.batch_alter_table("clues", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clues_institution_id"), ["institution_id"], unique=False)
        batch_op.create_index("ix_clues_period_status", ["period", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_clues_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_clues_rule_id"), ["rule_id"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "office",
                "analyst",
                "investigator",
                "adjudicator",
                "expert",
                "institution",
                "insurance",
                "auditor",
                name="role",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("institution_id", sa.String(length=64), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sanjianguan.workflow_db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column(
            "password_changed_at", sanjianguan.workflow_db.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.CheckConstraint(
            "(region_code IS NULL) <> (institution_id IS NULL)", name=op.f("ck_users_one_unit")
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"], ["institutions.id"], name=op.f("fk_users_institution_id_institutions")
        ),
        sa.ForeignKeyConstraint(["region_code"], ["regions.code"], name=op.f("fk_users_region_code_regions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "auth_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sanjianguan.workflow_db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sanjianguan.workflow_db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sanjianguan.workflow_db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_auth_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_auth_sessions")),
    )
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auth_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "expert_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clue_id", sa.String(length=160), nullable=False),
        sa.Column("expert_user_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", sanjianguan.workflow_db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["clue_id"], ["clues.id"], name=op.f("fk_expert_assignments_clue_id_clues")),
        sa.ForeignKeyConstraint(
            ["expert_user_id"], ["users.id"], name=op.f("fk_expert_assignments_expert_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_assignments")),
        sa.UniqueConstraint(
            "clue_id", "expert_user_id", name=op.f("uq_expert_assignments_clue_id_expert_user_id")
        ),
    )
    with op.batch_alter_table("expert_assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expert_assignments_clue_id"), ["clue_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_expert_assignments_expert_user_id"), ["expert_user_id"], unique=False
        )

    _append_only_triggers()
    op.bulk_insert(
        sa.table("audit_head", sa.column("id", sa.Integer), sa.column("seq", sa.Integer), sa.column("hash")),
        [{"id": 1, "seq": 0, "hash": GENESIS}],
    )


def _append_only_triggers() -> None:
    statements = SQLITE_TRIGGERS if op.get_bind().dialect.name == "sqlite" else POSTGRES_TRIGGERS
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_no_change ON audit_events")
        op.execute("DROP TRIGGER audit_events_no_truncate ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    with op.batch_alter_table("expert_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expert_assignments_expert_user_id"))
        batch_op.drop_index(batch_op.f("ix_expert_assignments_clue_id"))

    op.drop_table("expert_assignments")
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_sessions_user_id"))

    op.drop_table("auth_sessions")
    op.drop_table("users")
    with op.batch_alter_table("clues", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clues_rule_id"))
        batch_op.drop_index(batch_op.f("ix_clues_region_code"))
        batch_op.drop_index("ix_clues_period_status")
        batch_op.drop_index(batch_op.f("ix_clues_institution_id"))

    op.drop_table("clues")
    with op.batch_alter_table("institutions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_institutions_region_code"))

    op.drop_table("institutions")
    op.drop_table("regions")
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempts_username_at")
        batch_op.drop_index("ix_login_attempts_client_at")

    op.drop_table("login_attempts")
    op.drop_table("audit_head")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_subject")
        batch_op.drop_index(batch_op.f("ix_audit_events_event"))

    op.drop_table("audit_events")
