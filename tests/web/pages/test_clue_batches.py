"""推送与抽查: push and draw from the page, CSRF, bad input, a second identical action explained."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from sanjianguan.cases import service
from sanjianguan.cases.evidence import EvidenceStore
from sanjianguan.cases.states import SelfCheckOutcome
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent, Clue, PushBatch, SamplingDraw, User
from tests.cases.harness import pdf
from tests.web.pages.helpers import page_csrf, sign_in
from tests.workflow_db.fixtures import Clock, sample_clue

ACTIONS = "/clues/actions"


def _status(database: Database, clue_id: str) -> str:
    with database.sessions() as session:
        clue = session.get(Clue, clue_id)
        assert clue is not None
        return clue.status


def _count(database: Database, model: type[object]) -> int:
    with database.sessions() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_push_changes_the_clues_once_and_explains_the_second(client: TestClient, database: Database) -> None:
    sign_in(client, "city")
    token = page_csrf(client, ACTIONS)
    form = {"csrf_token": token, "period": "2026-02", "region_code": "511500"}
    response = client.post("/clues/push", data=form)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith(ACTIONS + "?batch=")
    assert _status(database, "c1") == _status(database, "c2") == "pushed"
    assert _status(database, "c3") == "generated"  # another city
    with database.sessions() as session:
        events = session.execute(select(AuditEvent).where(AuditEvent.event == "case.pushed")).scalars().all()
        assert [event.payload["clue_ids"] for event in events] == [["c1", "c2"]]
    shown = client.get(location)
    assert shown.status_code == 200
    assert 'id="pushed-count">2<' in shown.text
    again = client.post("/clues/push", data=form)  # the double submit
    assert again.status_code == 409
    assert "没有待推送的线索" in again.text
    assert "可能已经推送过" in again.text
    assert "本次提交没有改变任何数据" in again.text
    assert _count(database, PushBatch) == 1


def test_push_without_csrf_changes_nothing(client: TestClient, database: Database) -> None:
    sign_in(client, "city")
    response = client.post("/clues/push", data={"period": "2026-02", "region_code": "511500"})
    assert response.status_code == 403
    assert "表单已过期或来源不明" in response.text
    wrong = client.post("/clues/push", data={"csrf_token": "x", "period": "2026-02", "region_code": "511500"})
    assert wrong.status_code == 403
    assert _status(database, "c1") == "generated"
    assert _count(database, PushBatch) == 0


def test_bad_push_input_is_named_and_kept(client: TestClient, database: Database) -> None:
    sign_in(client, "county")
    token = page_csrf(client, ACTIONS)
    response = client.post(
        "/clues/push", data={"csrf_token": token, "period": "2026-2x", "region_code": "511503"}
    )
    assert response.status_code == 400
    assert 'id="push-period-error">结算月应为 YYYY-MM 格式' in response.text
    assert 'value="2026-2x"' in response.text
    assert 'id="push-region_code-error">请从列表中选择本辖区的行政区划' in response.text
    assert '<option value="511503"' not in response.text  # a county picks only its own region
    assert _count(database, PushBatch) == 0


def test_roles_without_the_actions_get_403_and_no_form(client: TestClient, database: Database) -> None:
    for username in ("hospital1", "investigator", "expert"):
        client.cookies.clear()
        sign_in(client, username)
        assert client.get(ACTIONS).status_code == 403
        token = page_csrf(client, "/clues")
        data = {"csrf_token": token, "period": "2026-02", "region_code": "511502"}
        assert client.post("/clues/push", data=data).status_code == 403
        assert client.post("/clues/sample", data=data).status_code == 403
    assert _status(database, "c1") == "generated"


def test_a_batch_of_another_region_is_not_found(client: TestClient, database: Database, clock: Clock) -> None:
    with database.transaction() as session:
        city = session.execute(select(User).where(User.username == "city")).scalar_one()
        result = service.push_period(session, city, "2026-02", "511500", now=clock.now)
    sign_in(client, "county")
    assert client.get(f"{ACTIONS}?batch={result.batch_id}").status_code == 404


def _self_checked(database: Database, clock: Clock, tmp_path: Path, ids: list[str]) -> None:
    store = EvidenceStore.for_home(tmp_path / "home", 1024 * 1024)
    with database.transaction() as session:
        for clue_id in ids:
            session.add(sample_clue(clue_id, "H1", "511502", period="2025-06"))
        session.flush()
        users = {u.username: u for u in session.execute(select(User)).scalars()}
        service.push_period(session, users["county"], "2025-06", "511502", now=clock.now)
        for clue_id in ids:
            service.self_check(
                session,
                users["hospital1"],
                clue_id,
                outcome=SelfCheckOutcome.DISPUTED,
                explanation="说明",
                handling="处理",
                files=[pdf()],
                store=store,
                now=clock.now,
            )


def test_sample_shows_seed_population_and_drawn(
    client: TestClient, database: Database, clock: Clock, tmp_path: Path
) -> None:
    ids = [f"s{i}" for i in range(6)]
    _self_checked(database, clock, tmp_path, ids)
    sign_in(client, "county")
    token = page_csrf(client, ACTIONS)
    form = {"csrf_token": token, "period": "2025-06", "region_code": "511502", "rate": "20%", "include": "s5"}
    response = client.post("/clues/sample", data=form)
    assert response.status_code == 303, response.text
    shown = client.get(response.headers["location"]).text
    with database.sessions() as session:
        draw = session.execute(select(SamplingDraw)).scalar_one()
        event = session.execute(
            select(AuditEvent).where(AuditEvent.event == "case.sample_drawn")
        ).scalar_one()
    assert event.payload["seed"] == draw.seed
    assert event.payload["selected"] == ["s5"]
    assert f'id="draw-seed">{draw.seed}<' in shown  # generated, shown after the draw
    assert 'id="draw-rate">0.2<' in shown
    assert 'id="population-count">6<' in shown
    drawn = [clue_id for clue_id in ids if _status(database, clue_id) == "sampled"]
    assert f'id="drawn-count">{len(drawn)}<' in shown
    assert "s5" in drawn
    for clue_id in drawn:
        assert f'<a href="/clues/{clue_id}">{clue_id}</a>' in shown
    again = client.post("/clues/sample", data=form)
    assert again.status_code == 409
    assert "没有待抽查的已自查线索" in again.text
    assert "可能已经抽查过" in again.text
    assert _count(database, SamplingDraw) == 1


def test_bad_sample_input_is_named_and_kept(
    client: TestClient, database: Database, clock: Clock, tmp_path: Path
) -> None:
    _self_checked(database, clock, tmp_path, ["s0", "s1"])
    sign_in(client, "county")
    token = page_csrf(client, ACTIONS)
    base = {"csrf_token": token, "period": "2025-06", "region_code": "511502"}
    bad = client.post("/clues/sample", data=base | {"rate": "1.5", "seed": "x" * 41})
    assert bad.status_code == 400
    assert 'id="sample-rate-error">抽查比例应为' in bad.text
    assert 'value="1.5"' in bad.text
    assert 'id="sample-seed-error">' in bad.text
    not_disputed = client.post("/clues/sample", data=base | {"rate": "0.5", "include": "c1"})
    assert not_disputed.status_code == 400
    assert 'id="sample-include-error">选定核实的线索须为' in not_disputed.text
    assert ">c1</textarea>" in not_disputed.text
    assert _count(database, SamplingDraw) == 0
    assert _status(database, "s0") == "self_checked"


def test_the_seed_given_is_used(client: TestClient, database: Database, clock: Clock, tmp_path: Path) -> None:
    _self_checked(database, clock, tmp_path, ["s0", "s1", "s2"])
    sign_in(client, "city")
    token = page_csrf(client, ACTIONS)
    data = {"csrf_token": token, "period": "2025-06", "region_code": "511502", "rate": "0.2", "seed": "42"}
    response = client.post("/clues/sample", data=data)
    assert response.status_code == 303
    assert 'id="draw-seed">42<' in client.get(response.headers["location"]).text
