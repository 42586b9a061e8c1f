"""Jurisdiction: who sees which clue, for every kind of unit, on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import get_clue, institution_filter, visible_clues, visible_institutions
from sanjianguan.errors import NotFoundError
from sanjianguan.workflow_db.models import Institution
from tests.workflow_db.fixtures import seed_org

# c1: H1 in county 511502, c2: H2 in county 511503 (same city 511500), c3: H3 in 510104 (Chengdu).
EXPECTED = {
    "province": {"c1", "c2", "c3"},
    "auditor": {"c1", "c2", "c3"},
    "city": {"c1", "c2"},
    "adjudicator": {"c1", "c2"},
    "county": {"c1"},
    "investigator": {"c1"},
    "insurance": {"c2"},
    "other_city": {"c3"},
    "hospital1": {"c1"},
    "hospital2": {"c2"},
    "expert": {"c2"},
}


def test_every_unit_sees_exactly_its_clues(session: Session) -> None:
    org = seed_org(session)
    for name, expected in EXPECTED.items():
        seen = {c.id for c in session.execute(visible_clues(org.users[name])).scalars()}
        assert seen == expected, name


def test_outside_jurisdiction_is_not_found(session: Session) -> None:
    org = seed_org(session)
    assert get_clue(session, org.users["county"], "c1").id == "c1"
    for name, clue_id in (
        ("county", "c2"),
        ("hospital1", "c2"),
        ("expert", "c1"),
        ("city", "c3"),
        ("city", "nope"),
    ):
        with pytest.raises(NotFoundError):
            get_clue(session, org.users[name], clue_id)


def test_inactive_users_see_nothing(session: Session) -> None:
    org = seed_org(session)
    org.users["province"].is_active = False
    assert session.execute(visible_clues(org.users["province"])).first() is None


def test_institution_filter(session: Session) -> None:
    org = seed_org(session)
    from sqlalchemy import select

    def seen(name: str) -> set[str]:
        return set(
            session.execute(select(Institution.id).where(institution_filter(org.users[name]))).scalars()
        )

    assert seen("city") == {"H1", "H2"}
    assert seen("hospital2") == {"H2"}
    assert seen("expert") == set()


def test_visible_institutions_by_id_with_names(session: Session) -> None:
    org = seed_org(session)
    city = visible_institutions(session, org.users["city"])
    assert list(city) == ["H1", "H2"]
    assert all(city[i] for i in city)
    assert list(visible_institutions(session, org.users["hospital2"])) == ["H2"]
    assert visible_institutions(session, org.users["expert"]) == {}
