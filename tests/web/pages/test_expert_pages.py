"""裁定/专家 pages: double-blind packages, the vote (audited, once), the recusal form."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent, ExpertConflict, User, Vote
from tests.cases.harness import Harness, make_harness
from tests.web.pages.helpers import csrf_of, sign_in
from tests.web.pages.review_world import CLUE, INSTITUTION, Panel, to_panel
from tests.workflow_db.fixtures import Clock, Org


@pytest.fixture
def h(database: Database, clock: Clock, tmp_path: Path) -> Harness:
    return make_harness(database, clock, tmp_path / "home")


@pytest.fixture
def org(h: Harness) -> Org:  # the pages' client (conftest) runs on the harness's organisation
    return h.org


@pytest.fixture
def panel(h: Harness) -> Panel:
    return to_panel(h)


def _bytes(response: Response) -> bytes:
    head = "\n".join(f"{k}: {v}" for k, v in response.headers.items()).encode()
    return head + b"\n" + response.content


def _assert_blind(response: Response, forbidden: list[str]) -> None:
    raw = _bytes(response)
    leaked = [term for term in forbidden if term.encode() in raw]
    assert not leaked, (response.request.url, leaked)


def _vote(client: TestClient, token: str | None, **fields: str) -> Response:
    data = dict(fields)
    if token is not None:
        data["csrf_token"] = token
    return client.post(f"/expert/packages/{CLUE}/vote", data=data)


def _counts(database: Database) -> tuple[int, int]:
    with database.sessions() as s:
        votes = s.execute(select(func.count()).select_from(Vote)).scalar_one()
        events = s.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        return votes, events


def test_no_identity_and_no_other_vote_in_any_expert_page(
    client: TestClient, panel: Panel, database: Database
) -> None:
    first, second, _third = panel.experts
    with database.transaction() as s:  # an affiliation on the user row must not reach the header either
        user = s.execute(select(User).where(User.username == second)).scalar_one()
        user.region_code, user.institution_id = None, INSTITUTION
    sign_in(client, first)
    package = client.get(f"/expert/packages/{CLUE}")
    assert package.status_code == 200
    assert f"<title>专家案卷 {CLUE}" in package.text
    assert "明细#1" in package.text
    assert "本次就诊" in package.text
    voted = _vote(client, csrf_of(package.text), outcome="unreasonable", explanation="甲专家的独有意见QX")
    assert voted.status_code == 303
    others = [n for n in panel.experts if n != second]
    others += [panel.names[n] for n in others]
    forbidden = [*panel.secrets(), *others, "甲专家的独有意见QX", "/evidence/"]
    client.cookies.clear()
    sign_in(client, second)
    pages = [
        client.get("/expert"),
        client.get(f"/expert/packages/{CLUE}"),
        client.get(f"/expert/packages/{CLUE}?done=vote"),
    ]
    token = csrf_of(pages[1].text)
    pages.append(_vote(client, token, outcome="", explanation=""))  # 400, page again
    pages.append(client.post("/expert/conflicts", data={"csrf_token": token}))  # 400, page again
    pages.append(client.get("/expert/packages/c1"))  # not assigned: 404 page
    assert [p.status_code for p in pages] == [200, 200, 200, 400, 400, 404]
    for response in pages:
        _assert_blind(response, forbidden)
    assert panel.names[second] in pages[0].text  # the expert's own name is in the header


def test_vote_is_recorded_once_and_audited(client: TestClient, panel: Panel, database: Database) -> None:
    expert = panel.experts[0]
    sign_in(client, expert)
    page = client.get(f"/expert/packages/{CLUE}")
    assert 'id="vote-form"' in page.text
    token = csrf_of(page.text)
    before = _counts(database)
    response = _vote(client, token, outcome="reasonable", explanation="诊疗符合规范")
    assert response.status_code == 303
    assert response.headers["location"] == f"/expert/packages/{CLUE}?done=vote"
    with database.sessions() as s:
        user = s.execute(select(User).where(User.username == expert)).scalar_one()
        vote = s.execute(select(Vote).where(Vote.clue_id == CLUE)).scalar_one()
        assert (vote.expert_user_id, vote.vote, vote.opinion) == (user.id, "reasonable", "诊疗符合规范")
        event = s.execute(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()
        assert (event.event, event.actor_id, event.subject_id) == ("case.vote_cast", user.id, CLUE)
    after = _counts(database)
    assert after == (before[0] + 1, before[1] + 1)
    done = client.get(response.headers["location"])
    assert 'id="done"' in done.text
    assert 'id="my-vote"' in done.text
    assert 'id="vote-form"' not in done.text
    again = _vote(client, token, outcome="unreasonable", explanation="再投一次")  # a double submit
    assert again.status_code == 409
    assert "已表决" in again.text
    assert 'id="refused"' in again.text
    assert _counts(database) == after


def test_vote_without_csrf_is_refused_and_changes_nothing(
    client: TestClient, panel: Panel, database: Database
) -> None:
    sign_in(client, panel.experts[0])
    before = _counts(database)
    response = _vote(client, None, outcome="reasonable", explanation="x")
    assert response.status_code == 403
    assert "表单已过期" in response.text
    assert _counts(database) == before


def test_bad_vote_is_shown_next_to_the_field_with_the_input_kept(
    client: TestClient, panel: Panel, database: Database
) -> None:
    sign_in(client, panel.experts[0])
    token = csrf_of(client.get(f"/expert/packages/{CLUE}").text)
    before = _counts(database)
    response = _vote(client, token, outcome="maybe", explanation="我的意见<保留>")
    assert response.status_code == 400
    assert 'id="outcome-error"' in response.text
    assert "请选择表决结论" in response.text
    assert 'aria-describedby="outcome-error"' in response.text
    assert "我的意见&lt;保留&gt;</textarea>" in response.text
    blank = _vote(client, token, outcome="reasonable", explanation="   ")
    assert blank.status_code == 400
    assert 'id="explanation-error"' in blank.text
    assert 'value="reasonable" checked' in blank.text
    assert _counts(database) == before


def test_only_experts_and_only_their_packages(client: TestClient, panel: Panel) -> None:
    sign_in(client, "county")
    assert 'href="/expert"' not in client.get("/").text
    assert client.get("/expert").status_code == 403
    assert client.get(f"/expert/packages/{CLUE}").status_code == 403
    client.cookies.clear()
    sign_in(client, "e_surgery")  # an expert, not on this panel
    listing = client.get("/expert")
    assert listing.status_code == 200
    assert CLUE not in listing.text
    assert 'id="no-packages"' in listing.text
    assert client.get(f"/expert/packages/{CLUE}").status_code == 404
    token = csrf_of(listing.text)
    assert _vote(client, token, outcome="reasonable", explanation="x").status_code == 404


def test_the_list_shows_each_package_and_whether_voted(client: TestClient, panel: Panel) -> None:
    sign_in(client, panel.experts[0])
    listing = client.get("/expert")
    assert f'<tr data-clue="{CLUE}">' in listing.text
    assert 'data-voted="no"' in listing.text
    assert 'href="/expert"' in listing.text  # the nav link
    api = client.get("/api/v1/experts/me/packages").json()
    assert [p["clue"]["id"] for p in api] == [CLUE]
    token = csrf_of(listing.text)
    _vote(client, token, outcome="reasonable", explanation="符合规范")
    assert 'data-voted="yes"' in client.get("/expert").text


def test_conflict_declaration(client: TestClient, panel: Panel, database: Database) -> None:
    sign_in(client, panel.experts[0])
    token = csrf_of(client.get("/expert").text)
    known = client.post(
        "/expert/conflicts", data={"csrf_token": token, "institution_id": "H2", "reason": "曾任职"}
    )
    unknown = client.post(
        "/expert/conflicts", data={"csrf_token": token, "institution_id": "NO-SUCH", "reason": "曾任职"}
    )
    assert known.status_code == unknown.status_code == 303  # existence does not leak
    assert known.headers["location"] == unknown.headers["location"] == "/expert?done=conflict"
    with database.sessions() as s:
        rows = s.execute(select(ExpertConflict.institution_id).where(ExpertConflict.reason == "曾任职")).all()
        assert [r[0] for r in rows] == ["H2"]
        events = s.execute(select(func.count()).where(AuditEvent.event == "expert.conflict_declared"))
        assert events.scalar_one() == 2
    both = client.post(
        "/expert/conflicts", data={"csrf_token": token, "institution_id": "H2", "clue_id": CLUE, "reason": ""}
    )
    assert both.status_code == 400
    assert 'id="target-error"' in both.text
    assert 'id="reason-error"' in both.text
    assert 'name="institution_id" maxlength="64" autocomplete="off" value="H2"' in both.text
    assert client.post("/expert/conflicts", data={"institution_id": "H2", "reason": "x"}).status_code == 403


def test_the_package_shows_the_evidence_keys_in_chinese(client: TestClient, panel: Panel) -> None:
    sign_in(client, panel.experts[0])
    package = client.get(f"/expert/packages/{CLUE}")
    assert package.status_code == 200
    table = package.text.split('id="evidence-table"', 1)[1].split("</table>", 1)[0]
    shown = dict(re.findall(r'<tr data-field="(\w+)"><th scope="row">([^<]+)</th>', table))
    assert shown == {  # review_world's evidence, allow-listed (patient_id dropped), birth date as age
        "age_at_event": "发生时年龄（周岁）",
        "amount": "金额（元）",
        "line_ids": "明细编号",
        "reason": "原因",
        "stays": "住院记录（入院日|就诊|机构）",
    }
    assert '<th scope="row">line_ids</th>' not in table
