"""indexes for the pages at city scale (驾驶舱、线索列表): covering indexes of the month's figures

The dashboard (`cases.statistics.clue_counts`) counts a month's clues by status and rule,
sums their amounts, ranks institutions and draws the 12 months' trend; the clue list
(`clues.queries.list_clues`) filters by month, status and the user's region and counts
the matches. At a city's year (1 000 000 clues) each of these read the table's rows.

- `ix_clues_month_cover` (period, region_code, status, rule_id, institution_id,
  amount_involved, id): every column those groupings read, so they are answered from the
  index alone (no table rows), for one month or twelve, narrowed by the region prefix;
  `id` for the joins of the month's clues to their deadlines and sampling.
- `ix_clues_period_status_list` (period, status, id, region_code, amount_involved)
  replaces `ix_clues_period_status` (its prefix): a list filtered by month and status is
  read in id order, counted within the user's region and ranked by amount from the
  index; only the page's 50 rows are read from the table.
- `ix_clues_id_region` (id, region_code): joins from deadlines to their clues (the overdue
  count) check the region without reading the clue rows.
- `ix_clues_updated_at` (updated_at): the latest change of any clue, one index seek, part
  of the fingerprint that tells whether the dashboard's cached figures
  (`cases.figures_cache`) still hold.
- `ix_deadlines_clue_cover` (clue_id, step, outcome, first_due_on, closed_at,
  reminded_on): the on-time self-check rate reads the month's self-check deadlines from
  the index.

Only indexes: no row changes. Plain CREATE INDEX on SQLite and PostgreSQL (PostgreSQL
locks writes to the table while it builds, seconds for a million rows).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 14:20:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

MONTH_COVER = ["period", "region_code", "status", "rule_id", "institution_id", "amount_involved", "id"]
LIST = ["period", "status", "id", "region_code", "amount_involved"]
SELF_CHECK_COVER = ["clue_id", "step", "outcome", "first_due_on", "closed_at", "reminded_on"]


def upgrade() -> None:
    op.create_index("ix_clues_month_cover", "clues", MONTH_COVER, unique=False)
    op.create_index("ix_clues_period_status_list", "clues", LIST, unique=False)
    op.drop_index("ix_clues_period_status", table_name="clues")
    op.create_index("ix_clues_id_region", "clues", ["id", "region_code"], unique=False)
    op.create_index("ix_clues_updated_at", "clues", ["updated_at"], unique=False)
    op.create_index("ix_deadlines_clue_cover", "deadlines", SELF_CHECK_COVER, unique=False)


def downgrade() -> None:
    op.drop_index("ix_deadlines_clue_cover", table_name="deadlines")
    op.drop_index("ix_clues_updated_at", table_name="clues")
    op.drop_index("ix_clues_id_region", table_name="clues")
    op.create_index("ix_clues_period_status", "clues", ["period", "status"], unique=False)
    op.drop_index("ix_clues_period_status_list", table_name="clues")
    op.drop_index("ix_clues_month_cover", table_name="clues")
