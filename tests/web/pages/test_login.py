"""Browser sessions: login by the form, the cookie, the lockout, CSRF, logout, the guard."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.pages.helpers import csrf_of, page_csrf, post_login, sign_in


def test_login_sets_a_lax_httponly_cookie_and_opens_the_home_page(client: TestClient) -> None:
    response = post_login(client, "county")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "sjg_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain HTTP, secure_cookie not set
    home = client.get("/")
    assert home.status_code == 200
    assert '<html lang="zh-CN">' in home.text
    assert "驾驶舱" in home.text
    assert "county" in home.text


def test_the_cookie_is_secure_over_https(client: TestClient) -> None:
    client.base_url = client.base_url.copy_with(scheme="https")
    response = post_login(client, "county")
    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"]


def test_login_returns_to_the_page_asked_for_but_never_off_site(client: TestClient) -> None:
    asked = client.get("/?period=2026-02")
    assert asked.status_code == 303
    assert asked.headers["location"] == "/login?next=/%3Fperiod%3D2026-02"
    assert post_login(client, "county", next="/?period=2026-02").headers["location"] == "/?period=2026-02"
    client.cookies.clear()
    assert post_login(client, "county", next="//evil.example/x").headers["location"] == "/"


def test_wrong_password_shows_the_error_by_the_field_and_keeps_the_username(client: TestClient) -> None:
    response = post_login(client, "county", password="wrong password!")
    assert response.status_code == 401
    assert 'id="password-error">用户名或密码错误<' in response.text
    assert 'value="county"' in response.text
    assert "sjg_session" not in client.cookies
    assert "Traceback" not in response.text


def test_empty_fields_are_named(client: TestClient) -> None:
    response = post_login(client, "", password="")
    assert response.status_code == 400
    assert "请输入用户名" in response.text
    assert "请输入密码" in response.text


def test_the_login_rate_limit_is_the_apis(client: TestClient) -> None:
    for _ in range(5):
        assert post_login(client, "county", password="wrong password!").status_code == 401
    locked = post_login(client, "county")  # the right password, still locked
    assert locked.status_code == 429
    assert "登录失败次数过多，请 15 分钟后再试" in locked.text
    assert int(locked.headers["retry-after"]) > 0
    api = client.post("/api/v1/session", json={"username": "county", "password": "x" * 10})
    assert api.status_code == 429  # the same lock, whichever door


def test_a_login_without_its_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    response = client.post("/login", data={"username": "county", "password": "correct horse battery"})
    assert response.status_code == 403
    assert "表单已过期或来源不明" in response.text
    forged = client.post(
        "/login", data={"username": "county", "password": "correct horse battery", "csrf_token": "guess"}
    )
    assert forged.status_code == 403
    assert "sjg_session" not in client.cookies


def test_logout_needs_the_session_csrf_token(client: TestClient) -> None:
    sign_in(client, "county")
    assert client.post("/logout", data={}).status_code == 403
    assert client.post("/logout", data={"csrf_token": "0" * 64}).status_code == 403
    assert client.get("/").status_code == 200  # still signed in
    token = page_csrf(client)
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert client.get("/").status_code == 303


def test_logout_ends_the_session_for_the_api_too(client: TestClient) -> None:
    sign_in(client, "county")
    cookie = client.cookies["sjg_session"]
    client.post("/logout", data={"csrf_token": page_csrf(client)})
    client.cookies.set("sjg_session", cookie)
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/").headers["location"].startswith("/login")


def test_pages_need_the_cookie_session_not_a_bearer_token(client: TestClient) -> None:
    token = client.post("/api/v1/session", json={"username": "county", "password": "correct horse battery"})
    bearer = {"Authorization": f"Bearer {token.json()['token']}"}
    client.cookies.clear()
    assert client.get("/", headers=bearer).status_code == 303
    refused = client.post("/logout", headers=bearer, data={"csrf_token": "x"})
    assert refused.status_code == 303
    assert refused.headers["location"].startswith("/login")


def test_the_login_page_static_files_and_docs_are_public(client: TestClient) -> None:
    login = client.get("/login")
    assert login.status_code == 200
    assert csrf_of(login.text)
    assert "script-src 'self'" in login.headers["content-security-policy"]
    assert client.get("/static/app/app.css").status_code == 200
    assert client.get("/static/app/dashboard.js").status_code == 200
    assert client.get("/docs").status_code == 200


def test_an_unknown_page_is_a_404_not_a_login(client: TestClient) -> None:
    assert client.get("/no-such-page").status_code == 404
