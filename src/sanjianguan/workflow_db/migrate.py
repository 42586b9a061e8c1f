"""Running the migrations programmatically (no alembic.ini): upgrade, current, new revision."""

from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session

from sanjianguan.config import Settings
from sanjianguan.workflow_db.connection import Database, make_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config on this package's migrations; `engine` is used when given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the store to `revision` (default: the newest); a no-op when already there.

    Then the shipped calendar years the store lacks are seeded (idempotent)."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    _seed_calendar(engine)


def _seed_calendar(engine: Engine) -> None:
    from sanjianguan.calendar_load import seed_shipped

    if not inspect(engine).has_table("calendar_years"):
        return  # an older revision was asked for
    with Session(engine) as session, session.begin():
        seed_shipped(session)


def current(engine: Engine) -> str | None:
    """The revision the store is at (None: empty store)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head() -> str | None:
    """The newest revision shipped with this version of the code."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def new_revision(message: str) -> Path:
    """Autogenerate the next revision by comparing the models with a fresh store at head.

    The file is a draft: read it, fix what autogenerate cannot see (data moves, triggers).
    """
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'draft.sqlite'}")
        upgrade(engine)
        config = alembic_config(engine)
        number = int(head() or "0") + 1
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            script = command.revision(config, message, autogenerate=True, rev_id=f"{number:04d}")
        engine.dispose()
    if not isinstance(script, Script):
        raise RuntimeError("alembic created no single revision")
    return Path(script.path)


def open_database(home: Path, settings: Settings) -> Database:
    """The workflow store of a data folder, brought to the newest revision."""
    database = Database.for_home(home, settings)
    upgrade(database.engine)
    return database
