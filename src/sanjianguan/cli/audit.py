"""`sjg audit`: check the audit log's hash chain, show its last events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from sanjianguan.cli.app import app, state

if TYPE_CHECKING:
    from sanjianguan.db.models import AuditEvent

audit_app = typer.Typer(no_args_is_help=True, help="审计日志 / audit log")
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def verify() -> None:
    """校验审计日志 / check the hash chain: exit 0 if intact, 1 with the first bad row."""
    from sanjianguan.audit.verify import verify as verify_chain
    from sanjianguan.db.migrate import open_database

    ctx = state.context()
    database = open_database(ctx.home, ctx.settings)
    try:
        with database.transaction() as session:
            report = verify_chain(session)
    finally:
        database.dispose()
    if report.broken is None:
        typer.echo(f"完整 / intact: {report.rows} 行/rows, head {report.head_hash}")
        return
    bad = report.broken
    typer.secho(
        f"已损坏 / broken at seq {bad.seq} ({bad.kind}): {bad.message_zh} / {bad.message_en}", fg="red"
    )
    raise typer.Exit(1)


@audit_app.command("tail")
def tail(limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="条数 / how many")] = 20) -> None:
    """最近的审计事件 / the last events, oldest first."""
    from sqlalchemy import select

    from sanjianguan.db.migrate import open_database
    from sanjianguan.db.models import AuditEvent

    ctx = state.context()
    database = open_database(ctx.home, ctx.settings)
    try:
        with database.transaction() as session:
            rows = (
                session.execute(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit))
                .scalars()
                .all()
            )
            for row in reversed(rows):
                typer.echo(_line(row))
    finally:
        database.dispose()


def _line(row: AuditEvent) -> str:
    from sanjianguan.audit.chain import canonical

    when = row.occurred_at.isoformat(timespec="seconds")
    change = canonical({"before": row.before, "after": row.after, **row.payload})
    why = f" «{row.reason}»" if row.reason else ""
    return (
        f"{row.seq:>6} {when} {row.actor_name} {row.event} {row.subject_type}:{row.subject_id}{why} {change}"
    )
