"""开库 (bootstrap): the workflow database at the newest schema, with the reference data the code ships.

The schema is Alembic's business (`workflow_db/migrate.py`). After it, the shipped
reference data is seeded: the official calendar years (`calendar_load.seed_shipped`,
idempotent; a newly shipped year also recomputes the provisional deadlines it covers).
This module sits above both, so the workflow database package never imports the
calendar that is stored in it (see docs/architecture.md).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session

from sanjianguan.calendar_load import seed_shipped
from sanjianguan.config import Settings
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.migrate import upgrade_schema


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the store to `revision` (default: the newest); a no-op when already there.

    Then the shipped calendar years the store lacks are seeded (idempotent)."""
    upgrade_schema(engine, revision)
    if not inspect(engine).has_table("calendar_years"):
        return  # an older revision was asked for
    with Session(engine) as session, session.begin():
        seed_shipped(session)


def open_database(home: Path, settings: Settings) -> Database:
    """The workflow store of a data folder, brought to the newest revision."""
    database = Database.for_home(home, settings)
    upgrade(database.engine)
    return database
