"""帐号管理 page: the office's jurisdiction only, each form checked, audited, shown once."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from sanjianguan.access import accounts
from sanjianguan.access.passwords import verify_password
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent, AuthSession, Role, User
from tests.web.pages.helpers import csrf_of, page_csrf, post_login, sign_in
from tests.workflow_db.fixtures import Org

ROW = re.compile(r'<tr id="account-(\d+)" data-username="([^"]+)"')
PASSWORD = re.compile(r'id="generated-password">([^<]+)</code>')
STAMP = re.compile(r'action="/accounts/(\d+)/reset".*?name="stamp" value="([0-9a-f]+)"', re.S)


def _listed(client: TestClient) -> set[str]:
    response = client.get("/accounts")
    assert response.status_code == 200, response.text
    return {name for _, name in ROW.findall(response.text)}


def _events(database: Database, name: str) -> list[AuditEvent]:
    with database.sessions() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.event == name).order_by(AuditEvent.seq)))


def _user(database: Database, username: str) -> User:
    with database.sessions() as s:
        found = s.scalars(select(User).where(User.username == username)).one()
        _ = found.must_change_password
        s.expunge(found)
        return found


def test_each_office_lists_the_service_s_accounts_of_its_jurisdiction(
    client: TestClient, database: Database, org: Org
) -> None:
    seen = {}
    for office in ("city", "county"):
        client.cookies.clear()
        sign_in(client, office)
        seen[office] = _listed(client)
        with database.sessions() as s:
            manager = s.get(User, org.users[office].id)
            assert manager is not None
            assert seen[office] == {u.username for u in accounts.list_accounts(s, manager)}
    assert seen["county"] == {"county", "investigator", "hospital1"}
    assert "hospital2" in seen["city"]
    assert "insurance" in seen["city"]
    assert not seen["city"] & {"province", "other_city", "auditor"}


def test_roles_without_the_permission_get_403_and_no_link(client: TestClient) -> None:
    for username in ("hospital1", "auditor", "investigator"):
        client.cookies.clear()
        sign_in(client, username)
        assert 'href="/accounts"' not in client.get("/").text
        assert client.get("/accounts").status_code == 403
    client.cookies.clear()
    sign_in(client, "county")
    assert 'href="/accounts"' in client.get("/").text


def test_a_county_hands_out_an_institution_account_shown_once(client: TestClient, database: Database) -> None:
    sign_in(client, "county")
    token = page_csrf(client, "/accounts")
    form = {"csrf_token": token, "username": "h1.yibao", "display_name": "王医保", "role": "institution"}
    response = client.post("/accounts", data=form | {"institution_id": "H1"})
    assert response.status_code == 200, response.text
    password = PASSWORD.search(response.text)
    assert password
    created = _user(database, "h1.yibao")
    assert created.institution_id == "H1"
    assert created.must_change_password
    assert verify_password(created.password_hash, password.group(1))
    event = _events(database, "user.created")[-1]
    assert event.subject_id == str(created.id)
    assert password.group(1) not in str((event.payload, event.after))
    assert password.group(1) not in client.get("/accounts").text  # never shown again
    # the new user must change it first
    client.cookies.clear()
    assert post_login(client, "h1.yibao", password.group(1)).headers["location"] == "/password"


def test_create_refuses_outside_the_jurisdiction_and_keeps_the_input(
    client: TestClient, database: Database
) -> None:
    sign_in(client, "county")
    token = page_csrf(client, "/accounts")
    base = {"csrf_token": token, "username": "x.new", "display_name": "张三"}
    cases = [
        ({"role": "institution", "institution_id": "H2"}, "new-institution_id-error", "机构不存在"),
        ({"role": "office", "region_code": "511500"}, "new-region_code-error", "不在管辖范围内"),
        ({"role": "auditor", "region_code": "511502"}, "new-role-error", "不能授予"),
        ({"role": "office"}, "new-region_code-error", "须选择行政区划"),
        ({"role": "office", "region_code": "511502", "username": "  "}, "new-username-error", "请输入用户名"),
    ]
    for extra, error_id, words in cases:
        response = client.post("/accounts", data=base | extra)
        assert response.status_code == 400, (extra, response.text)
        assert f'id="{error_id}">' in response.text, extra
        assert words in response.text, extra
        assert 'value="张三"' in response.text  # the input is kept
    taken = client.post(
        "/accounts", data=base | {"role": "office", "region_code": "511502", "username": "Hospital2"}
    )
    assert taken.status_code == 409
    assert 'id="new-username-error">用户名已存在' in taken.text
    with database.sessions() as s:
        assert s.scalars(select(User).where(User.username == "x.new")).first() is None


def test_without_csrf_nothing_changes(client: TestClient, database: Database, org: Org) -> None:
    sign_in(client, "county")
    target = org.users["investigator"].id
    for path, data in [
        ("/accounts", {"username": "y.new", "role": "office", "region_code": "511502"}),
        (f"/accounts/{target}/active", {"active": "0"}),
        (f"/accounts/{target}/role", {"role": "office"}),
        (f"/accounts/{target}/reset", {"stamp": "x"}),
    ]:
        assert client.post(path, data=data).status_code == 403
        assert client.post(path, data=data | {"csrf_token": "forged"}).status_code == 403
    found = _user(database, "investigator")
    assert found.is_active
    assert found.role is Role.INVESTIGATOR
    assert _events(database, "user.created") == []


def test_disable_enable_once_each_and_sessions_end(client: TestClient, database: Database, org: Org) -> None:
    other = TestClient(client.app, follow_redirects=False)
    sign_in(other, "investigator")
    sign_in(client, "county")
    token = page_csrf(client, "/accounts")
    target = org.users["investigator"].id
    done = client.post(f"/accounts/{target}/active", data={"csrf_token": token, "active": "0"})
    assert done.status_code == 303
    assert done.headers["location"] == "/accounts?done=disabled"
    assert 'id="done">帐号已停用' in client.get(done.headers["location"]).text
    assert not _user(database, "investigator").is_active
    assert other.get("/").status_code == 303  # its session ended
    again = client.post(f"/accounts/{target}/active", data={"csrf_token": token, "active": "0"})
    assert again.status_code == 409
    assert "帐号已是停用状态" in again.text
    assert len(_events(database, "user.disabled")) == 1
    assert (
        client.post(f"/accounts/{target}/active", data={"csrf_token": token, "active": "1"}).status_code
        == 303
    )
    assert _user(database, "investigator").is_active
    assert len(_events(database, "user.enabled")) == 1


def test_reset_shows_a_new_password_once_ends_sessions_and_a_repeat_is_refused(
    client: TestClient, database: Database, org: Org
) -> None:
    other = TestClient(client.app, follow_redirects=False)
    sign_in(other, "hospital1")
    sign_in(client, "county")
    page = client.get("/accounts").text
    target = org.users["hospital1"].id
    stamp = dict(STAMP.findall(page))[str(target)]
    form = {"csrf_token": csrf_of(page), "stamp": stamp}
    response = client.post(f"/accounts/{target}/reset", data=form)
    assert response.status_code == 200
    found = PASSWORD.search(response.text)
    assert found
    user = _user(database, "hospital1")
    assert verify_password(user.password_hash, found.group(1))
    assert user.must_change_password
    assert other.get("/").status_code == 303
    with database.sessions() as s:
        live = s.scalars(
            select(AuthSession).where(AuthSession.user_id == target, AuthSession.revoked_at.is_(None))
        )
        assert list(live) == []
    event = _events(database, "user.password_reset")[-1]
    assert event.subject_id == str(target)
    assert event.payload["sessions_revoked"] == 1
    repeat = client.post(f"/accounts/{target}/reset", data=form)  # the same form again
    assert repeat.status_code == 409
    assert "已被重置" in repeat.text
    assert PASSWORD.search(repeat.text) is None
    assert len(_events(database, "user.password_reset")) == 1


def test_assign_role_within_the_unit_and_the_limits(client: TestClient, database: Database, org: Org) -> None:
    sign_in(client, "city")
    token = page_csrf(client, "/accounts")
    target = org.users["investigator"].id
    done = client.post(f"/accounts/{target}/role", data={"csrf_token": token, "role": "adjudicator"})
    assert done.status_code == 303
    assert _user(database, "investigator").role is Role.ADJUDICATOR
    event = _events(database, "user.role_changed")[-1]
    assert (event.before, event.after) == ({"role": "investigator"}, {"role": "adjudicator"})
    refused = client.post(f"/accounts/{target}/role", data={"csrf_token": token, "role": "auditor"})
    assert refused.status_code == 400
    assert f'id="role-{target}-error">办公室不能授予' in refused.text
    hospital = org.users["hospital2"].id
    wrong = client.post(f"/accounts/{hospital}/role", data={"csrf_token": token, "role": "office"})
    assert wrong.status_code == 400
    assert f'id="role-{hospital}-error">机构帐号只能是' in wrong.text
    # outside the jurisdiction: 404; its own account and an auditor's: 403
    outside = org.users["other_city"].id
    assert (
        client.post(f"/accounts/{outside}/role", data={"csrf_token": token, "role": "office"}).status_code
        == 404
    )
    own = org.users["city"].id
    assert (
        client.post(f"/accounts/{own}/active", data={"csrf_token": token, "active": "0"}).status_code == 403
    )
    assert len(_events(database, "user.role_changed")) == 1


def test_a_county_cannot_touch_the_city_s_accounts(client: TestClient, database: Database, org: Org) -> None:
    sign_in(client, "county")
    token = page_csrf(client, "/accounts")
    for name in ("city", "hospital2", "adjudicator"):
        target = org.users[name].id
        assert (
            client.post(f"/accounts/{target}/active", data={"csrf_token": token, "active": "0"}).status_code
            == 404
        )
        assert (
            client.post(f"/accounts/{target}/reset", data={"csrf_token": token, "stamp": ""}).status_code
            == 404
        )
    assert all(_user(database, n).is_active for n in ("city", "hospital2", "adjudicator"))
