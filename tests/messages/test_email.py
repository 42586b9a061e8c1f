"""The email channel against a local SMTP server (aiosmtpd) on loopback: UTF-8, Chinese subject."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.config import MessagesSettings
from sanjianguan.messages import service
from sanjianguan.messages.delivery import deliver_pending
from sanjianguan.messages.kinds import MessageKind
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import Delivery
from tests.workflow_db.fixtures import Clock, Org, seed_org

TITLE = "请限期提供证明材料：线索 XSBCDFGH"
BODY = "请于 2026-03-23 前提供病程记录。"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Mailbox:
    """What the local SMTP server received: (envelope recipients, the parsed message)."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        parsed = message_from_bytes(raw, policy=email_policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    from aiosmtpd.controller import Controller

    mailbox, port = Mailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


@pytest.fixture
def org(session: Session) -> Org:
    return seed_org(session)


def _send(session: Session, org: Org, clock: Clock) -> None:
    hospital = org.users["hospital1"]
    hospital.email = "hospital1@example.org"
    service.notify(
        session,
        [hospital],
        MessageKind.MATERIALS_REQUESTED,
        title=TITLE,
        body=BODY,
        link="/clues/XSBCDFGH",
        now=clock.now,
        subject="evidence:XSBCDFGH",
    )
    session.commit()


def _email(session: Session) -> Delivery:
    session.rollback()  # end the test's read transaction: see what the runs committed
    session.expire_all()
    return session.scalars(select(Delivery).where(Delivery.channel == "email")).one()


def test_the_email_arrives_with_its_chinese_subject(
    session: Session, database: Database, org: Org, clock: Clock, smtp: tuple[Mailbox, int]
) -> None:
    mailbox, port = smtp
    _send(session, org, clock)
    config = MessagesSettings(
        email_enabled=True, smtp_host="127.0.0.1", smtp_port=port, smtp_from="sjg@example.org"
    )
    report = deliver_pending(database, config, clock.now)
    session.commit()
    assert len(report.sent) == 1
    assert len(report.skipped) == 1  # the webhook: no URL configured
    (recipients, mail), *_ = mailbox.received
    assert recipients == ["hospital1@example.org"]
    assert mail["Subject"] == TITLE
    assert mail["From"] == "sjg@example.org"
    part = mail.get_body(("plain",))
    assert part is not None
    assert part.get_content_charset() == "utf-8"
    text = part.get_content()
    assert BODY in text
    assert "/clues/XSBCDFGH" in text
    assert _email(session).status == "sent"


def test_an_smtp_server_that_does_not_answer_is_retried_then_dead_lettered(
    session: Session, database: Database, org: Org, clock: Clock
) -> None:
    _send(session, org, clock)
    config = MessagesSettings(
        email_enabled=True, smtp_host="127.0.0.1", smtp_port=free_port(), max_attempts=2, retry_minutes=30
    )
    assert len(deliver_pending(database, config, clock.now).retrying) == 1
    row = _email(session)
    assert (row.status, row.attempts) == ("pending", 1)
    assert "Connection" in (row.last_error or "") or "refused" in (row.last_error or "")
    assert len(deliver_pending(database, config, clock.now + timedelta(minutes=30)).dead) == 1
    assert _email(session).status == "dead"
