"""`sjg audit`: check the audit log's hash chain and its signed checkpoints, show its last events."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sanjianguan.cli.app import app, state

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sanjianguan.workflow_db.models import AuditEvent

# The key and checkpoint files' default places (as in sanjianguan.audit.anchor, which is
# imported lazily: it needs the database layer).
KEY_FILE = Path("keys") / "audit-hmac.key"
CHECKPOINT_FILE = "audit-checkpoints.jsonl"

audit_app = typer.Typer(no_args_is_help=True, help="审计日志 / audit log")
app.add_typer(audit_app, name="audit")


KeyOption = Annotated[
    Path | None,
    typer.Option("--key", help="签名密钥文件 / HMAC key file (default: <data folder>/keys/audit-hmac.key)"),
]
CheckpointsOption = Annotated[
    Path | None,
    typer.Option(
        "--checkpoints", help="检查点文件 / checkpoint file (default: <data folder>/audit-checkpoints.jsonl)"
    ),
]


@contextmanager
def _workflow() -> Iterator[Session]:
    """One transaction on the data folder's workflow store."""
    from sanjianguan.bootstrap import open_database

    ctx = state.context()
    database = open_database(ctx.home, ctx.settings)
    try:
        with database.transaction() as session:
            yield session
    finally:
        database.dispose()


def _paths(key: Path | None, checkpoints: Path | None) -> tuple[Path, Path]:
    home = state.context().home
    return key or home / KEY_FILE, checkpoints or home / CHECKPOINT_FILE


@audit_app.command("verify")
def verify(key: KeyOption = None, checkpoints: CheckpointsOption = None) -> None:
    """校验审计日志 / check the hash chain and every signed checkpoint: exit 0 if intact, 1 otherwise."""
    from sanjianguan.audit import anchor
    from sanjianguan.audit.verify import verify as verify_chain

    key_path, cp_path = _paths(key, checkpoints)
    with _workflow() as session:
        report = verify_chain(session)
        found = anchor.read_checkpoints(cp_path) if cp_path.exists() else []
        problems = anchor.check_checkpoints(session, found, anchor.load_key(key_path)) if found else []
    for p in problems:
        typer.secho(
            f"检查点不符 / checkpoint mismatch (第/line {p.line}, seq {p.seq}, {p.kind}): "
            f"{p.message_zh} / {p.message_en}",
            fg="red",
        )
    if report.broken is not None:
        bad = report.broken
        typer.secho(
            f"已损坏 / broken at seq {bad.seq} ({bad.kind}): {bad.message_zh} / {bad.message_en}", fg="red"
        )
    if report.broken is not None or problems:
        raise typer.Exit(1)
    typer.echo(f"完整 / intact: {report.rows} 行/rows, head {report.head_hash}")
    if found:
        typer.echo(f"检查点 / checkpoints: {len(found)} 个均相符 / all match ({cp_path})")
    else:
        typer.secho(
            f"警告 / warning: 没有检查点（{cp_path}），无法发现重算哈希链或截断，"
            "请运行 sjg audit checkpoint / "
            "\n"
            "no checkpoint: a re-hashed or truncated chain cannot be detected; run sjg audit checkpoint",
            fg="yellow",
        )


@audit_app.command("checkpoint")
def checkpoint(key: KeyOption = None, checkpoints: CheckpointsOption = None) -> None:
    """生成签名检查点 / sign the chain's current head and append it to the checkpoint file.

    The key is created on first use (keep a copy off this machine); copy the checkpoint
    file to another system after each run, so that it outlives this server.
    """
    from sanjianguan.audit import anchor
    from sanjianguan.audit.verify import verify as verify_chain
    from sanjianguan.workflow_db.base import utcnow

    key_path, cp_path = _paths(key, checkpoints)
    with _workflow() as session:
        report = verify_chain(session)
    made = anchor.make_checkpoint(report, anchor.load_key(key_path, create=True), utcnow())
    anchor.append_checkpoint(cp_path, made)
    typer.echo(f"检查点 / checkpoint: seq {made.seq}, head {made.hash} → {cp_path}")


@audit_app.command("tail")
def tail(limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="条数 / how many")] = 20) -> None:
    """最近的审计事件 / the last events, oldest first."""
    from sqlalchemy import select

    from sanjianguan.workflow_db.models import AuditEvent

    with _workflow() as session:
        query = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit)
        for row in reversed(session.execute(query).scalars().all()):
            typer.echo(_line(row))


def _line(row: AuditEvent) -> str:
    from sanjianguan.audit.chain import canonical

    when = row.occurred_at.isoformat(timespec="seconds")
    change = canonical({"before": row.before, "after": row.after, **row.payload})
    why = f" «{row.reason}»" if row.reason else ""
    return (
        f"{row.seq:>6} {when} {row.actor_name} {row.event} {row.subject_type}:{row.subject_id}{why} {change}"
    )
