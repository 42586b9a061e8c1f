"""办理 pages: a clue walked through the loop by the action forms, and every way a form is refused.

The steps these pages do not offer (push, sample, the experts' votes) are taken through
the services, as `tests/cases/test_walk.py` does. After each page step: the clue's state
and the audit event (who, what) are checked in the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from sanjianguan.cases import service
from sanjianguan.cases.states import Decision, VerificationConclusion
from sanjianguan.context import Context
from sanjianguan.web.app import create_app
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent, Clue, EvidenceFile, Rectification
from tests.cases.harness import PDF, Harness, make_harness
from tests.web.pages.helpers import csrf_of, page_csrf, sign_in
from tests.workflow_db.fixtures import Clock

ACT = "/clues/{clue}/act/{action}"


@pytest.fixture
def h(database: Database, clock: Clock, tmp_path: Path) -> Harness:
    return make_harness(database, clock, tmp_path / "home")  # evidence store: 1 MB per file


@pytest.fixture
def client(ctx: Context, database: Database, clock: Clock, h: Harness) -> Iterator[TestClient]:
    app = create_app(ctx, clock=clock, database=database)
    app.state.evidence = h.store
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def url(action: str, clue: str = "c1") -> str:
    return ACT.format(clue=clue, action=action)


def stamp_of(html: str) -> str:
    found = re.search(r'name="stamp" value="([^"]*)"', html)
    assert found, "the form has no stamp"
    return found.group(1)


def open_form(client: TestClient, action: str, clue: str = "c1") -> dict[str, str]:
    """GET the form (it must be offered) and return its hidden fields."""
    page = client.get(url(action, clue))
    assert page.status_code == 200, page.text
    assert 'id="action-form"' in page.text
    return {"csrf_token": csrf_of(page.text), "stamp": stamp_of(page.text)}


def submit(
    client: TestClient,
    action: str,
    data: dict[str, str],
    *,
    clue: str = "c1",
    files: list[tuple[str, bytes]] | None = None,
) -> Response:
    """Open the form and post it with `data` (and files)."""
    form = open_form(client, action, clue) | data
    upload = [("files", (name, content, "application/octet-stream")) for name, content in files or []]
    return client.post(url(action, clue), data=form, files=upload or None)


def status(database: Database, clue: str = "c1") -> str:
    with database.sessions() as s:
        found = s.get(Clue, clue)
        assert found is not None
        return found.status


def last_event(database: Database, clue: str = "c1") -> tuple[str, str]:
    with database.sessions() as s:
        row = s.execute(
            select(AuditEvent).where(AuditEvent.subject_id == clue).order_by(AuditEvent.seq.desc()).limit(1)
        ).scalar_one()
        return row.event, row.actor_name


def counts(database: Database) -> tuple[int, int]:
    with database.sessions() as s:
        audit = s.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        files = s.execute(select(func.count()).select_from(EvidenceFile)).scalar_one()
        return audit, files


def done(response: Response, action: str, clue: str = "c1") -> None:
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/clues/{clue}?done={action}"


def as_user(client: TestClient, name: str) -> None:
    client.cookies.clear()
    sign_in(client, name)


def step(
    client: TestClient,
    database: Database,
    user: str,
    action: str,
    data: dict[str, str],
    *,
    event: str,
    to: str,
    files: list[tuple[str, bytes]] | None = None,
    clue: str = "c1",
) -> None:
    """One page step: done (303), the clue in state `to`, the audit's last event `event` by `user`."""
    as_user(client, user)
    done(submit(client, action, data, files=files, clue=clue), action, clue)
    assert status(database, clue) == to
    assert last_event(database, clue) == (event, user)


def push(h: Harness) -> None:
    h.run("county", service.push_period, "2026-02", "511502", now=h.clock.now)


def sample(h: Harness) -> None:
    """Draw every self-checked clue of the county's month (rate 1): c1 is drawn."""
    result = h.run("county", service.sample, "2026-02", "511502", rate=Decimal(1), seed="t", now=h.clock.now)
    assert "c1" in result.drawn


def disputed(client: TestClient, h: Harness, database: Database) -> None:
    """c1 pushed, self-checked through the page as disputed (with a file), and drawn."""
    push(h)
    step(
        client,
        database,
        "hospital1",
        "self_check",
        {"outcome": "disputed", "explanation": "诊疗合理"},
        files=[("病历.pdf", PDF)],
        event="case.self_checked",
        to="self_checked",
    )
    sample(h)


def disagreed(client: TestClient, h: Harness, database: Database) -> None:
    """`disputed`, then verified as disagreeing with the self-check: ready for adjudication."""
    disputed(client, h, database)
    h.run(
        "investigator",
        service.verify,
        "c1",
        conclusion=VerificationConclusion.DISAGREE,
        record_text="不一致",
        store=h.store,
        now=h.clock.now,
    )


