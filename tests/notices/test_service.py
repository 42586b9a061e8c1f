"""出具文书: numbering, idempotence, immutability, audit, scope, and each kind read back."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import select

from sanjianguan.audit.verify import verify as verify_chain
from sanjianguan.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from sanjianguan.notices.kinds import NoticeKind
from sanjianguan.reports.notices import issue_notice, notice_file
from sanjianguan.reports.official.document import table_texts
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent, OfficialNotice, User, Vote
from tests.notices.world import World, make_world
from tests.workflow_db.fixtures import Clock

K = NoticeKind


@pytest.fixture
def world(database: Database, clock: Clock, tmp_path: Path) -> World:
    return make_world(database, clock, tmp_path / "home")


def issue(w: World, who: str, kind: NoticeKind, subject: str, **kw: object) -> OfficialNotice:
    notice: OfficialNotice = w.h.run(who, issue_notice, kind, subject, now=w.clock.now, **kw)
    return notice


def read_back(w: World, who: str, notice_id: int) -> tuple[bytes, str, dict[str, str]]:
    """The stored file as `who` downloads it: bytes, whole text, and the 基本情况 table."""
    document = w.h.run(who, notice_file, notice_id)
    doc = Document(io.BytesIO(document.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    rows = {row[0]: row[1] for row in table_texts(doc.tables[0])[1:]}
    return document.content, text, rows


def test_first_notice_is_numbered_one_with_the_region_prefix(world: World) -> None:
    notice = issue(world, "county", K.NOTIFICATION, "n1")
    assert notice.number == "翠三监告〔2026〕1号"
    assert (notice.seq, notice.year, notice.region_code, notice.recipient_id) == (1, 2026, "511502", "H1")


def test_numbers_run_per_kind_and_restart_in_a_new_year(world: World) -> None:
    first = issue(world, "county", K.NOTIFICATION, "n1")
    second = issue(world, "county", K.VERIFICATION, "n1")  # another kind: its own sequence
    third = issue(world, "county", K.ADJUDICATION, "n1")
    points = [issue(world, "county", K.POINTS, s) for s in (world.staff_points, world.institution_points)]
    assert [first.seq, second.seq, third.seq] == [1, 1, 1]
    assert [p.number for p in points] == ["翠三监分〔2026〕1号", "翠三监分〔2026〕2号"]
    world.clock.now = datetime(2027, 1, 4, 2, 0, tzinfo=UTC)
    nxt = issue(world, "county", K.INTERVIEW, world.interview)
    later = issue(world, "county", K.ACCOUNTABILITY, world.proposal)
    assert (nxt.number, later.number) == ("翠三监谈〔2027〕1号", "翠三监追〔2027〕1号")


def test_configured_prefix_and_regions_are_independent(world: World) -> None:
    county = issue(world, "county", K.POINTS, world.staff_points, prefixes={"511502": "叙"})
    city = issue(world, "city", K.POINTS, world.institution_points)  # the city office: its own register
    assert county.number == "叙三监分〔2026〕1号"
    assert (city.region_code, city.seq) == ("511500", 1)
    assert city.number.endswith("三监分〔2026〕1号")
    assert city.number != county.number


def test_issuing_twice_returns_the_first_notice(world: World) -> None:
    first = issue(world, "county", K.NOTIFICATION, "n1")
    again = issue(world, "county", K.NOTIFICATION, "n1")
    assert again.id == first.id
    with world.h.database.sessions() as s:
        assert len(s.scalars(select(OfficialNotice)).all()) == 1
        assert len(s.scalars(select(AuditEvent).where(AuditEvent.event == "notice.issued")).all()) == 1


def test_bytes_are_immutable_and_their_hash_is_audited(world: World) -> None:
    notice = issue(world, "county", K.NOTIFICATION, "n1")
    world.h.later(days=3)
    content, _, _ = read_back(world, "county", notice.id)
    again, _, _ = read_back(world, "hospital1", notice.id)
    digest = hashlib.sha256(content).hexdigest()
    assert content == again
    assert digest == notice.sha256
    with world.h.database.sessions() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.event == "notice.issued")).one()
        assert event.payload["sha256"] == digest
        assert event.payload["number"] == notice.number
        assert (event.payload["kind"], event.payload["subject"]) == ("notification", "n1")
        assert verify_chain(s).ok


def test_recipient_downloads_another_institution_does_not(world: World) -> None:
    notice = issue(world, "county", K.NOTIFICATION, "n1")
    assert world.h.run("hospital1", notice_file, notice.id).content
    with pytest.raises(NotFoundError):
        world.h.run("hospital2", notice_file, notice.id)
    with pytest.raises(PermissionDeniedError):
        world.h.run("investigator", notice_file, notice.id)


def test_scope_and_state_are_checked(world: World) -> None:
    with pytest.raises(NotFoundError):  # H2's clue, another county: does not exist for this office
        issue(world, "county", K.NOTIFICATION, "c2")
    with pytest.raises(ConflictError) as refused:  # c1 was never decided
        issue(world, "county", K.NOTIFICATION, "c1")
    assert refused.value.code == "notice_not_applicable"
    with pytest.raises(PermissionDeniedError):
        issue(world, "hospital1", K.NOTIFICATION, "n1")
    with pytest.raises(InvalidInputError):
        world.h.run("county", issue_notice, "memo", "n1", now=world.clock.now)
    with pytest.raises(ConflictError):  # c1 has no responsibility notice
        issue(world, "county", K.RECTIFICATION, "c1")
    with pytest.raises(InvalidInputError):  # a point record's id is a number
        issue(world, "county", K.POINTS, "n1")


def test_each_kind_reads_back_with_its_facts(world: World) -> None:
    subjects = {
        K.NOTIFICATION: "n1",
        K.RECTIFICATION: "n1",
        K.VERIFICATION: "n1",
        K.ADJUDICATION: "n1",
        K.ACCOUNTABILITY: world.proposal,
        K.INTERVIEW: world.interview,
        K.POINTS: world.staff_points,
    }
    for kind, subject in subjects.items():
        notice = issue(world, "county", kind, subject)
        _, text, rows = read_back(world, "hospital1", notice.id)
        assert notice.number in text, kind
        assert "H1 医院" in text, kind  # the recipient
        assert notice.title in text, kind
        expect = KEY_FACTS[kind]
        for label, value in expect.items():
            assert rows[label] == value, (kind, label)


KEY_FACTS: dict[NoticeKind, dict[str, str]] = {
    K.NOTIFICATION: {
        "线索编号": "n1",
        "认定结论": "不合理",
        "认定依据": "专家裁定",
        "涉及金额": "1,234.56元",
        "患者（脱敏编号）": "PAT-n1",
    },
    K.RECTIFICATION: {"线索编号": "n1"},
    K.VERIFICATION: {"核实结论": "与自查不一致", "机构自查结论": "不属实"},
    K.ADJUDICATION: {"认定不合理票数": "2", "认定合理票数": "1", "裁定结果": "不合理", "合议专家人数": "3"},
    K.ACCOUNTABILITY: {
        "追责措施": "约谈医师",
        "从轻/减轻/从重": "从轻、减轻处理",
        "认定有问题次数": "4次（条件：3次以上）",
    },
    K.INTERVIEW: {"约谈日期": "2026年03月10日"},
    K.POINTS: {"记分分值": "4分", "被记分人（脱敏编号）": "DOC-n1", "责任程度": "主要"},
}


def test_deadlines_come_from_the_workflow(world: World) -> None:
    from sanjianguan.workflow_db.models import Deadline

    notice = issue(world, "county", K.NOTIFICATION, "n1")
    rect = issue(world, "county", K.RECTIFICATION, "n1")
    with world.h.database.sessions() as s:
        dues = {d.step: d.due_on for d in s.scalars(select(Deadline).where(Deadline.clue_id == "n1"))}
    _, text, rows = read_back(world, "county", notice.id)
    assert rows["申诉截止日期"] == f"{dues['appeal']:%Y年%m月%d日}"
    assert "7个工作日" in text
    _, _, rect_rows = read_back(world, "county", rect.id)
    assert rect_rows["整改报送期限"] == f"{dues['rectification']:%Y年%m月%d日}"


def test_the_ruling_report_names_no_expert(world: World) -> None:
    notice = issue(world, "county", K.ADJUDICATION, "n1")
    content, text, rows = read_back(world, "county", notice.id)
    author = Document(io.BytesIO(content)).core_properties.author
    with world.h.database.sessions() as s:
        voters = [s.get(User, v.expert_user_id) for v in s.scalars(select(Vote).where(Vote.clue_id == "n1"))]
    assert len(voters) == 3
    assert all(v is not None and v.username not in (author or "") for v in voters)
    whole = text + "\n" + "\n".join(f"{k} {v}" for k, v in rows.items())
    for voter in voters:
        assert voter is not None
        assert voter.username not in whole
        assert f"{voter.id}号专家" not in whole
        assert (voter.display_name or voter.username) not in whole


def test_lists_hold_what_each_may_see(world: World) -> None:
    from sanjianguan.notices.service import list_notices

    mine = issue(world, "county", K.NOTIFICATION, "n1")
    assert [n.id for n in world.h.run("county", list_notices)] == [mine.id]
    assert [n.id for n in world.h.run("city", list_notices)] == [mine.id]  # the office above
    assert [n.id for n in world.h.run("hospital1", list_notices)] == [mine.id]
    assert world.h.run("hospital2", list_notices) == []


def test_a_prefix_shared_by_two_regions_is_refused_with_the_reason(world: World) -> None:
    issue(world, "county", K.POINTS, world.staff_points)  # 翠三监分〔2026〕1号
    with pytest.raises(ConflictError) as clash:
        issue(world, "city", K.POINTS, world.institution_points, prefixes={"511500": "翠"})
    assert clash.value.code == "notice_prefix_clash"
    assert "[notices] prefixes" in clash.value.message_zh
