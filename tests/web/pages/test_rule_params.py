"""规则参数 forms on /rules/{rule_id}: set, reset, audited, refused cleanly, used from the next run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from typer.testing import CliRunner

import sanjianguan.cli
from sanjianguan.analytics.rule_params import read_file
from sanjianguan.cli.app import app
from sanjianguan.context import Context
from sanjianguan.rules.registry import load_catalogue
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent, Role, User
from tests.rules.builder import StoreBuilder
from tests.web.pages.helpers import csrf_of, sign_in
from tests.workflow_db.fixtures import password_hash

ANALYST = "prov_analyst"  # a province analyst: its region covers every institution (H1, H2, H3)
PAGE = "/rules/T02"
FORM = re.compile(r'<form method="post" action="/rules/T02/params/min_days"')


@pytest.fixture
def analyst(database: Database, client: TestClient) -> str:
    with database.transaction() as session:
        session.add(
            User(username=ANALYST, role=Role.ANALYST, region_code="510000", password_hash=password_hash())
        )
    return ANALYST


def _as(client: TestClient, name: str) -> str:
    """Sign in as `name`; the rule page's CSRF token."""
    client.cookies.clear()
    sign_in(client, name)
    page = client.get(PAGE)
    assert page.status_code == 200, page.text
    return csrf_of(page.text)


def _digest(client: TestClient) -> str:
    found = re.search(r'name="digest" value="([0-9a-f]{64})"', client.get(PAGE).text)
    assert found, "no parameter form"
    return found.group(1)


def _post(client: TestClient, path: str = "/params/min_days", **fields: str) -> Response:
    return client.post(f"{PAGE}{path}", data=fields)


def _events(database: Database) -> list[AuditEvent]:
    with database.sessions() as session:
        rows = select(AuditEvent).where(AuditEvent.event == "rule.params_changed").order_by(AuditEvent.seq)
        return list(session.execute(rows).scalars())


def _stays(ctx: Context) -> None:
    """Two stays of 2025-03: BARE idle 3 days, TWO idle 4 days in a row (T02: min_days 3 hits both)."""
    with ctx.store() as con:
        build = StoreBuilder(con).institution().patient()
        for key, last_day in (("BARE", 4), ("TWO", 10)):
            build.encounter(key, admit="2025-03-01 09:00:00", discharge=f"2025-03-{last_day:02d} 10:00:00")
        build.fee("TWO", "DRUG", "2025-03-05 08:00:00", 1, 5, item_type="drug_western")


