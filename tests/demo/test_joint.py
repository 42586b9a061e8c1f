"""After the loop the demo makes what the offices' documents need: accountability, points, a campaign.

One demo run (tiny, pinned to 2026-06-15: the walked month is 2026-03, whose quarter
2026-Q1 is over) is shared by the module; the documents' data functions, the public page
and the notices are read from it. Two more days check the dates for any "today".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sanjianguan.access.users import find_user
from sanjianguan.calendar.workdays import start_of_day
from sanjianguan.clock import clock_on
from sanjianguan.context import Context
from sanjianguan.demo import DemoOptions, DemoResult, run_demo
from sanjianguan.demo.joint import REGION, JointResult, PointsDays, joint_records
from sanjianguan.demo.walk import demo_periods
from sanjianguan.notices.kinds import NoticeKind
from sanjianguan.points import deadlines as point_deadlines
from sanjianguan.reports.data.campaign import campaign_figures
from sanjianguan.reports.data.disclosure import disclosure_figures
from sanjianguan.reports.data.yearly import yearly_figures
from sanjianguan.reports.notices import issue_notice
from sanjianguan.rules.registry import load_catalogue
from sanjianguan.web.app import create_app
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import User
from tests.reports.tallies.test_disclosure_list import PAGE_ROW

TODAY = date(2026, 6, 15)


def _context(home: Path, monkeypatch: pytest.MonkeyPatch) -> Context:
    for key in [k for k in __import__("os").environ if k.startswith("SJG")]:
        monkeypatch.delenv(key, raising=False)
    return Context.open(home)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Context, DemoResult]]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        ctx = _context(tmp_path_factory.mktemp("demo") / "sjg-data", monkeypatch)
        result = run_demo(ctx, DemoOptions(scale="tiny", months=3, today=TODAY), lambda _: None)
        yield ctx, result


@pytest.fixture(scope="module")
def database(demo: tuple[Context, DemoResult]) -> Iterator[Database]:
    ctx, _result = demo
    db = Database.for_home(ctx.home, ctx.settings)
    yield db
    db.dispose()


def _joint(demo: tuple[Context, DemoResult]) -> JointResult:
    joint = demo[1].joint
    assert joint is not None
    return joint


def _user(database: Database, username: str) -> User:
    with database.sessions() as s:
        user = find_user(s, username)
        assert user is not None
        s.expunge(user)
        return user


def test_the_demo_says_where_its_documents_are(demo: tuple[Context, DemoResult], database: Database) -> None:
    joint = _joint(demo)
    assert (joint.period, joint.region_code) == ("2026-03", "511500")
    assert (joint.year, joint.quarter) == (2026, "2026-Q1")
    assert not joint.already_done
    assert joint.proposals > 0
    assert len(joint.confirmed) >= 1
    assert joint.interview_id is not None
    assert len(joint.facts) == 2
    assert len(joint.point_records) == 2
    assert joint.disclosed == 1
    assert joint.campaign_id is not None
    assert joint.ledger == 5
    # A later run of the demo finds the same records in the folder.
    with database.sessions() as s:
        found = joint_records(s, joint.period)
    assert found == replace(joint, already_done=True)


def test_the_yearly_summary_has_situations_actions_and_points(
    demo: tuple[Context, DemoResult], database: Database
) -> None:
    joint = _joint(demo)
    with database.sessions() as s:
        figures = yearly_figures(s, _user(database, "office.city"), REGION, joint.year, today=TODAY)
    total = figures.total
    assert total.situations_total > 0
    assert total.actions["confirmed"] == len(joint.confirmed)
    assert total.actions["lighter"] == 1
    assert total.actions["pending"] == joint.proposals - len(joint.confirmed)
    assert (total.actions["interview"], total.actions["admin_penalty"]) == (1, 1)
    assert total.points == {"institution_points": 2, "staff_points": 5, "staff_scored": 1}


def test_the_published_disclosure_is_the_public_pages(
    demo: tuple[Context, DemoResult], database: Database
) -> None:
    ctx, _result = demo
    joint = _joint(demo)
    with database.sessions() as s:
        figures = disclosure_figures(s, None, REGION, joint.quarter, today=TODAY)
    assert figures.published
    assert figures.published_on is not None
    assert not figures.late
    assert figures.published_on >= point_deadlines.quarter_bounds(joint.quarter)[1]
    with TestClient(create_app(ctx, clock=clock_on(TODAY))) as client:
        html = client.get(f"/public/disclosure?quarter={joint.quarter}").text
    section = html.split(f'data-region="{REGION}"', 1)[1].split("</section>", 1)[0]
    page = [(int(n), name, *map(int, rest)) for n, name, *rest in PAGE_ROW.findall(section)]
    rows = [
        (n, r.institution_name, r.institution_events, r.institution_points, r.staff_scored, r.staff_points)
        for n, r in enumerate(figures.rows, start=1)
    ]
    assert rows == page
    assert len(page) == 1
    assert page[0][2:] == (1, 2, 1, 5)  # hospital 1: its own 2 points, one doctor's 5


def test_the_campaign_has_phases_rules_and_a_tally(
    demo: tuple[Context, DemoResult], database: Database
) -> None:
    joint = _joint(demo)
    assert joint.campaign_id is not None
    with database.sessions() as s:
        figures = campaign_figures(s, _user(database, "office.city"), joint.campaign_id, today=TODAY)
    assert [p.name for p in figures.phases] == ["deployment", "self_check", "supervision", "consolidation"]
    assert figures.period_from <= joint.period <= figures.period_to
    ctx, _result = demo
    charging = [c.rule.id for c in load_catalogue(ctx.home) if c.rule.category == "charges"]
    assert list(figures.rule_ids) == charging  # the catalogue's charging rules
    assert figures.records == 5
    assert all(figures.total[kind] > 0 for kind in ("confirmed", "fine", "recovered", "refund"))
    by_institution = {i.institution_id: i for i in figures.institutions}
    assert by_institution["H51150200001"].self_reported > 0
    assert by_institution["H51150200002"].found > 0
    assert sum(r.clues for r in figures.rules) > 0  # the latest month's clues on those rules


@pytest.mark.parametrize(
    ("kind", "subject"),
    [
        (NoticeKind.ACCOUNTABILITY, "confirmed"),
        (NoticeKind.INTERVIEW, "interview"),
        (NoticeKind.POINTS, "institution points"),
        (NoticeKind.POINTS, "staff points"),
    ],
)
def test_the_notices_can_be_issued_on_the_demos_records(
    demo: tuple[Context, DemoResult], database: Database, kind: NoticeKind, subject: str
) -> None:
    joint = _joint(demo)
    assert joint.interview_id is not None
    subject_id = {
        "confirmed": joint.confirmed[0],
        "interview": joint.interview_id,
        "institution points": joint.point_records[0],
        "staff points": joint.point_records[1],
    }[subject]
    with database.transaction() as s:
        office = find_user(s, "office.cuiping")
        assert office is not None
        notice = issue_notice(s, office, kind, str(subject_id), now=start_of_day(TODAY))
        assert notice.kind == kind.value
        assert notice.number.startswith(f"翠三监{kind.spec.letter}〔2026〕")
        assert notice.content


@pytest.mark.parametrize(
    "today",
    ["2027-01-03", "2026-04-02"],  # early January: the walk ends in the year before; first days of a quarter
)
def test_the_demo_makes_them_on_any_day(ctx: Context, today: str) -> None:
    day = date.fromisoformat(today)
    result = run_demo(ctx, DemoOptions(scale="tiny", months=3, today=day), lambda _: None)

    joint = result.joint
    assert joint is not None
    walked = demo_periods(day, 3)[0]
    assert (joint.period, joint.quarter) == (walked, PointsDays.of(walked).quarter)
    assert point_deadlines.quarter_bounds(joint.quarter)[1] <= day  # a quarter over by today
    assert joint.campaign_id is not None
    database = Database.for_home(ctx.home, ctx.settings)
    try:
        with database.sessions() as s:
            office = find_user(s, "office.city")
            assert office is not None
            assert yearly_figures(s, office, REGION, joint.year, today=day).total.situations_total > 0
            assert disclosure_figures(s, None, REGION, joint.quarter, today=day).published
            assert campaign_figures(s, office, joint.campaign_id, today=day).records > 0
    finally:
        database.dispose()
