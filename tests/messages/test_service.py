"""messages.service: one message per recipient, dedup by subject, muting, reading, scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sanjianguan.errors import InvalidInputError
from sanjianguan.messages import service
from sanjianguan.messages.kinds import MessageKind
from sanjianguan.workflow_db.models import AuditEvent, Delivery, Message, User
from tests.workflow_db.fixtures import Clock, Org, seed_org


@pytest.fixture
def org(session: Session) -> Org:
    return seed_org(session)


def _send(session: Session, users: list[User], clock: Clock, subject: str | None = "s1") -> list[Message]:
    return service.notify(
        session,
        users,
        MessageKind.NEW_CLUES,
        title="新推送线索 1 条",
        body="线索 c1",
        link="/workbench",
        now=clock.now,
        subject=subject,
    )


def test_one_message_per_recipient_and_never_twice_for_a_subject(
    session: Session, org: Org, clock: Clock
) -> None:
    h1, h2 = org.users["hospital1"], org.users["hospital2"]
    first = _send(session, [h1, h2, h1], clock)
    assert [m.user_id for m in first] == [h1.id, h2.id]
    assert _send(session, [h1, h2], clock) == []  # the same subject again: nothing new
    assert len(_send(session, [h1], clock, subject="s2")) == 1
    assert len(_send(session, [h1], clock, subject=None)) == 1
    assert len(_send(session, [h1], clock, subject=None)) == 1  # no subject: no dedup
    session.commit()
    counts = dict(session.execute(select(Message.user_id, func.count()).group_by(Message.user_id)).all())
    assert counts == {h1.id: 4, h2.id: 1}


def test_each_message_is_queued_for_the_webhook_and_for_email_when_there_is_an_address(
    session: Session, org: Org, clock: Clock
) -> None:
    h1, h2 = org.users["hospital1"], org.users["hospital2"]
    h1.email = "hospital1@example.org"
    _send(session, [h1, h2], clock)
    session.commit()
    rows = session.execute(
        select(Message.user_id, Delivery.channel, Delivery.status).join(
            Message, Message.id == Delivery.message_id
        )
    ).all()
    assert sorted(rows) == sorted(
        [(h1.id, "webhook", "pending"), (h1.id, "email", "pending"), (h2.id, "webhook", "pending")]
    )


def test_a_muted_kind_is_not_sent_and_deadline_kinds_cannot_be_muted(
    session: Session, org: Org, clock: Clock
) -> None:
    h1, h2 = org.users["hospital1"], org.users["hospital2"]
    assert service.set_muted(session, h1, ["new_clues"], now=clock.now) == {MessageKind.NEW_CLUES}
    assert [m.user_id for m in _send(session, [h1, h2], clock)] == [h2.id]
    for kind in (MessageKind.DEADLINE_SOON, MessageKind.OVERDUE):
        with pytest.raises(InvalidInputError) as refused:
            service.set_muted(session, h1, [MessageKind.NEW_CLUES, kind], now=clock.now)
        assert refused.value.code == "unmutable_kind"
        assert "不能关闭" in refused.value.message_zh
    assert service.muted_kinds(session, h1) == {MessageKind.NEW_CLUES}  # the refusal changed nothing
    with pytest.raises(InvalidInputError):
        service.set_muted(session, h1, ["no_such_kind"], now=clock.now)
    service.set_muted(session, h1, [], now=clock.now)  # on again
    assert len(_send(session, [h1], clock, subject="s9")) == 1
    session.commit()
    events = session.scalars(select(AuditEvent).where(AuditEvent.event == "message.preferences_changed"))
    assert [e.payload["muted"] for e in events] == [["new_clues"], []]


def test_an_unmutable_kind_reaches_a_user_even_with_a_stored_mute(
    session: Session, org: Org, clock: Clock
) -> None:
    """A mute row written by other means (an old version, SQL) does not silence a deadline."""
    from sanjianguan.workflow_db.models import MessagePreference

    h1 = org.users["hospital1"]
    session.add(MessagePreference(user_id=h1.id, kind="overdue", muted=True))
    sent = service.notify(
        session, [h1], MessageKind.OVERDUE, title="已逾期", body="x", link=None, now=clock.now, subject="o"
    )
    assert len(sent) == 1


def test_list_and_mark_read_see_only_the_users_own_messages(session: Session, org: Org, clock: Clock) -> None:
    h1, h2 = org.users["hospital1"], org.users["hospital2"]
    mine = [
        m.id for m in _send(session, [h1], clock, subject=None) + _send(session, [h1], clock, subject=None)
    ]
    (theirs,) = [m.id for m in _send(session, [h2], clock)]
    page = service.list_messages(session, h1)
    assert [m.id for m in page.items] == sorted(mine, reverse=True)
    assert page.unread == 2
    assert service.mark_read(session, h1, [mine[0], theirs], now=clock.now) == 1  # another's id: ignored
    assert service.unread_count(session, h2) == 1
    assert service.unread_count(session, h1) == 1
    assert [m.id for m in service.list_messages(session, h1, unread_only=True).items] == [mine[1]]
    assert service.mark_read(session, h1, [mine[0]], now=clock.now) == 0  # already read
    assert len(service.list_messages(session, h1, limit=1).items) == 1
    assert service.mark_all_read(session, h1, now=clock.now) == 1
    assert (service.unread_count(session, h1), service.unread_count(session, h2)) == (0, 1)


def test_recipients_are_the_active_users_of_the_unit(session: Session, org: Org) -> None:
    assert [u.username for u in service.recipients_of_institution(session, "H1")] == ["hospital1"]
    assert [u.username for u in service.recipients_of_region_office(session, "511502")] == ["county"]
    assert service.recipients_of_region_office(session, "511503") == []  # the insurance user is no office
    org.users["hospital1"].is_active = False
    session.flush()
    assert service.recipients_of_institution(session, "H1") == []


def test_the_list_is_newest_first_by_when_it_was_sent(session: Session, org: Org, clock: Clock) -> None:
    """A message stamped earlier (e.g. by a job catching up) sorts by its time, not its id."""
    h1 = org.users["hospital1"]
    later, earlier = clock.now, clock.now - timedelta(days=30)
    for title, when in (("后", later), ("先", earlier)):
        service.notify(
            session, [h1], MessageKind.OVERDUE, title=title, body="x", link=None, now=when, subject=title
        )
    assert [m.title for m in service.list_messages(session, h1).items] == ["后", "先"]