def _analyze(home: Path) -> None:
    """`sjg analyze`, as an operator runs it after the change."""
    sanjianguan.cli._register()
    args = ["--home", str(home), "analyze", "--period", "2025-03", "--rules", "T02", "--no-indicators"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output


def _hits(client: TestClient) -> str:
    found = re.search(r'<tr data-month="2025-03" data-hits="(\d+)">', client.get(PAGE).text)
    assert found
    return found.group(1)


def test_a_changed_parameter_is_used_from_the_next_run(
    ctx: Context, client: TestClient, database: Database, analyst: str
) -> None:
    _stays(ctx)
    _analyze(ctx.home)
    token = _as(client, analyst)
    assert _hits(client) == "2"
    done = _post(client, value="4", reason="市三监管办会议决定", csrf_token=token, digest=_digest(client))
    assert done.status_code == 303
    assert done.headers["location"] == f"{PAGE}?done=set#parameters"
    page = client.get(done.headers["location"]).text
    assert 'id="done"' in page
    assert "下次运行" in page
    assert 'data-param="min_days" data-value="4" data-override="yes"' in page
    assert "min_days = 4" in (ctx.home / "rules.toml").read_text(encoding="utf-8")
    assert {c.rule.id: c for c in load_catalogue(ctx.home)}["T02"].values["min_days"] == 4
    assert _hits(client) == "2"  # the stored hits are the last run's until the next one
    _analyze(ctx.home)
    assert _hits(client) == "1"  # BARE (3 idle days) no longer hits
    [event] = _events(database)
    assert (event.subject_id, event.actor_name, event.reason) == ("T02", analyst, "市三监管办会议决定")
    assert (event.before, event.after) == ({"min_days": None}, {"min_days": 4})
    client.cookies.clear()
    sign_in(client, "auditor")  # the audit page shows the change to an auditor
    audit = client.get("/audit", params={"subject_id": "T02"})
    assert audit.status_code == 200
    assert "市三监管办会议决定" in audit.text


def test_reset_to_default(ctx: Context, client: TestClient, database: Database, analyst: str) -> None:
    token = _as(client, analyst)
    assert 'id="reset-min_days"' not in client.get(PAGE).text  # no regional value yet
    assert (
        _post(client, value="5", reason="试行", csrf_token=token, digest=_digest(client)).status_code == 303
    )
    page = client.get(PAGE).text
    assert 'id="reset-min_days"' in page
    assert 'formaction="/rules/T02/params/min_days/reset"' in page
    reset = _post(
        client,
        "/params/min_days/reset",
        value="5",
        reason="试行结束",
        csrf_token=token,
        digest=_digest(client),
    )
    assert reset.status_code == 303
    assert reset.headers["location"].endswith("?done=reset#parameters")
    assert "min_days" not in (ctx.home / "rules.toml").read_text(encoding="utf-8")
    assert 'data-param="min_days" data-value="3" data-override="no"' in client.get(PAGE).text
    assert [e.after for e in _events(database)] == [{"min_days": 5}, {"min_days": None}]


def test_a_bad_value_stands_next_to_its_field(
    ctx: Context, client: TestClient, database: Database, analyst: str
) -> None:
    token = _as(client, analyst)
    digest = _digest(client)
    bad = _post(client, value="3.5", reason="调整", csrf_token=token, digest=digest)
    assert bad.status_code == 400
    assert re.search(r'<p class="error" id="value-min_days-error">应为整数', bad.text)
    assert re.search(
        r'<input id="value-min_days" name="value" value="3.5"[^>]*aria-describedby="value-min_days-error"',
        bad.text,
    )
    assert 'id="reason-min_days" name="reason" maxlength="500" value="调整"' in bad.text
    no_reason = _post(client, value="4", reason=" ", csrf_token=token, digest=digest)
    assert no_reason.status_code == 400
    assert re.search(r'<p class="error" id="reason-min_days-error">请填写修改理由', no_reason.text)
    assert 'value="4"' in no_reason.text
    assert not (ctx.home / "rules.toml").exists()
    assert _events(database) == []


def test_a_double_submit_is_refused_in_words(
    ctx: Context, client: TestClient, database: Database, analyst: str
) -> None:
    token = _as(client, analyst)
    form = {"value": "4", "reason": "调整", "csrf_token": token, "digest": _digest(client)}
    assert _post(client, **form).status_code == 303
    written = (ctx.home / "rules.toml").read_text(encoding="utf-8")
    again = _post(client, **form | {"value": "6"})
    assert again.status_code == 409
    assert re.search(r'<p class="notice" id="param-notice" role="alert">规则配置文件已被修改', again.text)
    assert (
        f'name="digest" value="{read_file(ctx.home).digest}"' in again.text
    )  # the form now carries the new file
    assert (ctx.home / "rules.toml").read_text(encoding="utf-8") == written
    assert len(_events(database)) == 1


def test_csrf_missing_changes_nothing(
    ctx: Context, client: TestClient, database: Database, analyst: str
) -> None:
    _as(client, analyst)
    digest = _digest(client)
    assert _post(client, value="4", reason="调整", digest=digest).status_code == 403
    assert _post(client, value="4", reason="调整", digest=digest, csrf_token="forged").status_code == 403
    assert not (ctx.home / "rules.toml").exists()
    assert _events(database) == []


@pytest.mark.parametrize("name", ["city", "other_city", "hospital1", "auditor"])
def test_who_may_not_change_parameters(
    ctx: Context, client: TestClient, database: Database, analyst: str, name: str
) -> None:
    """An office and an auditor (no 规则配置), an analyst of another city (not every institution)."""
    token = _as(client, name)
    page = client.get(PAGE).text
    assert not FORM.search(page)
    assert "本帐号只读" in page
    digest = read_file(ctx.home).digest
    refused = _post(client, value="4", reason="调整", csrf_token=token, digest=digest)
    assert refused.status_code == 403
    assert not (ctx.home / "rules.toml").exists()
    assert _events(database) == []


def test_unknown_rule_or_parameter(client: TestClient, analyst: str) -> None:
    token = _as(client, analyst)
    digest = _digest(client)
    assert (
        _post(client, "/params/nope", value="4", reason="x", csrf_token=token, digest=digest).status_code
        == 404
    )
    missing = client.post(
        "/rules/ZZ9/params/min_days", data={"value": "4", "reason": "x", "csrf_token": token}
    )
    assert missing.status_code == 404
