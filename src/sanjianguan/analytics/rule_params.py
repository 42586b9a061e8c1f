"""规则参数 (region parameters of the rules): set or reset one in `<home>/rules.toml`, audited.

`sjg analyze` reads `<home>/rules.toml` at each run (`rules.registry.load_catalogue`), so
a value written here is used from the next run. Who: the data collection and analysis
group (数据采集分析组, permission `rule.configure`; seed 000: it "提出修改完善监管规则
意见"), and only an account whose region covers every institution of the data folder,
since the file changes the hits of all of them (a county's analyst sees, not edits).

A change: the form's text is read as the parameter's declared type (`parse_value`), then
checked by the code that checks the file on load (`registry.coerce_param`, and the new
file loaded as `sjg analyze` loads it); the reason is required. The file is edited line by
line (`rules.settings_file`: other rules' entries and comments kept), written atomically
(a temporary file in the same folder, fsync, `os.replace`) under a lock, and the event
`rule.params_changed` (before/after, reason) is recorded in the caller's transaction just
before the file is replaced. Optimistic check: the caller passes the sha256 of the file it
showed; a file changed since is a ConflictError (409), so a double submit changes nothing
twice.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import func, not_, or_, select
from sqlalchemy.orm import Session

from sanjianguan.access.permissions import Action, can, require
from sanjianguan.access.scope import jurisdiction_of, within_region
from sanjianguan.analytics.events import RuleParamsChanged
from sanjianguan.audit.log import record
from sanjianguan.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RuleError,
)
from sanjianguan.queries.params import ParamValue
from sanjianguan.rules import settings_file
from sanjianguan.rules.model import Rule, RuleSetting
from sanjianguan.rules.registry import SETTINGS_FILE, all_rules, coerce_param, configure, parse_settings
from sanjianguan.workflow_db.models import Institution, User

LOCK_FILE = ".rules.toml.lock"
MAX_REASON = 500
INTEGER = re.compile(r"^[+-]?\d{1,18}$")
NOT_COVERING = (
    "规则参数对数据目录内全部机构生效，须由辖区覆盖全部机构的数据采集分析组帐号修改",
    "rule parameters apply to every institution: only an analyst covering them all may change them",
)
FILE_CHANGED = (
    "规则配置文件已被修改（可能是他人刚刚保存，或重复提交），本次未保存；请查看页面上的当前值后重新提交",
    "rules.toml changed since the page was shown; nothing was written",
)


@dataclass(frozen=True)
class SettingsFile:
    """The region's `rules.toml` as read now: its text ("" when absent) and sha256."""

    path: Path
    text: str
    digest: str


@dataclass(frozen=True)
class ParamChange:
    """What a change did: the region's value before and after (None: the default)."""

    rule_id: str
    param: str
    before: ParamValue | None
    after: ParamValue | None
    digest: str
    rewritten: bool


def read_file(home: Path) -> SettingsFile:
    """`<home>/rules.toml` now (the digest the page's form carries)."""
    path = home / SETTINGS_FILE
    data = path.read_bytes() if path.exists() else b""
    return SettingsFile(path, data.decode("utf-8"), hashlib.sha256(data).hexdigest())


def covers_all(session: Session, user: User) -> bool:
    """Whether the user's region contains every institution the workflow knows."""
    region = jurisdiction_of(user).region
    if region is None:
        return False
    outside = or_(
        Institution.region_code.is_(None), not_(within_region(Institution.region_code, region.code))
    )
    return session.execute(select(func.count()).where(outside)).scalar_one() == 0


def may_configure(session: Session, user: User) -> bool:
    """Whether the user may change the region's rule parameters (the page shows its forms)."""
    return can(user, Action.RULE_CONFIGURE) and covers_all(session, user)


def parse_value(default: ParamValue, text: str) -> ParamValue:
    """The form's text as a value of the default's type (InvalidInputError in Chinese)."""
    text = text.strip()
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _invalid("含有无法保存的字符") from None
    if isinstance(default, bool):
        if text not in ("true", "false"):
            raise _invalid("请选择“是”或“否”")
        return text == "true"
    if isinstance(default, int):
        if not INTEGER.match(text):
            raise _invalid("应为整数，如 30")
        return int(text)
    if isinstance(default, Decimal):
        return _decimal(text)
    if isinstance(default, list):
        return [line.strip() for line in text.splitlines() if line.strip()]
    return text


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _invalid("应为数字，如 0.05") from None
    if not value.is_finite() or "e" in text.lower():
        raise _invalid("应为数字，如 0.05")
    if Decimal(repr(float(value))) != value:  # TOML stores a binary float: no more digits than it keeps
        raise _invalid("有效数字过多（最多 15 位）")
    return value


def _invalid(message: str) -> InvalidInputError:
    return InvalidInputError(message, message, code="invalid_param_value")


def set_param(
    session: Session,
    user: User,
    home: Path,
    *,
    rule_id: str,
    param: str,
    text: str,
    reason: str,
    digest: str,
    now: datetime,
) -> ParamChange:
    """设置参数: the region's value of one parameter, from the form's text (audited)."""
    return _change(session, user, home, rule_id, param, text, reason, digest, now)


