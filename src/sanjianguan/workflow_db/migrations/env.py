"""Alembic environment: runs on the connection that `sanjianguan.workflow_db.migrate` passes in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from sanjianguan.workflow_db.base import Base
from sanjianguan.workflow_db.models import __all__ as _models  # noqa: F401 (registers every table)

config = context.config

# Tables the store holds that Alembic does not manage: APScheduler's job store (`sjg worker`
# creates it itself, `scheduler/worker.py`). Autogenerate must not propose to drop it.
FOREIGN_TABLES = frozenset({"apscheduler_jobs"})


def _include_name(name: str | None, type_: str, parent_names: object) -> bool:
    return not (type_ == "table" and name in FOREIGN_TABLES)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
        compare_type=True,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as fresh:
        _run(fresh)


run()
