"""opaque clue ids (不透明线索编号): every clue gets `XS` + 16 random base32 characters

Before, a clue's id was its stable derivation (`hit-<hit_id>`,
`indicator-<period>.<institution>.<indicator>`): it named the institution to experts
(issue 10, item 1). Every existing clue gets a new random id; every column that holds
clue ids (the foreign keys to `clues.id`, found by reflection, and the ones chained to
them, e.g. `votes.clue_id` → `adjudications.clue_id`) and the `refs` of the
accountability proposals' evidence are rewritten in the same transaction; the old id is
kept in `clue_aliases` (old_id → clue_id), so that old links still resolve for the
roles that may see the clue. Audit events are not touched (the log is append-only and
hash-chained): history maps their old ids through `clue_aliases` when it is shown.

Foreign keys while ids change: SQLite defers their check to the commit
(`PRAGMA defer_foreign_keys`); PostgreSQL drops the constraints and creates them again
(which checks every row). Downgrade gives the aliased clues their old ids back (clues
generated after the upgrade keep their opaque ids) and drops `clue_aliases`.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 08:24:56.846454
"""

from __future__ import annotations

import base64
import re
import secrets
from typing import Any

import sqlalchemy as sa
from alembic import op

import sanjianguan.workflow_db.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

OPAQUE = re.compile(r"^XS[A-Z2-7]{16}$")
MAP_TABLE = "clue_id_map_0006"
FK_OPTIONS = ("ondelete", "onupdate", "deferrable", "initially")


def _new_id(taken: set[str]) -> str:
    while True:  # 80 random bits: a collision is astronomically rare, but checked
        candidate = "XS" + base64.b32encode(secrets.token_bytes(10)).decode("ascii")
        if candidate not in taken:
            taken.add(candidate)
            return candidate


def upgrade() -> None:
    bind = op.get_bind()
    ids = [str(row[0]) for row in bind.execute(sa.text("SELECT id FROM clues"))]
    taken = set(ids)
    mapping = {old: _new_id(taken) for old in sorted(ids) if not OPAQUE.match(old)}
    _rename(mapping)
    op.create_table(
        "clue_aliases",
        sa.Column("old_id", sa.String(length=160), nullable=False),
        sa.Column("clue_id", sa.String(length=160), nullable=False),
        sa.Column("created_at", sanjianguan.workflow_db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["clue_id"], ["clues.id"], name=op.f("fk_clue_aliases_clue_id_clues")),
        sa.PrimaryKeyConstraint("old_id", name=op.f("pk_clue_aliases")),
    )
    with op.batch_alter_table("clue_aliases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clue_aliases_clue_id"), ["clue_id"], unique=False)
    aliases = sa.table(
        "clue_aliases",
        sa.column("old_id", sa.String()),
        sa.column("clue_id", sa.String()),
        sa.column("created_at", sanjianguan.workflow_db.base.UtcDateTime()),
    )
    now = sanjianguan.workflow_db.base.utcnow()
    rows = [{"old_id": old, "clue_id": new, "created_at": now} for old, new in mapping.items()]
    if rows:
        op.bulk_insert(aliases, rows)


def downgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT old_id, clue_id FROM clue_aliases")).all()
    with op.batch_alter_table("clue_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clue_aliases_clue_id"))
    op.drop_table("clue_aliases")
    _rename({str(new): str(old) for old, new in rows})


# --- renaming ids everywhere they are held -------------------------------------------------


def _rename(mapping: dict[str, str]) -> None:
    """Give clues new ids (`mapping`: current → new) in every column and JSON field holding them."""
    if not mapping:
        return
    bind = op.get_bind()
    columns, constraints = _clue_id_columns(bind)
    postgres = bind.dialect.name == "postgresql"
    if postgres:
        for table, fk in constraints:
            op.drop_constraint(fk["name"], table, type_="foreignkey")
    else:
        op.execute("PRAGMA defer_foreign_keys = ON")  # checked at commit (SQLite resets it then)
    id_map = op.create_table(
        MAP_TABLE,
        sa.Column("old_id", sa.String(length=160), primary_key=True),
        sa.Column("new_id", sa.String(length=160), nullable=False),
    )
    op.bulk_insert(id_map, [{"old_id": old, "new_id": new} for old, new in mapping.items()])
    for table, column in sorted(columns):
        op.execute(
            f"UPDATE {table} SET {column} = "
            f"(SELECT m.new_id FROM {MAP_TABLE} m WHERE m.old_id = {table}.{column}) "
            f"WHERE {column} IN (SELECT old_id FROM {MAP_TABLE})"
        )
    op.drop_table(MAP_TABLE)
    _rename_evidence_refs(mapping)
    if postgres:
        for table, fk in constraints:
            options = {key: fk["options"][key] for key in FK_OPTIONS if fk["options"].get(key)}
            local, remote = fk["constrained_columns"], fk["referred_columns"]
            op.create_foreign_key(fk["name"], table, fk["referred_table"], local, remote, **options)


def _clue_id_columns(bind: sa.Connection) -> tuple[set[tuple[str, str]], list[tuple[str, dict[str, Any]]]]:
    """Every (table, column) holding clue ids: `clues.id` and the foreign keys chained to it.

    Also the foreign-key constraints among them (to drop and re-create on PostgreSQL).
    """
    inspector = sa.inspect(bind)
    fks = [(table, fk) for table in inspector.get_table_names() for fk in inspector.get_foreign_keys(table)]
    columns = {("clues", "id")}
    chained: set[int] = set()
    grew = True
    while grew:
        grew = False
        for index, (table, fk) in enumerate(fks):
            if index in chained or len(fk["constrained_columns"]) != 1:
                continue
            if (fk["referred_table"], fk["referred_columns"][0]) in columns:
                columns.add((table, fk["constrained_columns"][0]))
                chained.add(index)
                grew = True
    return columns, [(fks[i][0], dict(fks[i][1])) for i in sorted(chained)]


def _rename_evidence_refs(mapping: dict[str, str]) -> None:
    """The clue ids an accountability proposal's evidence refers to (`refs` of each time)."""
    bind = op.get_bind()
    proposals = sa.table(
        "accountability_proposals", sa.column("id", sa.Integer()), sa.column("evidence", sa.JSON())
    )
    for row_id, evidence in bind.execute(sa.select(proposals.c.id, proposals.c.evidence)).all():
        renamed = [_renamed_time(time, mapping) for time in evidence or []]
        if renamed != (evidence or []):
            bind.execute(proposals.update().where(proposals.c.id == row_id).values(evidence=renamed))


def _renamed_time(time: Any, mapping: dict[str, str]) -> Any:
    if not isinstance(time, dict) or not isinstance(time.get("refs"), list):
        return time
    return {**time, "refs": [mapping.get(ref, ref) if isinstance(ref, str) else ref for ref in time["refs"]]}
