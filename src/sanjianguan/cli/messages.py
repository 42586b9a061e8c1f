"""`sjg messages`: the message centre's outbound channels, run by hand (the scheduler runs the same).

`sjg messages deliver` sends the queued email and webhook deliveries that are due now,
with the `[messages]` settings of the data folder; a failure is retried on a later run
after `retry_minutes`, and dead-lettered after `max_attempts` (docs/messages.md).
"""

from __future__ import annotations

import typer

from sanjianguan.cli.app import app, state

# Services are imported inside each command: `sjg --help` must not load the database layer.

messages_app = typer.Typer(no_args_is_help=True, help="消息中心 / message centre: outbound delivery")
app.add_typer(messages_app, name="messages")


@messages_app.command("deliver")
def deliver() -> None:
    """外发 / send the queued email and webhook deliveries that are due (retries, dead letters)."""
    from sanjianguan.bootstrap import open_database
    from sanjianguan.messages.delivery import deliver_pending
    from sanjianguan.workflow_db.base import utcnow

    ctx = state.context()
    database = open_database(ctx.home, ctx.settings)
    try:
        report = deliver_pending(database, ctx.settings, utcnow())  # its own short transactions
    finally:
        database.dispose()
    typer.echo(
        f"已发送 / sent {len(report.sent)}, 待重试 / retrying {len(report.retrying)}, "
        f"死信 / dead {len(report.dead)}, 未启用的渠道 / skipped {len(report.skipped)}"
    )