def test_the_whole_loop_through_the_pages(client: TestClient, h: Harness, database: Database) -> None:
    push(h)
    step(
        client,
        database,
        "hospital1",
        "self_check",
        {"outcome": "confirmed", "explanation": "已核查病历", "handling": "已退费并约谈"},
        files=[("自查说明.pdf", PDF)],
        event="case.self_checked",
        to="self_checked",
    )
    sample(h)
    assert status(database) == "sampled"
    step(
        client,
        database,
        "investigator",
        "verify",
        {"outcome": "agree", "explanation": "现场核查：与自查一致"},
        files=[("现场记录.pdf", PDF)],
        event="case.verified",
        to="verified",
    )
    step(client, database, "county", "decide", {"reason": ""}, event="case.decided", to="decided")
    step(
        client,
        database,
        "county",
        "notify",
        {"text": "经认定存在不合理问题"},
        event="case.notified",
        to="decided",
    )
    step(
        client,
        database,
        "hospital1",
        "appeal",
        {"reason": "有新的证据"},
        event="case.appealed",
        to="appealed",
    )
    step(
        client,
        database,
        "county",
        "review",
        {"outcome": "upheld", "explanation": "维持原认定"},
        event="case.reviewed",
        to="decided",
    )
    step(
        client,
        database,
        "county",
        "issue_responsibility_notice",
        {"text": "请于 30 日内整改"},
        event="case.responsibility_notice",
        to="accountability",
    )
    step(
        client,
        database,
        "hospital1",
        "report_rectification",
        {"report": "已整改", "handling": "已约谈"},
        files=[("整改.pdf", PDF)],
        event="case.rectification_reported",
        to="accountability",
    )
    step(client, database, "county", "close", {"reason": "整改到位"}, event="case.closed", to="closed")
    with database.sessions() as s:
        steps = s.execute(select(EvidenceFile.step).where(EvidenceFile.clue_id == "c1")).scalars().all()
    assert sorted(steps) == ["report_rectification", "self_check", "verify"]


def test_adjudication_through_the_pages(client: TestClient, h: Harness, database: Database) -> None:
    disputed(client, h, database)
    step(
        client,
        database,
        "investigator",
        "verify",
        {"outcome": "disagree", "explanation": "与自查不一致"},
        event="case.verified",
        to="verified",
    )
    step(
        client,
        database,
        "adjudicator",
        "open_adjudication",
        {"reason": "自查与核实不一致", "specialty": "内科", "panel_size": "3", "seed": "s"},
        event="case.panel_drawn",
        to="adjudicating",
    )
    with database.sessions() as s:
        panel = s.execute(
            select(AuditEvent.payload).where(AuditEvent.event == "case.panel_drawn")
        ).scalar_one()
    names = {u.id: n for n, u in h.org.users.items()}
    for expert in panel["panel"]:
        h.run(
            names[expert], service.vote, "c1", value=Decision.UNREASONABLE, opinion="不合理", now=h.clock.now
        )
    step(
        client,
        database,
        "adjudicator",
        "rule",
        {"text": "多数意见：不合理"},
        event="case.ruled",
        to="adjudicating",
    )
    step(client, database, "county", "decide", {"reason": ""}, event="case.decided", to="decided")


def test_a_refused_draw_leaves_the_adjudication_unopened(
    client: TestClient, h: Harness, database: Database
) -> None:
    """open_adjudication + draw_panel are one step: a draw refused (no such experts) undoes the opening."""
    disagreed(client, h, database)
    as_user(client, "adjudicator")
    before = counts(database)
    response = submit(
        client, "open_adjudication", {"reason": "复杂", "specialty": "眼科", "panel_size": "5", "seed": ""}
    )
    assert response.status_code == 409
    assert "眼科专家只有 0 名" in response.text
    assert status(database) == "verified"
    assert counts(database) == before


# --- refusals -------------------------------------------------------------------------------

SELF_CHECK = {"outcome": "confirmed", "explanation": "已核查病历", "handling": "已退费"}


def test_a_post_without_the_csrf_token_is_403_and_changes_nothing(
    client: TestClient, h: Harness, database: Database
) -> None:
    push(h)
    as_user(client, "hospital1")
    form = open_form(client, "self_check")
    before = counts(database)
    for token in ({}, {"csrf_token": "forged"}):
        data = {"stamp": form["stamp"], **SELF_CHECK, **token}
        response = client.post(
            url("self_check"), data=data, files=[("files", ("a.pdf", PDF, "application/pdf"))]
        )
        assert response.status_code == 403
        assert "表单已过期或来源不明" in response.text
    assert status(database) == "pushed"
    assert counts(database) == before


