"""县区月报盖章扫描件: on time by the 10th, refusals with the reason, audited, the city's status."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from sanjianguan.cases.evidence import Upload
from sanjianguan.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from sanjianguan.submissions.county_returns import due_on, receive_scan, scan_status, scan_store, scans_of
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent, CountyReturnScan, Role
from tests.cases.harness import PDF, PNG, Harness, make_harness
from tests.reports.county.world import at
from tests.workflow_db.fixtures import Clock, _user

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16


@pytest.fixture
def h(database: Database, clock: Clock, tmp_path: Path) -> Harness:
    harness = make_harness(database, clock, tmp_path / "home")
    with database.transaction() as session:
        harness.org.users["county2"] = _user(session, "county2", Role.OFFICE, "511503", None)
    return harness


def upload(
    h: Harness, name: str, data: bytes, when: date, hour: int = 10, user: str = "county"
) -> CountyReturnScan:
    store = scan_store(h.store.root.parent, 1024)
    return h.run(user, receive_scan, "511502", "2026-03", Upload(name, data), store=store, now=at(when, hour))


def test_due_by_the_10th_of_the_next_month() -> None:
    assert (due_on("2026-03"), due_on("2026-12")) == (date(2026, 4, 10), date(2027, 1, 10))


def test_on_time_on_the_10th_late_on_the_11th(h: Harness) -> None:
    first = upload(h, "附件1盖章.png", PNG, date(2026, 4, 10), hour=23)  # 23:00 China time, still the 10th
    assert (first.on_time, first.due_on, first.media_type) == (True, date(2026, 4, 10), "image/png")
    stored = h.store.root.parent / first.stored_path
    assert stored.read_bytes() == PNG
    second = upload(h, "附件1盖章.pdf", PDF, date(2026, 4, 11), hour=0)  # 00:00 China time of the 11th
    assert second.on_time is False
    with h.database.sessions() as session:
        receipts = scans_of(session, h.user(session, "county"), "511502", "2026-03")
        assert [r.id for r in receipts] == [second.id, first.id]  # the latest first (it counts)
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.event == "report.county_return_scan_received")
        ).all()
        assert [(e.subject_id, e.payload["on_time"]) for e in events] == [
            ("511502/2026-03", True),
            ("511502/2026-03", False),
        ]


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("盖章.png", b"just some text, not an image", "file_type_not_allowed"),  # a .txt renamed .png
        ("盖章.txt", b"text", "file_type_not_allowed"),
        ("盖章.docx", PDF, "file_type_not_allowed"),  # evidence may be Office files, a scan may not
        ("盖章.jpg", JPEG + b"\x00" * 1024, "file_too_large"),  # over the limit (1 KB here)
    ],
)
def test_refused_with_the_reason(h: Harness, name: str, data: bytes, code: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        upload(h, name, data, date(2026, 4, 2))
    assert refused.value.code == code
    assert refused.value.message_zh
    assert refused.value.message_en
    with h.database.sessions() as session:
        assert session.scalars(select(CountyReturnScan)).all() == []


def test_only_the_countys_own_office_after_the_month(h: Harness) -> None:
    with pytest.raises(NotFoundError):
        upload(h, "a.png", PNG, date(2026, 4, 2), user="county2")  # another county
    with pytest.raises(InvalidInputError) as refused:
        upload(h, "a.png", PNG, date(2026, 4, 2), user="city")
    assert refused.value.code == "scan_by_county_office"
    with pytest.raises(PermissionDeniedError):
        upload(h, "a.png", PNG, date(2026, 4, 2), user="hospital1")
    with pytest.raises(InvalidInputError) as early:
        upload(h, "a.png", PNG, date(2026, 3, 31))
    assert early.value.code == "period_not_closed"
    assert upload(h, "a.jpg", JPEG, date(2026, 4, 2)).media_type == "image/jpeg"


def test_the_city_sees_each_countys_status(h: Harness) -> None:
    upload(h, "a.png", PNG, date(2026, 4, 12))
    with h.database.sessions() as session:
        city = h.user(session, "city")
        before = {
            s.region_code: s.status for s in scan_status(session, city, "2026-03", today=date(2026, 4, 5))
        }
        after = {s.region_code: s for s in scan_status(session, city, "2026-03", today=date(2026, 4, 12))}
        own = scan_status(session, h.user(session, "county2"), "2026-03", today=date(2026, 4, 12))
    assert before == {"511502": "late", "511503": "pending"}
    assert after["511503"].status == "missing"
    assert after["511503"].received_at is None
    assert (after["511502"].status_zh, after["511502"].uploads, after["511502"].filename) == (
        "逾期报送",
        1,
        "a.png",
    )
    assert [s.region_code for s in own] == ["511503"]
