"""帐号管理 (辖区平台帐号分发、管理, seed 000): the office's accounts page, `/accounts`.

Lists the accounts of the office's jurisdiction and, as forms, what the office may do to
each: create (开设帐号), disable / enable (停用 / 启用), reset the password (重置密码) and
assign a role (变更角色). Everything goes through `access.accounts` (permission
`user.manage`, the jurisdiction, the reserved auditor role; audited). A password the
office gives is generated and shown once on the result page (never in a URL, never
cached); its user must change it at the first login.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from sanjianguan.access import accounts
from sanjianguan.errors import ConflictError, InvalidInputError, NotFoundError
from sanjianguan.web.deps import Now, SessionDep
from sanjianguan.web.pages.forms import SignedForm
from sanjianguan.web.pages.layout import frame
from sanjianguan.web.pages.office_forms import conflict_notice, done_message, field_errors
from sanjianguan.web.pages.session import PageUser, page_token, redirect
from sanjianguan.web.pages.templating import render
from sanjianguan.workflow_db.models import Role, User

router = APIRouter(include_in_schema=False)
PAGE = "/accounts"
DONE = {
    "disabled": "帐号已停用，其所有会话已结束。",
    "enabled": "帐号已启用，其用户可重新登录。",
    "role": "角色已变更。",
}
CREATE_FIELDS = {
    "invalid_username": "username",
    "username_taken": "username",
    "unknown_role": "role",
    "reserved_role": "role",
    "unit_required": "unit",
    "unknown_region": "region_code",
    "invalid_region_code": "region_code",
    "region_not_found": "region_code",
    "institution_not_found": "institution_id",
    "unknown_institution": "institution_id",
}
UserId = Path(ge=1, le=2**31 - 1)


def _role(value: str) -> Role | None:
    try:
        return Role(value)
    except ValueError:
        return None


def _page(
    request: Request,
    session: Session,
    user: User,
    *,
    done: str = "",
    notice: str = "",
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    row_errors: dict[int, str] | None = None,
    status: int = 200,
) -> Response:
    rows = accounts.list_accounts(session, user)
    context: dict[str, Any] = frame(session, user, page_token(request) or "", active=PAGE) | {
        "accounts": rows,
        "places": {row.id: accounts.account_region(session, row) for row in rows},
        "manageable": {row.id: accounts.manageable(user, row) for row in rows},
        "stamps": {row.id: accounts.password_stamp(row) for row in rows},
        "must_change": {row.id: row.must_change_password for row in rows},
        "roles": accounts.GRANTABLE_ROLES,
        "regions": accounts.regions_of(session, user),
        "institutions": accounts.institutions_of(session, user),
        "done": done,
        "notice": notice,
        "form": form or {},
        "errors": errors or {},
        "row_errors": row_errors or {},
    }
    return render("accounts.html", context, status=status)


@router.get(PAGE)
def accounts_page(
    request: Request, user: PageUser, session: SessionDep, done: str | None = Query(None, max_length=32)
) -> Response:
    """帐号管理."""
    return _page(request, session, user, done=done_message(DONE, done))


def _create_errors(form: dict[str, str], role: Role | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not form.get("username", "").strip():
        errors["username"] = "请输入用户名"
    if role is None:
        errors["role"] = "请选择角色"
    elif role is Role.INSTITUTION and not form.get("institution_id"):
        errors["institution_id"] = "医疗机构帐号须选择所属机构"
    elif role is not Role.INSTITUTION and not form.get("region_code"):
        errors["region_code"] = "该角色须选择行政区划"
    return errors


@router.post(PAGE)
def create(request: Request, form: SignedForm, user: PageUser, session: SessionDep) -> Response:
    """开设帐号: the result page shows the generated password once."""
    kept = {
        k: form.get(k, "").strip()
        for k in ("username", "display_name", "role", "region_code", "institution_id")
    }
    role = _role(kept["role"])
    errors = _create_errors(kept, role)
    if errors or role is None:
        return _page(request, session, user, form=kept, errors=errors, status=400)
    institution = kept["institution_id"] if role is Role.INSTITUTION else None
    try:
        account, password = accounts.create_account(
            session,
            user,
            username=kept["username"],
            role=role,
            display_name=kept["display_name"],
            region_code=None if institution else kept["region_code"],
            institution_id=institution,
        )
    except (InvalidInputError, NotFoundError, ConflictError) as exc:  # the form's own fields
        session.rollback()
        unit = "institution_id" if institution else "region_code"
        found = field_errors(exc, CREATE_FIELDS | {"unit_required": unit}, "username")
        status = 409 if isinstance(exc, ConflictError) else 400
        return _page(request, session, user, form=kept, errors=found, status=status)
    return _result(request, session, user, account, password, created=True)


def _result(
    request: Request, session: Session, user: User, account: User, password: str, *, created: bool
) -> Response:
    context = frame(session, user, page_token(request) or "", active=PAGE) | {
        "account": account,
        "place": accounts.account_region(session, account),
        "password": password,
        "created": created,
    }
    return render("account_password.html", context)


@router.post(PAGE + "/{user_id}/reset")
def reset(
    request: Request, form: SignedForm, user: PageUser, session: SessionDep, now: Now, user_id: int = UserId
) -> Response:
    """重置密码: every session of the account ends; the new password is shown once."""
    try:
        account, password = accounts.reset_password(
            session, user, user_id, stamp=form.get("stamp", ""), now=now
        )
    except ConflictError as exc:
        return _page(request, session, user, notice=conflict_notice(session, exc), status=409)
    return _result(request, session, user, account, password, created=False)


@router.post(PAGE + "/{user_id}/active")
def active(
    request: Request, form: SignedForm, user: PageUser, session: SessionDep, now: Now, user_id: int = UserId
) -> Response:
    """停用 / 启用 (`active` = 0 / 1)."""
    wanted = form.get("active")
    if wanted not in {"0", "1"}:
        return _page(request, session, user, row_errors={user_id: "请求无效：缺少停用或启用"}, status=400)
    try:
        accounts.set_active(session, user, user_id, wanted == "1", now=now)
    except ConflictError as exc:
        return _page(request, session, user, notice=conflict_notice(session, exc), status=409)
    return redirect(f"{PAGE}?done={'enabled' if wanted == '1' else 'disabled'}")


@router.post(PAGE + "/{user_id}/role")
def role(
    request: Request, form: SignedForm, user: PageUser, session: SessionDep, now: Now, user_id: int = UserId
) -> Response:
    """变更角色 within the account's unit."""
    wanted = _role(form.get("role", ""))
    if wanted is None:
        return _page(request, session, user, row_errors={user_id: "请选择角色"}, status=400)
    try:
        accounts.assign_role(session, user, user_id, wanted, now=now)
    except InvalidInputError as exc:
        session.rollback()
        return _page(request, session, user, row_errors={user_id: exc.message_zh}, status=400)
    except ConflictError as exc:
        return _page(request, session, user, notice=conflict_notice(session, exc), status=409)
    return redirect(f"{PAGE}?done=role")
