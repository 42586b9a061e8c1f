"""Issue 10 item 1: clue ids carry no identity; old ids still resolve for those who may see them.

Before, a clue's id was its stable derivation (`hit-<hit_id>`,
`indicator-<period>.<institution>.<indicator>`): an expert read the institution in it.
Now every clue's id is `XS` + 16 random base32 characters; generation stays idempotent
through the internal stable key (`source_kind`, `source_id`). Migration 0006 renames the
clues of an existing store (every column holding clue ids, on SQLite and PostgreSQL),
keeps the old ids in `clue_aliases` and leaves the audit chain as it was.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from sanjianguan.audit.verify import verify
from sanjianguan.bootstrap import upgrade
from sanjianguan.cases import service
from sanjianguan.cases.evidence import EvidenceStore
from sanjianguan.cases.states import SelfCheckOutcome
from sanjianguan.cases.views import history
from sanjianguan.clues.generate import generate_clues
from sanjianguan.clues.ids import is_opaque, resolve_clue_id
from sanjianguan.context import Context
from sanjianguan.indicators.results_table import ensure_tables as ensure_indicator_tables
from sanjianguan.messages import hooks
from sanjianguan.rules.hits_table import HIT_COLUMNS, ensure_tables
from sanjianguan.web.app import create_app
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.migrate import alembic_config, current, head
from sanjianguan.workflow_db.models import (
    AccountabilityProposal,
    Adjudication,
    AuditEvent,
    Clue,
    ClueAlias,
    Deadline,
    ExpertAssignment,
    ExpertConflict,
    SelfCheck,
    User,
    Vote,
)
from tests.services import unavailable
from tests.workflow_db.fixtures import (
    BACKENDS,
    PASSWORD,
    Clock,
    create_pg_database,
    drop_pg_database,
    pg_database_url,
    sample_clue,
    seed_org,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
INDICATOR_ID = "indicator-2026-02.H1.outpatient_appointment_rate"  # names 翠屏区's H1
HIT_ID = "hit-0f3a9c2e5b7d4e6f8a1b2c3d4e5f6a7b"


# --- new clues: opaque ids, idempotent through the stable key ------------------------------


def _add_hit(con: duckdb.DuckDBPyConnection, hit_id: str, rule_id: str, institution: str) -> None:
    values: dict[str, Any] = dict.fromkeys(HIT_COLUMNS)
    values |= {
        "hit_id": hit_id,
        "run_id": "run-1",
        "rule_id": rule_id,
        "rule_name": "规则",
        "category": "fee",
        "grade": "1",
        "period": "2026-02",
        "hit_key": hit_id,
        "institution_id": institution,
        "event_date": date(2026, 2, 3),
        "amount_involved": Decimal("12.30"),
        "evidence": json.dumps({"items": ["A"]}),
    }
    marks = ", ".join("?" for _ in HIT_COLUMNS)
    con.execute(
        f"INSERT INTO hits ({', '.join(HIT_COLUMNS)}) VALUES ({marks})", [values[c] for c in HIT_COLUMNS]
    )


def _add_failing_indicator(con: duckdb.DuckDBPyConnection, institution: str, indicator: str) -> None:
    con.execute(
        "INSERT INTO indicator_values (period, period_kind, level, institution_id, indicator, "
        "indicator_name, indicator_group, value, target, failing, failing_reason) "
        "VALUES ('2026-02', 'month', 'institution', ?, ?, '指标', '2B', 0.75, 0.6, true, 'target')",
        [institution, indicator],
    )


RULES = ("T07", "C12", "R03", "D01", "S04")
INDICATORS = ("outpatient_appointment_rate", "inpatient_antibiotic_rate", "drug_share")


def test_generated_ids_name_no_institution_period_rule_or_indicator(session: Session, ctx: Context) -> None:
    institutions = [f"H51150{n}{k:05d}" for n in (2, 3) for k in range(1, 8)]
    with ctx.store() as con:
        ensure_tables(con)
        ensure_indicator_tables(con)
        for inst in institutions:
            con.execute(
                "INSERT INTO institutions (institution_id, name, region_code, level, category) "
                "VALUES (?, ?, ?, 2, '综合医院')",
                [inst, f"{inst} 医院", inst[1:7]],
            )
            for rule in RULES:
                _add_hit(con, f"{rule}{inst}".lower(), rule, inst)
            for indicator in INDICATORS:
                _add_failing_indicator(con, inst, indicator)
        first = generate_clues(session, con, "2026-02", now=NOW)
        again = generate_clues(session, con, "2026-02", now=NOW)
    session.commit()
    clues = session.execute(select(Clue)).scalars().all()
    expected = len(institutions) * (len(RULES) + len(INDICATORS))
    assert (first.created, again.created, again.already_present) == (expected, 0, expected)
    assert len(clues) == expected == len({c.id for c in clues})  # no duplicates on a re-run
    forbidden = {*institutions, *RULES, *INDICATORS, "2026-02", "202602", "hit", "indicator"}
    for clue in clues:
        assert is_opaque(clue.id), clue.id
        lowered = clue.id.lower()
        assert not [word for word in forbidden if word.lower() in lowered], clue.id
        assert clue.source_id not in clue.id
    # The order of ids says nothing of the institutions: sorting by id does not group them.
    by_id = [c.institution_id for c in sorted(clues, key=lambda c: c.id)]
    runs = sum(1 for a, b in itertools.pairwise(by_id) if a != b)
    assert runs > len(institutions)


# --- migration 0006 on a store holding old ids ----------------------------------------------


@dataclass
class OldStore:
    database: Database
    old_ids: list[str]
    audit_rows: list[tuple[Any, ...]]


def _audit_rows(session: Session) -> list[tuple[Any, ...]]:
    rows = session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()
    return [(r.seq, r.event, r.subject_id, json.dumps(r.payload, sort_keys=True), r.hash) for r in rows]


def _user(session: Session, name: str) -> User:
    return session.execute(select(User).where(User.username == name)).scalar_one()


def _seed_0005(session: Session, home: Path) -> list[str]:
    """seed_org's users and clues, two clues with identifying ids, their work and audit events."""
    org = seed_org(session)
    indicator = sample_clue(INDICATOR_ID, "H1", "511502")
    indicator.source_kind, indicator.source_id = "indicator", INDICATOR_ID.removeprefix("indicator-")
    hit = sample_clue(HIT_ID, "H2", "511503")
    hit.source_id = HIT_ID.removeprefix("hit-")
    session.add_all([indicator, hit])
    session.flush()
    expert = org.users["expert"]
    session.add(ExpertAssignment(clue_id=INDICATOR_ID, expert_user_id=expert.id))
    session.add(ExpertConflict(expert_user_id=expert.id, clue_id=HIT_ID, reason="", declared_at=NOW))
    session.add(Adjudication(clue_id=INDICATOR_ID, opened_at=NOW, reason="争议"))
    session.flush()
    session.add(
        Vote(clue_id=INDICATOR_ID, expert_user_id=expert.id, vote="reasonable", opinion="", cast_at=NOW)
    )
    session.add(_proposal([INDICATOR_ID, "c1", "drug_share@2026-02"]))
    service.push_period(session, org.users["city"], "2026-02", "511500", now=NOW)
    store = EvidenceStore.for_home(home, 10_000_000, 5)
    service.self_check(
        session,
        _user(session, "hospital1"),
        INDICATOR_ID,
        outcome=SelfCheckOutcome.CONFIRMED,
        explanation="属实",
        handling="已退费",
        store=store,
        now=NOW,
    )
    session.commit()
    return [*org.clues, INDICATOR_ID, HIT_ID]


