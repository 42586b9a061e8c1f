"""Issue 10 item 10: a clue's history shows only the clue ids the viewer may see.

A city office pushes the city's month: the `case.pushed` event lists the clues of all its
counties. An investigator of one county reads it in a clue's history and must see only
their county's clue ids, in the list and in the self-check due dates.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from sanjianguan.cases import service
from sanjianguan.cases.views import _scoped, history
from sanjianguan.workflow_db.models import AuditEvent, User
from tests.workflow_db.fixtures import seed_org

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _user(session: Session, name: str) -> User:
    return session.query(User).filter_by(username=name).one()


def _pushed_payload(session: Session, viewer: str, clue_id: str) -> dict[str, Any]:
    events = history(session, _user(session, viewer), clue_id)
    pushed = [e for e in events if e["event"] == "case.pushed"]
    assert len(pushed) == 1
    return dict(pushed[0]["payload"])


def test_a_county_sees_only_its_clues_in_a_city_push(session: Session) -> None:
    seed_org(session)
    service.push_period(session, _user(session, "city"), "2026-02", "511500", now=NOW)
    session.commit()
    stored = session.query(AuditEvent).filter_by(event="case.pushed").one().payload
    assert sorted(stored["clue_ids"]) == ["c1", "c2"]  # the city push holds both counties
    county = _pushed_payload(session, "investigator", "c1")
    assert county["clue_ids"] == ["c1"]
    assert list(county["self_check_due"]) == ["c1"]
    city = _pushed_payload(session, "city", "c1")
    assert sorted(city["clue_ids"]) == ["c1", "c2"]


def test_strata_and_other_fields_keep_only_visible_clues(session: Session) -> None:
    seed_org(session)
    item = {
        "event": "case.sample_drawn",
        "payload": {
            "period": "2026-02",
            "population": ["c1", "c2", "legacy-id-of-another-county"],
            "strata": {"H1|R": ["c1"], "H2|R": ["c2"]},
            "drawn": ["c2"],
            "note": ["c2", "c1", "free text"],
        },
    }
    scoped = _scoped(session, _user(session, "investigator"), item)["payload"]
    assert scoped == {
        "period": "2026-02",
        "population": ["c1"],
        "strata": {"H1|R": ["c1"]},
        "drawn": [],
        "note": ["c1", "free text"],
    }
