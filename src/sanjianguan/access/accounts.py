"""帐号管理 (辖区平台帐号分发、管理, seed 000): an office manages the accounts of its jurisdiction.

Who: a user allowed `user.manage` (the office). Which accounts: those of its region and the
regions below it, and the accounts of the institutions located there (a county hands out
accounts to its institutions). Any other account does not exist for it (404, as an unknown
one). Every action goes through `access.users` and is audited with the office as actor.

Two limits keep an office from reaching past its place:
- it hands out roles in a region inside its own only, so never an office of a higher region;
- the auditor's role (纪检监察, who oversees the office) is reserved: an office can neither
  give it nor reset, disable or change an auditor's account (a reset shows the office the
  new password). Auditor accounts are set up with the command line (`sjg users`).
It does not manage its own account here either (its password: the 修改密码 page).

A password an office gives (new account, reset) is generated, returned once for the office
to hand over, never stored in clear nor logged, and must be changed at the first login.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy.orm import Session

from sanjianguan.access import users
from sanjianguan.access.jurisdiction import visible
from sanjianguan.access.permissions import Action, require
from sanjianguan.access.regions import RegionCode, list_regions
from sanjianguan.access.scope import jurisdiction_of, region_visible, require_region
from sanjianguan.audit.log import Actor
from sanjianguan.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from sanjianguan.workflow_db.models import Institution, Region, Role, User

RESERVED_ROLES = frozenset({Role.AUDITOR})
GRANTABLE_ROLES = tuple(role for role in Role if role not in RESERVED_ROLES)


def account_region(session: Session, account: User) -> str | None:
    """The region an account belongs to (an institution account: where its institution lies)."""
    if account.region_code is not None:
        return account.region_code
    if account.institution_id is not None:
        institution = session.get(Institution, account.institution_id)
        return institution.region_code if institution else None
    return None


def in_jurisdiction(session: Session, manager: User, account: User) -> bool:
    """Whether `account` lies in `manager`'s region (itself or below)."""
    code = account_region(session, account)
    return code is not None and region_visible(manager, RegionCode.parse(code))


def list_accounts(session: Session, manager: User, *, role: Role | None = None) -> list[User]:
    """The accounts of the manager's jurisdiction, by username."""
    require(manager, Action.USER_MANAGE)
    region = jurisdiction_of(manager).region
    if region is None:
        return []
    return users.list_users(session, role=role, region_code=region.code)


def get_account(session: Session, manager: User, user_id: int) -> User:
    """One account of the manager's jurisdiction; NotFoundError otherwise (existence does not leak)."""
    require(manager, Action.USER_MANAGE)
    account = session.get(User, user_id)
    if account is None or not in_jurisdiction(session, manager, account):
        raise NotFoundError.no_such("帐号", "user", user_id)
    return account


def manageable(manager: User, account: User) -> bool:
    """Whether the manager may change `account` (not its own, not a reserved role's)."""
    return account.id != manager.id and account.role not in RESERVED_ROLES


def _managed(session: Session, manager: User, user_id: int) -> User:
    account = get_account(session, manager, user_id)
    if account.id == manager.id:
        raise PermissionDeniedError(
            "不能在帐号管理中修改自己的帐号（修改密码请用“修改密码”页）",
            "an office does not manage its own account here (use the password page)",
            code="own_account",
        )
    if account.role in RESERVED_ROLES:
        raise PermissionDeniedError(
            f"“{account.role.label_zh}”帐号由系统管理员用命令行（sjg users）管理",
            f"{account.role.value} accounts are managed with the command line (sjg users)",
            code="reserved_role",
        )
    return account


def _grantable(role: Role) -> Role:
    if role in RESERVED_ROLES:
        raise InvalidInputError(
            f"办公室不能授予“{role.label_zh}”角色",
            f"an office cannot grant the {role.value} role",
            code="reserved_role",
        )
    return role


def regions_of(session: Session, manager: User) -> list[Region]:
    """The registered regions an account may be placed in by `manager` (its own and below)."""
    return [r for r in list_regions(session) if region_visible(manager, RegionCode(r.code))]


def institutions_of(session: Session, manager: User) -> list[Institution]:
    """The institutions of the manager's jurisdiction, by id."""
    return list(session.scalars(visible(manager, Institution).order_by(Institution.id)))


def create_account(
    session: Session,
    manager: User,
    *,
    username: str,
    role: Role,
    display_name: str = "",
    region_code: str | None = None,
    institution_id: str | None = None,
) -> tuple[User, str]:
    """开设帐号 in the jurisdiction; the generated password is returned once (must be changed)."""
    require(manager, Action.USER_MANAGE)
    _grantable(role)
    if institution_id:
        found = session.scalar(visible(manager, Institution).where(Institution.id == institution_id))
        if found is None:
            raise NotFoundError.no_such("机构", "institution", institution_id)
    if region_code:
        require_region(manager, region_code)
    password = users.generate_password()
    account = users.create_user(
        session,
        username=username,
        password=password,
        role=role,
        region_code=region_code or None,
        institution_id=institution_id or None,
        display_name=display_name.strip(),
        actor=Actor.of(manager),
        must_change_password=True,
    )
    return account, password


def password_stamp(account: User) -> str:
    """A short fingerprint of the account's current password hash: a reset form carries it, so
    a second submit of the same form (after the first reset) is refused, not a second reset."""
    return hashlib.sha256(account.password_hash.encode("utf-8")).hexdigest()[:16]


def reset_password(
    session: Session, manager: User, user_id: int, *, stamp: str, now: datetime
) -> tuple[User, str]:
    """重置密码: a new generated password (returned once); every session of the account ends."""
    account = _managed(session, manager, user_id)
    if stamp != password_stamp(account):
        raise ConflictError(
            "该帐号的密码在此表单打开后已被重置（可能是重复提交）；如仍需要，请重新打开帐号管理页再重置",
            "the password was reset since this form was opened (a repeated submit?)",
            code="already_done",
        )
    return account, users.reset_password(session, account, actor=Actor.of(manager), now=now)


def set_active(session: Session, manager: User, user_id: int, active: bool, *, now: datetime) -> User:
    """停用 / 启用 an account (disabling ends its sessions); 409 when it already is."""
    account = _managed(session, manager, user_id)
    if not users.set_active(session, account, active, actor=Actor.of(manager), now=now):
        word = "启用" if active else "停用"
        raise ConflictError(
            f"帐号已是{word}状态",
            f"the account is already {'en' if active else 'dis'}abled",
            code="already_done",
        )
    return account


def assign_role(session: Session, manager: User, user_id: int, role: Role, *, now: datetime) -> User:
    """变更角色 within the account's unit (never a reserved role); 409 when it already has it."""
    account = _managed(session, manager, user_id)
    _grantable(role)
    if not users.set_role(session, account, role, actor=Actor.of(manager), now=now):
        raise ConflictError(
            f"帐号已是“{role.label_zh}”角色",
            f"the account already has the role {role.value}",
            code="already_done",
        )
    return account