@pytest.mark.parametrize(
    ("user", "action", "clue"),
    [
        ("county", "self_check", "c1"),  # the office does not self-check
        ("hospital1", "close", "c1"),  # the institution does not close
        ("investigator", "decide", "c1"),
        ("expert", "self_check", "c2"),  # the expert sees c2 (assigned): still not its action
    ],
)
def test_a_role_without_the_permission_gets_a_403_page(
    client: TestClient, h: Harness, database: Database, user: str, action: str, clue: str
) -> None:
    push(h)
    as_user(client, user)
    page = client.get(url(action, clue))
    assert page.status_code == 403
    assert "无权执行" in page.text
    for identity in ("H2 医院", "DOC-", "PAT-"):
        assert identity not in page.text
    token = page_csrf(client)
    before = counts(database), status(database, clue)
    response = client.post(url(action, clue), data={"csrf_token": token, "stamp": "x", **SELF_CHECK})
    assert response.status_code == 403
    assert (counts(database), status(database, clue)) == before


@pytest.mark.parametrize(("user", "clue"), [("hospital2", "c1"), ("county", "c2"), ("hospital1", "nope")])
def test_a_clue_outside_the_jurisdiction_is_a_404_page(
    client: TestClient, h: Harness, database: Database, user: str, clue: str
) -> None:
    push(h)
    as_user(client, user)
    action = "self_check" if user.startswith("hospital") else "remind"
    page = client.get(url(action, clue))
    assert page.status_code == 404
    assert "线索不存在" in page.text
    response = client.post(url(action, clue), data={"csrf_token": page_csrf(client), **SELF_CHECK})
    assert response.status_code == 404
    assert status(database) == "pushed"


def test_an_action_not_allowed_now_is_a_409_page_naming_what_is(
    client: TestClient, h: Harness, database: Database
) -> None:
    push(h)
    as_user(client, "county")
    page = client.get(url("close"))
    assert page.status_code == 409
    assert "该线索当前状态为「已推送」，不能办理「办结」" in page.text
    assert 'id="action-form"' not in page.text
    assert f'<a href="{url("remind")}">催办</a>' in page.text  # allowed now: a link to its form
    assert client.get(url("remind")).status_code == 200


def test_the_form_gives_the_deadline_with_its_working_days_left(client: TestClient, h: Harness) -> None:
    push(h)  # Monday 2026-03-16: the self-check is due 2026-03-25, 7 working days on
    as_user(client, "hospital1")
    page = client.get(url("self_check")).text
    assert "办理期限：<strong>2026-03-25（剩余 7 个工作日）</strong>" in page
    h.later(days=7)  # Monday 03-23: 03-24 and 03-25 remain
    as_user(client, "hospital1")
    assert "办理期限：<strong>2026-03-25（剩余 2 个工作日）</strong>" in client.get(url("self_check")).text


def test_a_passed_deadline_is_explained_in_words(client: TestClient, h: Harness, database: Database) -> None:
    push(h)  # 2026-03-16: the self-check is due 2026-03-25
    as_user(client, "hospital1")
    stamp = open_form(client, "self_check")["stamp"]
    h.later(days=14)
    as_user(client, "hospital1")  # the session ended meanwhile (idle)
    page = client.get(url("self_check"))
    assert page.status_code == 409
    assert "已超过自查反馈期限（2026-03-25，第二十八条）" in page.text
    assert 'id="allowed-none"' in page.text
    before = counts(database)
    form = {"csrf_token": csrf_of(page.text), "stamp": stamp}
    response = client.post(url("self_check"), data=form | SELF_CHECK)
    assert response.status_code == 409
    assert "已超过自查反馈期限" in response.text
    assert (status(database), counts(database)) == ("pushed", before)


