"""The forced password change on first login, for accounts an office creates or resets."""

from __future__ import annotations

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from sanjianguan.access import users
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import Role, User
from tests.web.pages.helpers import page_csrf, post_login
from tests.workflow_db.fixtures import PASSWORD

NEW = "a brand new passphrase"


def _handed_out(database: Database) -> None:
    with database.transaction() as session:
        users.create_user(
            session,
            username="newcounty",
            password=PASSWORD,
            role=Role.OFFICE,
            region_code="511502",
            must_change_password=True,
        )


def _change(client: TestClient, current: str, new: str, confirm: str) -> Response:
    data = {"csrf_token": page_csrf(client, "/password")}
    data |= {"current_password": current, "new_password": new, "confirm_password": confirm}
    return client.post("/password", data=data)


def test_a_handed_out_account_must_change_its_password_first(client: TestClient, database: Database) -> None:
    _handed_out(database)
    login = post_login(client, "newcounty")
    assert login.status_code == 303
    assert login.headers["location"] == "/password"
    assert client.get("/").headers["location"] == "/password"  # no other page until changed
    form = client.get("/password")
    assert "首次登录须设置自己的密码" in form.text
    old_cookie = client.cookies["sjg_session"]
    done = _change(client, PASSWORD, NEW, NEW)
    assert done.status_code == 303
    assert done.headers["location"] == "/"
    assert client.get("/").status_code == 200
    assert client.cookies["sjg_session"] != old_cookie  # a new session; the old one ended
    with database.sessions() as session:
        user = session.execute(select(User).where(User.username == "newcounty")).scalar_one()
        assert user.must_change_password is False
    client.cookies.clear()
    assert post_login(client, "newcounty", password=NEW).headers["location"] == "/"


def test_password_form_errors_stand_by_their_fields(client: TestClient, database: Database) -> None:
    _handed_out(database)
    post_login(client, "newcounty")
    cases = [
        (("wrong one!!", NEW, NEW), "current_password-error", "当前密码不正确"),
        ((PASSWORD, "short", "short"), "new_password-error", "密码至少 10 个字符"),
        ((PASSWORD, PASSWORD, PASSWORD), "new_password-error", "新密码不能与当前密码相同"),
        ((PASSWORD, NEW, NEW + "x"), "confirm_password-error", "两次输入的新密码不一致"),
        ((PASSWORD, "x" * 1025, "x" * 1025), "new_password-error", "密码最多 1024 个字符"),
    ]
    for fields, element, message in cases:
        response = _change(client, *fields)
        assert response.status_code == 400, fields
        assert f'id="{element}">{message}<' in response.text, fields
    assert client.get("/").headers["location"] == "/password"  # still pending


def test_a_password_change_needs_the_csrf_token(client: TestClient, database: Database) -> None:
    _handed_out(database)
    post_login(client, "newcounty")
    data = {"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW}
    assert client.post("/password", data=data).status_code == 403
    assert client.get("/").headers["location"] == "/password"


def test_users_the_office_did_not_hand_out_go_straight_in(client: TestClient) -> None:
    assert post_login(client, "county").headers["location"] == "/"


def test_an_overlong_field_is_refused_by_name_never_cut(client: TestClient, database: Database) -> None:
    _handed_out(database)
    post_login(client, "newcounty")
    response = _change(client, PASSWORD, "y" * 5000, "y" * 5000)
    assert response.status_code == 400
    assert "表单字段 new_password 过长（最多 4096 个字符）" in response.text
    assert client.get("/").headers["location"] == "/password"  # nothing was changed
