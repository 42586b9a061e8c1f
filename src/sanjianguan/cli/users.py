"""`sjg users`: accounts of the workflow (add, list, disable/enable, change password) and regions."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sanjianguan.cli.app import app, state

if TYPE_CHECKING:
    import duckdb
    from sqlalchemy.orm import Session

    from sanjianguan.context import Context
    from sanjianguan.workflow_db.models import User

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
    from sanjianguan.workflow_db.models import Institution

    if session.get(Institution, institution_id) is not None:
        return
    with ctx.store() as con:
        sync_institutions(session, con, [institution_id])


def _store_regions(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The region codes of the analytic store's institutions (empty when it has none yet)."""
    import duckdb

    try:
        rows = con.execute(
            "SELECT DISTINCT region_code FROM institutions WHERE region_code IS NOT NULL ORDER BY 1"
        ).fetchall()
    except duckdb.CatalogException:
        return []
    return [str(row[0]) for row in rows]


def _sync_regions(session: Session, ctx: Context) -> int:
    """Register the regions (and their parents) of the store's institutions; the number added."""
    from sanjianguan.access.regions import ensure_region, list_regions

    before = len(list_regions(session))
    with ctx.store() as con:
        for code in _store_regions(con):
            ensure_region(session, code)
    return len(list_regions(session)) - before


def _register_region(session: Session, ctx: Context, code: str) -> None:
    """A region is known when registered, or when the store's institutions lie in it (then registered)."""
    from sanjianguan.access.regions import RegionCode, ensure_region, known_region
    from sanjianguan.workflow_db.models import Region

    area = RegionCode.parse(code)
    if session.get(Region, area.code) is None:
        with ctx.store() as con:
            inside = any(area.contains(RegionCode.parse(found)) for found in _store_regions(con))
        if inside:
            ensure_region(session, area.code)
    known_region(session, area.code)


def _user(session: Session, username: str) -> User:
    from sanjianguan.access import users
    from sanjianguan.errors import NotFoundError

    user = users.find_user(session, username)
    if user is None:
        raise NotFoundError(f"用户不存在：{username}", f"no such user: {username}")
    return user


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
    email: Annotated[
        str | None, typer.Option("--email", help="电子邮箱（消息的邮件渠道）/ email address for messages")
    ] = None,
) -> None:
    """新增用户 / add a user tied to a region or (role institution) to an institution."""
    from sanjianguan.access import users
    from sanjianguan.bootstrap import open_database

    ctx = state.context()
    parsed = users.parse_role(role)
    database = open_database(ctx.home, ctx.settings)
    try:
        with database.transaction() as session:
            if institution:
                _register_institution(session, ctx, institution)
            if region:
                _register_region(session, ctx, region)  # refused before the password is asked for
            user = users.create_user(
                session,
                username=username,
                password=_password(password_file),
                role=parsed,
                region_code=region,
                institution_id=institution,
                display_name=display_name,
                must_change_password=True,  # handed out: its user changes it at the first login
                email=email,
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
    from sanjianguan.bootstrap import open_database
    from sanjianguan.errors import NotFoundError

    ctx = state.context()
    database = open_database(ctx.home, ctx.settings)
    try:
        with database.transaction() as session:
            user = users.find_user(session, username)
            if user is None:
                raise NotFoundError(f"用户不存在：{username}", f"no such user: {username}")
            users.change_password(session, user, _password(password_file), must_change=True)
            typer.echo(f"已修改 / changed: {user.username}")
    finally:
        database.dispose()


@users_app.command("list")
def list_command(
    role: Annotated[str | None, typer.Option("--role", help="只列该角色 / only this role")] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="只列该区划及其下级 / only this region and inside it")
    ] = None,
) -> None:
    """用户列表 / the users: username, display name, role, region, institution, active."""
    from sanjianguan.access import users
    from sanjianguan.bootstrap import open_database

    ctx = state.context()
    parsed = users.parse_role(role) if role else None
    database = open_database(ctx.home, ctx.settings)
    try:
        with database.transaction() as session:
            found = users.list_users(session, role=parsed, region_code=region)
            _print_users(found)
    finally:
        database.dispose()


def _print_users(found: list[User]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"用户 / users: {len(found)}")
    for column in (
        "用户名 username",
        "显示名 name",
        "角色 role",
        "区划 region",
        "机构 institution",
        "启用 active",
    ):
        table.add_column(column, no_wrap=True)
    for user in found:
        table.add_row(
            user.username,
            user.display_name,
            user.role.value,
            user.region_code or "",
            user.institution_id or "",
            "是 yes" if user.is_active else "否 no",
        )
    Console(width=160).print(table)


def _toggle(username: str, *, active: bool) -> None:
    from sanjianguan.access import users
    from sanjianguan.bootstrap import open_database

    ctx = state.context()
    database = open_database(ctx.home, ctx.settings)
    try:
        with database.transaction() as session:
            user = _user(session, username)
            changed = users.set_active(session, user, active)
            word = ("已启用 / enabled" if active else "已停用 / disabled") if changed else "未变 / unchanged"
            typer.echo(f"{word}: {user.username}")
    finally:
        database.dispose()


@users_app.command("disable")
def disable(username: Annotated[str, typer.Argument(help="用户名 / username")]) -> None:
    """停用用户 / disable a user: it can no longer log in and its open sessions end (audited)."""
    _toggle(username, active=False)


@users_app.command("enable")
def enable(username: Annotated[str, typer.Argument(help="用户名 / username")]) -> None:
    """启用用户 / enable a disabled user again (it logs in anew; audited)."""
    _toggle(username, active=True)


@users_app.command("regions")
def regions_command(
    sync: Annotated[
        bool, typer.Option("--sync", help="先由分析库的机构登记区划 / first register the store's regions")
    ] = False,
) -> None:
    """已登记的行政区划 / the known regions (a user's `--region` must be one of them)."""
    from rich.console import Console
    from rich.table import Table

    from sanjianguan.access.regions import RegionCode, list_regions
    from sanjianguan.bootstrap import open_database

    ctx = state.context()
    database = open_database(ctx.home, ctx.settings)
    try:
        with database.transaction() as session:
            if sync:
                typer.echo(f"已登记 / registered: {_sync_regions(session, ctx)}")
            found = list_regions(session)
            table = Table(title=f"行政区划 / regions: {len(found)}")
            for column in ("代码 code", "级别 level", "名称 name"):
                table.add_column(column, no_wrap=True)
            for region in found:
                table.add_row(region.code, RegionCode(region.code).level.value, region.name)
            Console(width=160).print(table)
    finally:
        database.dispose()
