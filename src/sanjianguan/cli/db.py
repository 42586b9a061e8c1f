"""`sjg db`: the workflow store's schema (migrations)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from sanjianguan.cli.app import app, state

if TYPE_CHECKING:
    from sanjianguan.workflow_db.connection import Database

db_app = typer.Typer(no_args_is_help=True, help="流程库 / workflow store: schema migrations")
app.add_typer(db_app, name="db")


def _database() -> Database:
    from sanjianguan.workflow_db.connection import Database

    ctx = state.context()
    return Database.for_home(ctx.home, ctx.settings)


@db_app.command("upgrade")
def upgrade(revision: Annotated[str, typer.Argument(help="目标版本 / target revision")] = "head") -> None:
    """升级流程库结构 / bring the workflow store's schema to the newest (or given) revision."""
    from sanjianguan.bootstrap import upgrade as upgrade_database
    from sanjianguan.workflow_db import migrate

    database = _database()
    try:
        upgrade_database(database.engine, revision)
        typer.echo(f"流程库版本 / schema revision: {migrate.current(database.engine)}")
    finally:
        database.dispose()


@db_app.command("current")
def current() -> None:
    """显示流程库版本 / show the workflow store's revision and the newest one."""
    from sanjianguan.workflow_db import migrate

    database = _database()
    try:
        at, newest = migrate.current(database.engine), migrate.head()
        typer.echo(f"当前 / current: {at or '(空 / empty)'}  最新 / head: {newest}")
        if at != newest:
            typer.echo("需要升级：sjg db upgrade / upgrade needed: sjg db upgrade")
    finally:
        database.dispose()


@db_app.command("revision")
def revision(message: Annotated[str, typer.Argument(help="说明 / what the revision changes")]) -> None:
    """生成迁移草稿 / draft the next migration from the models (review it before committing)."""
    from sanjianguan.workflow_db import migrate

    typer.echo(str(migrate.new_revision(message)))