def reset_param(
    session: Session,
    user: User,
    home: Path,
    *,
    rule_id: str,
    param: str,
    reason: str,
    digest: str,
    now: datetime,
) -> ParamChange:
    """恢复默认: remove the region's value of one parameter (audited)."""
    return _change(session, user, home, rule_id, param, None, reason, digest, now)


def _change(
    session: Session,
    user: User,
    home: Path,
    rule_id: str,
    param: str,
    text: str | None,
    reason: str,
    digest: str,
    now: datetime,
) -> ParamChange:
    require(user, Action.RULE_CONFIGURE)
    if not covers_all(session, user):
        raise PermissionDeniedError(*NOT_COVERING, code="rule_config_not_covering")
    rules = all_rules(home)
    rule = _rule(rules, rule_id, param)
    value = None if text is None else _checked(rule, param, parse_value(rule.params[param].default, text))
    reason = _reason(reason)
    with _locked(home):
        current = read_file(home)
        if digest != current.digest:
            raise ConflictError(*FILE_CHANGED, code="rules_file_changed")
        where = str(current.path)
        settings = parse_settings(current.text, where)
        before = settings.get(rule_id, RuleSetting()).params.get(param)
        _check_change(before, value)
        expected = _updated(settings, rule_id, param, value)
        new_text, rewritten = _new_text(current.text, rule_id, param, value, expected, where)
        configure(rules, parse_settings(new_text, where), where)  # loads as `sjg analyze` will
        new_digest = hashlib.sha256(new_text.encode("utf-8")).hexdigest()
        event = RuleParamsChanged(
            subject_id=rule_id,
            before={param: before},
            after={param: value},
            param=param,
            default=rule.params[param].default,
            file_before=current.digest,
            file_after=new_digest,
            rewritten=rewritten,
        )
        record(session, event, actor=user, reason=reason, now=now)
        write_atomic(current.path, new_text)
    return ParamChange(rule_id, param, before, value, new_digest, rewritten)


def _rule(rules: list[Rule], rule_id: str, param: str) -> Rule:
    rule = next((r for r in rules if r.id == rule_id), None)
    if rule is None:
        raise NotFoundError.no_such("规则", "rule", rule_id)
    if param not in rule.params:
        raise NotFoundError.no_such(f"规则 {rule_id} 的参数", "parameter", param)
    return rule


def _checked(rule: Rule, param: str, value: ParamValue) -> ParamValue:
    """The value as the file's loader checks it (`registry.coerce_param`)."""
    try:
        return coerce_param(rule, param, value, SETTINGS_FILE)
    except RuleError as exc:
        raise InvalidInputError(f"参数值类型不符：{exc}", str(exc), code="invalid_param_value") from exc


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidInputError("请填写修改理由", "a reason is required", code="reason_required")
    if len(reason) > MAX_REASON:
        raise InvalidInputError(
            f"修改理由最多 {MAX_REASON} 个字", f"at most {MAX_REASON} characters", code="reason_required"
        )
    return reason


def _check_change(before: ParamValue | None, value: ParamValue | None) -> None:
    if value is None and before is None:
        raise ConflictError(
            "该参数没有地区配置，已在使用默认值，无需恢复",
            "the parameter has no regional value",
            code="no_override",
        )
    if value is not None and before is not None and type(before) is type(value) and before == value:
        raise InvalidInputError(
            "新值与当前值相同，未作修改", "the value is the one in use", code="invalid_param_value"
        )


def _updated(
    settings: dict[str, RuleSetting], rule_id: str, param: str, value: ParamValue | None
) -> dict[str, RuleSetting]:
    setting = settings.get(rule_id, RuleSetting())
    params = {k: v for k, v in setting.params.items() if k != param}
    if value is not None:
        params[param] = value
    return {**settings, rule_id: setting.model_copy(update={"params": params})}


def _meaningful(settings: dict[str, RuleSetting]) -> dict[str, RuleSetting]:
    return {k: v for k, v in settings.items() if v != RuleSetting()}


def _new_text(
    text: str,
    rule_id: str,
    param: str,
    value: ParamValue | None,
    expected: dict[str, RuleSetting],
    where: str,
) -> tuple[str, bool]:
    """The edited text (comments kept) or, when the edit does not load as expected, the file anew."""
    if value is None:
        edited = settings_file.remove_param(text, rule_id, param)
    else:
        edited = settings_file.set_param(text, rule_id, param, value)
    if edited is not None:
        try:
            if _meaningful(parse_settings(edited, where)) == _meaningful(expected):
                return edited, False
        except RuleError:
            pass
    return settings_file.render(_meaningful(expected)), True


@contextmanager
def _locked(home: Path) -> Iterator[None]:
    """One writer of `rules.toml` at a time, across the server's processes."""
    home.mkdir(parents=True, exist_ok=True)
    with open(home / LOCK_FILE, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` by `text`: a temporary file in the same folder, fsync, `os.replace`."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(text.encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself survives a crash
    finally:
        os.close(folder)
