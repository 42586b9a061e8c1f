"""Migrations build the schema from empty on both backends and match the models."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from sanjianguan.bootstrap import upgrade
from sanjianguan.workflow_db.base import Base
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.migrate import alembic_config, current, head
from sanjianguan.workflow_db.models import Clue, Institution
from tests.services import unavailable
from tests.workflow_db.fixtures import BACKENDS, create_pg_database, drop_pg_database, pg_database_url

TABLES = {
    "regions",
    "institutions",
    "users",
    "auth_sessions",
    "login_attempts",
    "audit_events",
    "audit_head",
    "clues",
    "expert_assignments",
}


@pytest.fixture(params=BACKENDS)
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        db = Database.from_url(f"sqlite:///{tmp_path / 'empty.sqlite'}")
        yield db
        db.dispose()
        return
    if not request.getfixturevalue("pg_available"):
        unavailable("PostgreSQL", "no server answers (set SJG_TEST_PG_URL)")
    name = create_pg_database()
    db = Database.from_url(pg_database_url(name))
    yield db
    db.dispose()
    drop_pg_database(name)


def test_upgrade_from_empty_then_down_and_up(empty_db: Database) -> None:
    assert current(empty_db.engine) is None
    upgrade(empty_db.engine)
    assert current(empty_db.engine) == head()
    assert set(inspect(empty_db.engine).get_table_names()) >= TABLES
    upgrade(empty_db.engine)  # at head: nothing to do
    config = alembic_config(empty_db.engine)
    with empty_db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert current(empty_db.engine) is None
    upgrade(empty_db.engine)
    assert current(empty_db.engine) == head()


def test_models_match_the_migrations(database: Database) -> None:
    """A model changed without a migration fails here: run `sjg db revision "..."`."""
    with database.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_amounts_are_exact_and_times_aware(database: Database) -> None:
    with database.transaction() as s:
        s.add(Institution(id="H1", name="x"))
        s.flush()
        s.add(
            Clue(
                id="c",
                source_kind="hit",
                source_id="c",
                rule_id="r",
                period="2026-01",
                institution_id="H1",
                amount_involved=Decimal("9999999999999999.99"),
            )
        )
    with database.transaction() as s:
        clue = s.get(Clue, "c")
        assert clue is not None
        assert clue.amount_involved == Decimal("9999999999999999.99")
        assert clue.created_at.tzinfo is UTC
        assert clue.created_at <= datetime.now(UTC)


def test_sqlite_runs_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    db = Database.from_url(f"sqlite:///{tmp_path / 'w.sqlite'}")
    with db.engine.connect() as con:
        assert con.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert con.execute(text("PRAGMA foreign_keys")).scalar() == 1
    db.dispose()
