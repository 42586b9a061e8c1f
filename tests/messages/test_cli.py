"""`sjg messages deliver`: the queued deliveries of a data folder, sent with its `[messages]` settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from sanjianguan.bootstrap import open_database
from sanjianguan.cli import _register
from sanjianguan.cli.app import app
from sanjianguan.config import load_settings
from sanjianguan.context import Context
from sanjianguan.messages import service
from sanjianguan.messages.kinds import MessageKind
from sanjianguan.workflow_db.base import utcnow
from sanjianguan.workflow_db.models import Delivery
from tests.messages.test_webhook import Gateway
from tests.workflow_db.fixtures import seed_org


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    found = Gateway()
    yield found
    found.close()


def test_deliver_sends_the_due_deliveries_with_the_folders_settings(ctx: Context, gateway: Gateway) -> None:
    ctx.home.mkdir(parents=True, exist_ok=True)
    (ctx.home / "sjg.toml").write_text(f'[messages]\nwebhook_url = "{gateway.url}"\n', encoding="utf-8")
    database = open_database(ctx.home, load_settings(ctx.home))
    try:
        with database.sessions() as session:
            org = seed_org(session)  # commits
            service.notify(
                session, [org.users["hospital1"]], MessageKind.NOTICE_ISSUED, title="收到文书", body="告知书",
                link="/documents", now=utcnow(), subject="notice:1",
            )  # fmt: skip
            session.commit()
    finally:
        database.dispose()
    _register()
    result = CliRunner().invoke(app, ["--home", str(ctx.home), "messages", "deliver"])
    assert result.exit_code == 0, result.output
    assert "已发送 / sent 1" in result.output
    assert [p["title"] for p in gateway.received] == ["收到文书"]
    database = open_database(ctx.home, load_settings(ctx.home))
    try:
        with database.sessions() as session:
            assert session.scalars(select(Delivery.status)).all() == ["sent"]
    finally:
        database.dispose()


def test_a_bad_webhook_url_is_a_settings_error(ctx: Context) -> None:
    ctx.home.mkdir(parents=True, exist_ok=True)
    (ctx.home / "sjg.toml").write_text('[messages]\nwebhook_url = "ftp://x"\n', encoding="utf-8")
    from sanjianguan.errors import ConfigError

    with pytest.raises(ConfigError, match=r"messages\.webhook_url"):
        load_settings(ctx.home)
