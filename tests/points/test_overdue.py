"""记分逾期清单: open steps past due, the appeal window never overdue, revoked records owe nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sanjianguan.calendar.table import calendar_for
from sanjianguan.context import Context
from sanjianguan.points import service as points
from sanjianguan.points.config import load_points_config
from sanjianguan.points.overdue import due_within, overdue_points, tick
from sanjianguan.points.recording import PartyKind
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import PointAppeal, PointState, User
from sanjianguan.workflow_db.models.points import AppealResult
from tests.workflow_db.fixtures import seed_org

NOW = datetime(2026, 3, 16, 2, tzinfo=UTC)


def test_overdue_steps_listed_by_jurisdiction_and_flagged_once(database: Database) -> None:
    org = seed_org(database.sessions())
    config = load_points_config()
    with database.transaction() as session:
        county = session.get(User, org.users["county"].id)
        assert county is not None
        row = points.record_points(
            session, county, config, party_kind=PartyKind.INSTITUTION, party_id="", institution_id="H1",
            item_code="I02", responsibility=None, event_date=date(2026, 3, 10), approved_on=date(2026, 3, 16),
            department="医政医管科", description="病历书写不规范", now=NOW,
        )  # fmt: skip
        record_id = row.id
    with database.transaction() as session:
        county = session.get(User, org.users["county"].id)
        hospital2 = session.get(User, org.users["hospital2"].id)
        assert county is not None
        assert hospital2 is not None
        steps = {(s.step, s.due_on) for s in overdue_points(session, date(2026, 3, 27), county)}
        assert steps == {("notice", date(2026, 3, 19)), ("report", date(2026, 3, 26))}
        assert overdue_points(session, date(2026, 3, 27), hospital2) == []  # not in its jurisdiction
        soon = due_within(session, date(2026, 3, 18), calendar_for(session), 2)
        assert [(s.step, s.due_on) for s in soon] == [("notice", date(2026, 3, 19))]
        assert len(tick(session, date(2026, 3, 27), now=NOW)) == 2
        assert tick(session, date(2026, 3, 28), now=NOW) == []
    with database.transaction() as session:  # notice served: the 3-day appeal window is no duty
        county = session.get(User, org.users["county"].id)
        assert county is not None
        points.serve_notice(session, county, config, record_id, received_on=date(2026, 3, 27),
                            now=datetime(2026, 3, 27, 2, tzinfo=UTC))  # fmt: skip
        steps = {s.step for s in overdue_points(session, date(2026, 4, 10))}
        assert steps == {"report"}
        session.add(
            PointAppeal(record_id=record_id, reason="x", filed_on=date(2026, 3, 28), filed_at=NOW,
                        decision_due=date(2026, 4, 10), points_before=2, result=AppealResult.REVOKED)
        )  # fmt: skip
        session.flush()
        row = points.get_record(session, county, record_id)
        row.state = PointState.REVOKED  # as a revoking appeal decision leaves it
        assert overdue_points(session, date(2026, 4, 20)) == []


def test_sjg_points_overdue_lists_the_steps_past_due(ctx: Context) -> None:
    from typer.testing import CliRunner

    from sanjianguan.bootstrap import open_database
    from sanjianguan.cli import _register
    from sanjianguan.cli.app import app

    database = open_database(ctx.home, ctx.settings)
    try:
        org = seed_org(database.sessions())
        with database.transaction() as session:
            county = session.get(User, org.users["county"].id)
            assert county is not None
            points.record_points(
                session, county, load_points_config(), party_kind=PartyKind.INSTITUTION, party_id="",
                institution_id="H1", item_code="I02", responsibility=None, event_date=date(2026, 3, 10),
                approved_on=date(2026, 3, 16), department="医政医管科", description="病历书写不规范", now=NOW,
            )  # fmt: skip
    finally:
        database.dispose()
    _register()
    result = CliRunner().invoke(app, ["--home", str(ctx.home), "points", "overdue", "--today", "2026-03-27"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "record_id\tinstitution_id\tregion_code\tstep\tdue_on\tdays_overdue"
    assert lines[1:] == [
        "1\tH1\t511502\tnotice\t2026-03-19\t8",
        "1\tH1\t511502\treport\t2026-03-26\t1",
        "共 / total: 2",
    ]
