"""index for the clue list sorted by amount, largest first (线索列表按涉及金额排序)

The list page's usual view of a month is "pushed, largest amount first". Sorting reads
`amount_involved + 0` (a number on every backend: SQLite keeps amounts as text); without
an index on that expression every matching row (55 000 of a city's month) was sorted to
show 50. `ix_clues_list_amount` (period, status, (amount_involved + 0) DESC, id,
region_code) gives the rows in the list's order (ties by id), so the page reads 50 index
entries, checking the user's region from the index.

PostgreSQL puts NULLs first in a DESC index unless told; the list shows clues without an
amount last (`DESC NULLS LAST`), so the index says so there. SQLite's DESC already puts
NULLs last and its CREATE INDEX accepts no NULLS clause. The ascending sort is not
indexed (rarely asked; it sorts as before). The model declares the PostgreSQL form
(`workflow_db/models/clues.py`); SQLite cannot reflect expression indexes, so autogenerate
compares it on PostgreSQL only.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 17:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

NAME = "ix_clues_list_amount"


def upgrade() -> None:
    nulls = " NULLS LAST" if op.get_bind().dialect.name == "postgresql" else ""
    op.execute(
        f"CREATE INDEX {NAME} ON clues (period, status, (amount_involved + 0) DESC{nulls}, id, region_code)"
    )


def downgrade() -> None:
    op.drop_index(NAME, table_name="clues")