def test_a_missing_field_is_400_next_to_it_with_the_input_kept(
    client: TestClient, h: Harness, database: Database
) -> None:
    push(h)
    as_user(client, "hospital1")
    before = counts(database)
    response = submit(
        client,
        "self_check",
        {"outcome": "confirmed", "explanation": "我的<说明>\n第二行", "handling": " "},
        files=[("a.pdf", PDF)],
    )
    assert response.status_code == 400
    html = response.text
    assert '<p class="error" id="handling-error">自查结论为“属实”时，请填写院内处理及整改情况</p>' in html
    assert 'aria-describedby="handling-hint handling-error"' in html
    assert ">我的&lt;说明&gt;\n第二行</textarea>" in html  # kept, escaped
    assert 'id="f-outcome-confirmed" name="outcome" value="confirmed" checked' in html
    assert "已选择的文件不会保留，请重新选择" in html  # files: chosen again
    assert (status(database), counts(database)) == ("pushed", before)

    response = submit(client, "self_check", {"explanation": "x\x07"})
    assert response.status_code == 400
    assert 'id="outcome-error">请选择自查结论' in response.text
    assert 'id="explanation-error">自查说明含有不允许的控制字符' in response.text
    response = submit(client, "self_check", {"outcome": "disputed", "explanation": "不属实"})
    assert 'id="files-error">自查结论为“不属实”时，请上传证明材料' in response.text
    assert (status(database), counts(database)) == ("pushed", before)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("扫描件.pdf", PDF + b"x" * (1024 * 1024), "文件过大：扫描件.pdf（上限 1 MB）"),
        ("run.exe", b"MZ\x90\x00", "文件类型不允许：run.exe"),
        ("假.pdf", b"\x89PNG\r\n\x1a\n", "文件类型不允许：假.pdf（内容与扩展名不符）"),
    ],
)
def test_a_refused_file_is_named_next_to_the_file_input(
    client: TestClient, h: Harness, database: Database, name: str, content: bytes, message: str
) -> None:
    push(h)
    as_user(client, "hospital1")
    before = counts(database)
    response = submit(
        client, "self_check", {"outcome": "disputed", "explanation": "保留的说明"}, files=[(name, content)]
    )
    assert response.status_code == 400
    assert f'<p class="error" id="files-error">{message}' in response.text
    assert ">保留的说明</textarea>" in response.text
    assert (status(database), counts(database)) == ("pushed", before)


def test_a_double_submit_is_refused_the_second_time(
    client: TestClient, h: Harness, database: Database
) -> None:
    push(h)
    as_user(client, "hospital1")
    form = open_form(client, "self_check") | SELF_CHECK
    done(client.post(url("self_check"), data=form), "self_check")
    after_first = counts(database)
    again = client.post(url("self_check"), data=form)
    assert again.status_code == 409
    assert "此表单已经提交过" in again.text
    assert "该线索当前状态为「已自查」，不能办理「自查反馈」" in again.text
    assert counts(database) == after_first
    assert status(database) == "self_checked"


def test_a_double_submitted_rectification_is_reported_once(
    client: TestClient, h: Harness, database: Database
) -> None:
    """报送整改 may be repeated by design; the same form posted twice may not."""
    with database.transaction() as session:
        clue = session.get(Clue, "c1")
        assert clue is not None
        clue.status = "accountability"
    as_user(client, "hospital1")
    form = open_form(client, "report_rectification") | {"report": "已整改"}
    done(client.post(url("report_rectification"), data=form), "report_rectification")
    again = client.post(url("report_rectification"), data=form)
    assert again.status_code == 409
    assert "此表单已经提交过" in again.text
    assert f'<a href="{url("report_rectification")}">报送整改</a>' in again.text  # a new report: a new form
    with database.sessions() as s:
        assert s.execute(select(func.count()).select_from(Rectification)).scalar_one() == 1
    done(submit(client, "report_rectification", {"report": "补充整改"}), "report_rectification")


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("vote", "专家表决」请在专家的案卷页面办理"),
        ("sample", "请在线索列表页操作"),
        ("nothing", "没有这个办理事项"),
    ],
)
def test_an_action_without_a_form_here_is_a_404_in_words(
    client: TestClient, h: Harness, action: str, message: str
) -> None:
    as_user(client, "county")
    page = client.get(url(action))
    assert page.status_code == 404
    assert message in page.text


def test_the_upload_form_states_its_limits_and_loads_its_files(client: TestClient, h: Harness) -> None:
    push(h)
    as_user(client, "hospital1")
    html = client.get(url("self_check")).text
    assert "可上传 PDF、JPG、JPEG、PNG、DOCX、XLSX 文件，每个不超过 1 MB，每次最多 10 个。" in html
    assert 'accept=".pdf,.jpg,.jpeg,.png,.docx,.xlsx"' in html
    assert 'enctype="multipart/form-data" data-upload="1"' in html
    assert '<progress id="upload-bar"' in html
    assert '<label for="f-explanation">' in html
    for asset in ("/static/app/actions.css", "/static/app/upload.js"):
        assert asset in html
        assert client.get(asset).status_code == 200
    assert "<script>" not in html
    assert "style=" not in html


def test_panel_size_is_checked_on_the_page(client: TestClient, h: Harness, database: Database) -> None:
    disagreed(client, h, database)
    as_user(client, "adjudicator")
    data = {"reason": "复杂", "specialty": "内科", "panel_size": "4", "seed": "x" * 41}
    response = submit(client, "open_adjudication", data)
    assert response.status_code == 400
    assert 'id="panel_size-error">请从列出的选项中选择专家人数' in response.text
    assert 'id="seed-error">随机种子最多 40 个字符' in response.text
    assert 'value="内科"' in response.text
    assert status(database) == "verified"
