"""The webhook channel against a tiny HTTP server on loopback: JSON out, retries, dead letter."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.config import MessagesSettings
from sanjianguan.messages import service
from sanjianguan.messages.delivery import deliver_pending
from sanjianguan.messages.kinds import MessageKind
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent, Delivery
from tests.workflow_db.fixtures import Clock, Org, seed_org


class Gateway:
    """A loopback HTTP server that records each POSTed JSON and answers `status` (after `on_post`)."""

    def __init__(self, on_post: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = 200
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                posted = json.loads(self.rfile.read(length))
                if on_post is not None:
                    on_post(posted)  # before answering: the sender is waiting meanwhile
                gateway.received.append(posted)
                self.send_response(gateway.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    found = Gateway()
    yield found
    found.close()


@pytest.fixture
def org(session: Session) -> Org:
    return seed_org(session)


def _send(session: Session, org: Org, clock: Clock) -> None:
    service.notify(
        session,
        [org.users["hospital1"]],
        MessageKind.NEW_CLUES,
        title="新推送线索 2 条（2026-02）",
        body="线索 c1、c9",
        link="/workbench",
        now=clock.now,
        subject="push:1",
    )
    session.commit()


def _webhook(session: Session) -> Delivery:
    session.rollback()  # end the test's read transaction: see what the runs committed
    session.expire_all()
    return session.scalars(select(Delivery).where(Delivery.channel == "webhook")).one()


def test_the_webhook_posts_the_message_as_json(
    session: Session, database: Database, org: Org, clock: Clock, gateway: Gateway
) -> None:
    _send(session, org, clock)
    report = deliver_pending(database, MessagesSettings(webhook_url=gateway.url), clock.now)
    session.commit()
    assert len(report.sent) == 1
    (posted,) = gateway.received
    assert posted["kind"] == "new_clues"
    assert posted["kind_zh"] == "新推送线索"
    assert posted["title"] == "新推送线索 2 条（2026-02）"
    assert posted["link"] == "/workbench"
    assert posted["recipient"]["username"] == "hospital1"
    assert _webhook(session).status == "sent"
    assert deliver_pending(database, MessagesSettings(webhook_url=gateway.url), clock.now).sent == []  # once


def test_a_failing_gateway_is_retried_after_the_delay_then_dead_lettered(
    session: Session, database: Database, org: Org, clock: Clock, gateway: Gateway
) -> None:
    _send(session, org, clock)
    gateway.status = 500
    config = MessagesSettings(webhook_url=gateway.url, max_attempts=3, retry_minutes=10)
    now = clock.now
    assert len(deliver_pending(database, config, now).retrying) == 1
    row = _webhook(session)
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 1, now + timedelta(minutes=10))
    assert "500" in (row.last_error or "")
    assert deliver_pending(database, config, now + timedelta(minutes=9)).retrying == []  # not yet due
    assert len(gateway.received) == 1
    assert len(deliver_pending(database, config, now + timedelta(minutes=10)).retrying) == 1
    report = deliver_pending(database, config, now + timedelta(minutes=20))
    session.commit()
    assert len(report.dead) == 1
    assert len(gateway.received) == 3
    row = _webhook(session)
    assert (row.status, row.attempts) == ("dead", 3)
    assert "500" in (row.last_error or "")
    dead = session.scalars(select(AuditEvent).where(AuditEvent.event == "message.delivery_dead")).one()
    assert dead.actor_name == "system"
    assert dead.payload["attempts"] == 3
    gateway.status = 200
    assert deliver_pending(database, config, now + timedelta(days=1)).sent == []  # dead stays dead


def test_a_gateway_that_recovers_gets_the_message_on_the_retry(
    session: Session, database: Database, org: Org, clock: Clock, gateway: Gateway
) -> None:
    _send(session, org, clock)
    gateway.status = 503
    config = MessagesSettings(webhook_url=gateway.url, retry_minutes=5)
    deliver_pending(database, config, clock.now)
    gateway.status = 200
    assert len(deliver_pending(database, config, clock.now + timedelta(minutes=5)).sent) == 1
    row = _webhook(session)
    assert (row.status, row.attempts) == ("sent", 2)


def test_a_channel_that_is_off_is_skipped(
    session: Session, database: Database, org: Org, clock: Clock
) -> None:
    _send(session, org, clock)
    report = deliver_pending(database, MessagesSettings(), clock.now)
    assert len(report.skipped) == 1
    assert _webhook(session).status == "skipped"
