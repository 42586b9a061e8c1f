"""Running the migrations programmatically (no alembic.ini): schema upgrade, current, new revision.

Only the schema: a database ready for use (schema plus the reference data the code ships)
is `sanjianguan.bootstrap`, which sits above the packages whose data is stored here.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from sqlalchemy import Engine

from sanjianguan.workflow_db.connection import make_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config on this package's migrations; `engine` is used when given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.attributes["engine"] = engine
    return config


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (default: the newest); a no-op when already there."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


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
        upgrade_schema(engine)
        config = alembic_config(engine)
        number = int(head() or "0") + 1
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            script = command.revision(config, message, autogenerate=True, rev_id=f"{number:04d}")
        engine.dispose()
    if not isinstance(script, Script):
        raise RuntimeError("alembic created no single revision")
    return Path(script.path)