def _proposal(refs: list[str]) -> AccountabilityProposal:
    time = {"cycle": "2026-02", "item": "T07", "label": "T07", "refs": refs, "self_reported": False}
    return AccountabilityProposal(
        key="row|H1|cycle:2026-02",
        row_id="row",
        article="12",
        subject_kind="institution",
        subject_id="H1",
        institution_id="H1",
        region_code="511502",
        year=2026,
        window="cycle",
        period="2026-02",
        threshold=1,
        times=1,
        action="约谈",
        evidence=[time],
        self_reported=False,
        status="proposed",
        mitigation="none",
        proposed_at=NOW,
        updated_at=NOW,
    )


@pytest.fixture(params=BACKENDS)
def old_store(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[OldStore]:
    """A store at revision 0005 (ids of the former scheme), with work and audit events.

    The software of that revision sent no messages (the message centre is migration 0012):
    the push that seeds it does not either."""
    name = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    else:
        if not request.getfixturevalue("pg_available"):
            unavailable("PostgreSQL", "no server answers (set SJG_TEST_PG_URL)")
        name = create_pg_database()
        url = pg_database_url(name)
    database = Database.from_url(url)
    upgrade(database.engine, "0005")
    monkeypatch.setattr(hooks, "clues_pushed", lambda *args, **kwargs: [])
    with database.sessions() as session:
        old_ids = _seed_0005(session, tmp_path / "home")
        rows = _audit_rows(session)
    yield OldStore(database, old_ids, rows)
    database.dispose()
    if name is not None:
        drop_pg_database(name)


def test_migration_renames_every_clue_and_keeps_the_chain(old_store: OldStore) -> None:
    database = old_store.database
    upgrade(database.engine)
    assert current(database.engine) == head()
    with database.sessions() as session:
        aliases = dict(session.execute(select(ClueAlias.old_id, ClueAlias.clue_id)).all())
        assert sorted(aliases) == sorted(old_store.old_ids)
        ids = set(session.execute(select(Clue.id)).scalars())
        assert ids == set(aliases.values())
        assert all(is_opaque(i) for i in ids)
        new = aliases[INDICATOR_ID]
        clue = session.get(Clue, new)
        assert clue is not None
        assert (clue.source_kind, clue.source_id) == ("indicator", INDICATOR_ID.removeprefix("indicator-"))
        # Every column holding clue ids follows, chained keys included (votes → adjudications).
        assert session.get(SelfCheck, new) is not None
        assert session.get(Adjudication, new) is not None
        assert session.execute(select(Vote.clue_id)).scalars().all() == [new]
        assigned = session.execute(select(ExpertAssignment.clue_id)).scalars().all()
        assert sorted(assigned) == sorted([aliases["c2"], new])
        assert session.execute(select(ExpertConflict.clue_id)).scalars().all() == [aliases[HIT_ID]]
        deadline_ids = set(session.execute(select(Deadline.clue_id)).scalars())
        assert deadline_ids == {aliases["c1"], aliases["c2"], new, aliases[HIT_ID]}
        proposal = session.execute(select(AccountabilityProposal)).scalar_one()
        assert proposal.evidence[0]["refs"] == [new, aliases["c1"], "drug_share@2026-02"]
        # The audit log is untouched (old ids stay in old events) and its chain intact.
        assert _audit_rows(session) == old_store.audit_rows
        assert verify(session).ok
        if database.engine.dialect.name == "sqlite":
            assert session.execute(text("PRAGMA foreign_key_check")).all() == []
        # History shows old events under the current ids.
        events = history(session, _user(session, "hospital1"), new)
        assert [e["event"] for e in events] == ["case.pushed", "case.self_checked"]
        office = history(session, _user(session, "county"), new)
        pushed = next(e for e in office if e["event"] == "case.pushed")
        assert sorted(pushed["payload"]["clue_ids"]) == sorted([aliases["c1"], new])
        assert sorted(pushed["payload"]["self_check_due"]) == sorted([aliases["c1"], new])
        assert INDICATOR_ID not in json.dumps(office, default=str, ensure_ascii=False)


def test_downgrade_gives_the_old_ids_back(old_store: OldStore) -> None:
    database = old_store.database
    upgrade(database.engine)
    config = alembic_config(database.engine)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0005")
    with database.sessions() as session:
        assert sorted(session.execute(select(Clue.id)).scalars()) == sorted(old_store.old_ids)
        assert session.execute(select(Vote.clue_id)).scalars().all() == [INDICATOR_ID]
        assert session.get(SelfCheck, INDICATOR_ID) is not None
        assert verify(session).ok


def test_old_ids_resolve_only_for_who_may_see_the_clue(old_store: OldStore) -> None:
    upgrade(old_store.database.engine)
    with old_store.database.sessions() as session:
        new = session.execute(select(ClueAlias.clue_id).where(ClueAlias.old_id == INDICATOR_ID)).scalar_one()
        for name in ("county", "city", "province", "investigator", "hospital1"):
            assert resolve_clue_id(session, _user(session, name), INDICATOR_ID) == new, name
        for name in ("other_city", "insurance", "hospital2", "expert"):  # outside, or the expert
            assert resolve_clue_id(session, _user(session, name), INDICATOR_ID) == INDICATOR_ID, name


# --- over HTTP ---------------------------------------------------------------------------------


def _login(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/v1/session", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    client.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_old_links_over_http_and_the_expert_sees_no_stable_key(
    old_store: OldStore, ctx: Context, clock: Clock
) -> None:
    clock.now = NOW
    app = create_app(ctx, clock=clock, database=old_store.database)  # upgrades on start
    with TestClient(app) as client:
        office, hospital = _login(client, "county"), _login(client, "hospital1")
        outsider, expert = _login(client, "other_city"), _login(client, "expert")
        found = client.get(f"/api/v1/clues/{INDICATOR_ID}", headers=office)
        assert found.status_code == 200
        new = found.json()["id"]
        assert is_opaque(new)
        assert client.get(f"/api/v1/clues/{new}", headers=office).json() == found.json()
        for path in ("", "/case", "/history"):
            assert client.get(f"/api/v1/clues/{INDICATOR_ID}{path}", headers=hospital).status_code == 200, (
                path
            )
        case = client.get(f"/api/v1/clues/{INDICATOR_ID}/case", headers=hospital).json()
        assert case["clue_id"] == new
        # An action through an old link acts on the clue (and records its current id).
        body = {"department": "insurance", "reason": "涉嫌违规，移送医保部门"}
        referred = client.post(f"/api/v1/clues/{INDICATOR_ID}/referrals", json=body, headers=office)
        assert referred.status_code == 201, referred.text
        assert referred.json()["clue_id"] == new
        missing = client.get("/api/v1/clues/indicator-2026-02.H9.nothing", headers=outsider)
        for headers in (outsider, expert):
            refused = client.get(f"/api/v1/clues/{INDICATOR_ID}", headers=headers)
            assert refused.status_code == 404
            assert refused.json()["detail"]["code"] == missing.json()["detail"]["code"] == "clue_not_found"
            assert new not in refused.text
        assert client.get(f"/api/v1/clues/{new}", headers=expert).status_code == 200
        # The expert's views hold neither the stable key nor the old id nor the institution.
        for path in ("/api/v1/clues", "/api/v1/experts/me/packages", f"/api/v1/clues/{new}/case"):
            response = client.get(path, headers=expert)
            assert response.status_code == 200, path
            body = response.text
            assert new in body, path
            for leak in (
                INDICATOR_ID,
                "2026-02.H1",
                "source_id",
                "source_kind",
                "H1",
                "outpatient_appointment",
            ):
                assert leak not in body, (path, leak)
