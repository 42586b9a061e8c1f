"""`sjg users`: accounts of the workflow (add, change password)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sanjianguan.cli.app import app, state

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sanjianguan.context import Context

users_app = typer.Typer(no_args_is_help=True, help="用户 / user accounts")
app.add_typer(users_app, name="users")

PasswordFile = Annotated[
    Path | None, typer.Option("--password-file", help="从文件读取密码（首行）/ read the password from a file")
]


def _password(path: Path | None) -> str:
    if path is not None:
        return path.read_text(encoding="utf-8").splitlines()[0] if path.stat().st_size else ""
    return str(typer.prompt("密码 / password", hide_input=True, confirmation_prompt=True))


def _register_institution(session: Session, ctx: Context, institution_id: str) -> None:
    """Make sure the institution is known to the workflow store (from the analytic store)."""
    from sanjianguan.access.institutions import sync_institutions
    from sanjianguan.db.models import Institution

    if session.get(Institution, institution_id) is not None:
        return
    with ctx.store() as con:
        sync_institutions(session, con, [institution_id])


@users_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="用户名 / username")],
    role: Annotated[str, typer.Option("--role", help="角色 / role (office, analyst, ..., auditor)")],
    region: Annotated[str | None, typer.Option("--region", help="6位行政区划代码 / region code")] = None,
    institution: Annotated[
        str | None, typer.Option("--institution", help="机构编码 / institution id")
    ] = None,
    display_name: Annotated[str, typer.Option("--name", help="显示名 / display name")] = "",
    password_file: PasswordFile = None,
) -> None:
    """新增用户 / add a user tied to a region or (role institution) to an institution."""
    from sanjianguan.access import users
    from sanjianguan.db.migrate import open_database

    ctx = state.context()
    parsed = users.parse_role(role)
    database = open_database(ctx.home, ctx.settings)
    try:
        with database.transaction() as session:
            if institution:
                _register_institution(session, ctx, institution)
            user = users.create_user(
                session,
                username=username,
                password=_password(password_file),
                role=parsed,
                region_code=region,
                institution_id=institution,
                display_name=display_name,
            )
            typer.echo(f"已创建 / created: {user.username} ({user.role.value}, id {user.id})")
    finally:
        database.dispose()


@users_app.command("passwd")
def passwd(
    username: Annotated[str, typer.Argument(help="用户名 / username")], password_file: PasswordFile = None
) -> None:
    """修改密码 / set a new password (ends the user's open sessions)."""
    from sanjianguan.access import users
    from sanjianguan.cases.errors import NotFoundError
    from sanjianguan.db.migrate import open_database

    ctx = state.context()
    database = open_database(ctx.home, ctx.settings)
    try:
        with database.transaction() as session:
            user = users.find_user(session, username)
            if user is None:
                raise NotFoundError(f"用户不存在：{username}", f"no such user: {username}")
            users.change_password(session, user, _password(password_file))
            typer.echo(f"已修改 / changed: {user.username}")
    finally:
        database.dispose()
