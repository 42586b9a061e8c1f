"""用户: create, list, disable/enable users, change or reset passwords, change roles.

Audited; neither hashes nor passwords are ever logged.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from sanjianguan.access.passwords import check_strength, hash_password, verify_password
from sanjianguan.access.regions import RegionCode, known_region
from sanjianguan.audit.events import (
    PasswordChanged,
    PasswordReset,
    UserCreated,
    UserDisabled,
    UserEnabled,
    UserRoleChanged,
)
from sanjianguan.audit.log import SYSTEM, Actor, record
from sanjianguan.errors import ConflictError, InvalidInputError
from sanjianguan.workflow_db.base import utcnow
from sanjianguan.workflow_db.models import AuthSession, Institution, Role, User

USERNAME = re.compile(r"^[\w.@-]{2,64}$")
# Generated passwords: no look-alikes (0/O, 1/l/I), read out or typed from a printout.
PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


def normalise_username(username: str) -> str:
    """Usernames compare case-insensitively (stored lower-case, trimmed)."""
    return username.strip().lower()


def find_user(session: Session, username: str) -> User | None:
    return session.execute(
        select(User).where(User.username == normalise_username(username))
    ).scalar_one_or_none()


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise InvalidInputError(
            f"未知角色：{value}（可选：{roles}）",
            f"unknown role {value} (one of: {roles})",
            code="unknown_role",
        ) from None


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role,
    region_code: str | None = None,
    institution_id: str | None = None,
    display_name: str = "",
    actor: Actor = SYSTEM,
    must_change_password: bool = False,
    email: str | None = None,
) -> User:
    """A new user tied to a region, or (role `institution`) to an institution.

    `must_change_password`: the password was chosen by someone else (an office handing out
    the account): the browser pages make the user change it at the first login.
    `email`: where the message centre's email channel writes to (none: no email).
    """
    name = _check_username(session, username)
    check_strength(password)
    _check_unit(session, role, region_code, institution_id, actor)
    user = User(
        username=name,
        display_name=display_name,
        role=role,
        password_hash=hash_password(password),
        region_code=region_code.strip() if region_code else None,
        institution_id=institution_id,
        must_change_password=must_change_password,
    )
    if (address := check_email(email)) is not None:
        user.email = address  # set only when given: a store before migration 0012 has no such column
    session.add(user)
    session.flush()
    record(session, UserCreated(subject_id=str(user.id), after=_state(user)), actor=actor)
    return user


def change_password(
    session: Session,
    user: User,
    new_password: str,
    *,
    actor: Actor = SYSTEM,
    now: datetime | None = None,
    must_change: bool = False,
) -> None:
    """Set a new password and end every open session of the user.

    `must_change`: a reset by someone else; the user must change it at the next login.
    """
    check_strength(new_password)
    when = now or utcnow()
    user.password_hash, user.password_changed_at = hash_password(new_password), when
    user.must_change_password = must_change
    session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=when)
    )
    record(session, PasswordChanged(subject_id=str(user.id)), actor=actor, now=when)


def check_own_password(user: User, current: str, new: str) -> None:
    """The checks of 修改密码 by the user: the current password proves it is them, the new
    one is strong enough and differs. Refusals are `InvalidInputError` with codes
    `wrong_password`, `weak_password`, `password_too_long` or `same_password`, so a form
    can put each next to its field."""
    if not verify_password(user.password_hash, current):
        raise InvalidInputError("当前密码不正确", "the current password is wrong", code="wrong_password")
    check_strength(new)
    if new == current:
        raise InvalidInputError(
            "新密码不能与当前密码相同",
            "the new password must differ from the current one",
            code="same_password",
        )


def change_own_password(
    session: Session, user: User, current: str, new: str, *, now: datetime | None = None
) -> None:
    """修改密码 by the user (`check_own_password`, then `change_password` as their own act)."""
    check_own_password(user, current, new)
    change_password(session, user, new, actor=Actor.of(user), now=now)


def generate_password(groups: int = 4, size: int = 4) -> str:
    """A random password to hand out (e.g. `Kp7w-Rx2m-...`, 19 characters, ~94 bits)."""
    return "-".join("".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(size)) for _ in range(groups))


def _end_sessions(session: Session, user: User, when: datetime) -> int:
    """End every open session of `user`; how many there were."""
    open_sessions = (AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None))
    count = session.execute(select(func.count()).select_from(AuthSession).where(*open_sessions)).scalar_one()
    session.execute(update(AuthSession).where(*open_sessions).values(revoked_at=when))
    return int(count)


def reset_password(
    session: Session, user: User, *, actor: Actor = SYSTEM, now: datetime | None = None
) -> str:
    """重置密码: a generated password, to be changed at the next login; every session ends.

    Returns the new password (to be shown once to whoever reset it; it is not stored).
    """
    password = generate_password()
    when = now or utcnow()
    user.password_hash, user.password_changed_at = hash_password(password), when
    user.must_change_password = True
    revoked = _end_sessions(session, user, when)
    record(session, PasswordReset(subject_id=str(user.id), sessions_revoked=revoked), actor=actor, now=when)
    return password


def set_role(
    session: Session, user: User, role: Role, *, actor: Actor = SYSTEM, now: datetime | None = None
) -> bool:
    """变更角色 within the user's unit (an institution user stays `institution`, a region user
    takes a regional role or `expert`). False when nothing changed (not audited)."""
    if user.role is role:
        return False
    if (role is Role.INSTITUTION) != (user.institution_id is not None):
        raise InvalidInputError(
            "机构帐号只能是“医疗机构”角色，区划帐号不能改为“医疗机构”",
            "an institution account keeps the institution role; a region account cannot take it",
            code="role_unit_mismatch",
        )
    before = {"role": user.role.value}
    user.role = role
    event = UserRoleChanged(subject_id=str(user.id), before=before, after={"role": role.value})
    record(session, event, actor=actor, now=now or utcnow())
    return True


def list_users(session: Session, *, role: Role | None = None, region_code: str | None = None) -> list[User]:
    """Users by username; `region_code`: the users of that region and of the regions inside it
    (an institution user counts where its institution lies). The region must be known."""
    query = select(User).order_by(User.username)
    if role is not None:
        query = query.where(User.role == role)
    found = list(session.execute(query).scalars())
    if region_code is None:
        return found
    area = RegionCode(known_region(session, region_code).code)
    return [user for user in found if _inside(session, user, area)]


def set_active(
    session: Session, user: User, active: bool, *, actor: Actor = SYSTEM, now: datetime | None = None
) -> bool:
    """停用 / 启用 a user; disabling ends its open sessions. False when nothing changed (not audited)."""
    if user.is_active is active:
        return False
    when = now or utcnow()
    before = {"is_active": user.is_active}
    user.is_active = active
    if active:
        record(
            session,
            UserEnabled(subject_id=str(user.id), before=before, after={"is_active": True}),
            actor=actor,
            now=when,
        )
        return True
    open_sessions = (AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None))
    revoked = session.execute(
        select(func.count()).select_from(AuthSession).where(*open_sessions)
    ).scalar_one()
    session.execute(update(AuthSession).where(*open_sessions).values(revoked_at=when))
    event = UserDisabled(
        subject_id=str(user.id), before=before, after={"is_active": False}, sessions_revoked=revoked
    )
    record(session, event, actor=actor, now=when)
    return True


def _inside(session: Session, user: User, area: RegionCode) -> bool:
    code = user.region_code
    if code is None and user.institution_id is not None:
        institution = session.get(Institution, user.institution_id)
        code = institution.region_code if institution else None
    return code is not None and area.contains(RegionCode(code))


def _check_username(session: Session, username: str) -> str:
    name = normalise_username(username)
    if not USERNAME.match(name):
        raise InvalidInputError(
            f"用户名无效：{username!r}", f"invalid username {username!r}", code="invalid_username"
        )
    if find_user(session, name) is not None:
        raise ConflictError(f"用户名已存在：{name}", f"username already taken: {name}", code="username_taken")
    return name


def _check_unit(
    session: Session, role: Role, region: str | None, institution: str | None, actor: Actor
) -> None:
    if role is Role.INSTITUTION:
        if region or not institution:
            raise InvalidInputError(
                "机构用户须指定机构（且仅机构）",
                "an institution user needs an institution (only)",
                code="unit_required",
            )
        if session.get(Institution, institution) is None:
            raise InvalidInputError(
                f"未知机构：{institution}", f"unknown institution: {institution}", code="unknown_institution"
            )
        return
    if institution or not region:
        raise InvalidInputError(
            "该角色须指定行政区划（且仅区划）", "this role needs a region (only)", code="unit_required"
        )
    known_region(session, region)


def _state(user: User) -> dict[str, str | None]:
    return {
        "username": user.username,
        "role": user.role.value,
        "region_code": user.region_code,
        "institution_id": user.institution_id,
    }


def check_email(value: str | None) -> str | None:
    """An email address as given (trimmed), or None; one without `@`, with spaces or too long is a 400."""
    if value is None or not value.strip():
        return None
    address = value.strip()
    local, _, domain = address.partition("@")
    if not local or "." not in domain or any(ch.isspace() for ch in address) or len(address) > 254:
        raise InvalidInputError(
            f"电子邮箱格式不正确：{address}", f"not an email address: {address}", code="invalid_email"
        )
    return address
