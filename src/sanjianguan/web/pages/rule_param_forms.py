"""规则参数表单 (the parameter forms of `/rules/{rule_id}`): what each form shows and keeps.

Each parameter has one form: its new value, typed as the declared default (整数, 数字,
是/否, 文本, 文本列表 one item a line), and the reason; "恢复默认" is a second button of
the same form when the region has its own value. The forms are shown only to a user who
may change the parameters (`analytics.rule_params.may_configure`); they carry the sha256
of `rules.toml` as read for the page (the optimistic check of the service).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from sanjianguan.analytics.rule_params import may_configure, read_file
from sanjianguan.queries.params import ParamValue
from sanjianguan.rules.model import ConfiguredRule, RuleSetting
from sanjianguan.rules.registry import parse_settings
from sanjianguan.workflow_db.models import User

KIND_ZH = {"bool": "是/否", "integer": "整数", "number": "数字", "list": "文本列表，每行一项", "text": "文本"}
DONE = {
    "set": "参数已保存，从下次运行 sjg analyze 起生效；修改已记入审计日志。",
    "reset": "已恢复默认值，从下次运行 sjg analyze 起生效；修改已记入审计日志。",
}


def kind(default: ParamValue) -> str:
    """The form control of a parameter's type."""
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int):
        return "integer"
    if isinstance(default, Decimal):
        return "number"
    if isinstance(default, list):
        return "list"
    return "text"


def as_text(value: ParamValue) -> str:
    """A value as its form field shows it (a list: one item a line; a bool: true/false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "\n".join(value)
    return str(value)


def shown(value: ParamValue) -> str:
    """A value as the parameter table reads (是/否, a list joined by 、)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(value) or "（空）"
    return str(value)


def params_context(session: Session, user: User, home: Path, configured: ConfiguredRule) -> dict[str, Any]:
    """The parameters section: values, the region's own values, and the forms if editable."""
    current = read_file(home)
    setting = parse_settings(current.text, str(current.path)).get(configured.rule.id, RuleSetting())
    params = configured.rule.params
    return {
        "editable": bool(params) and may_configure(session, user),
        "digest": current.digest,
        "overrides": set(setting.params),
        "kinds": {name: kind(p.default) for name, p in params.items()},
        "kind_zh": KIND_ZH,
        "texts": {name: as_text(configured.values[name]) for name in params},
        "shown": {name: shown(configured.values[name]) for name in params},
        "defaults": {name: shown(p.default) for name, p in params.items()},
        "param_form": {},
        "param_errors": {},
        "param_notice": "",
        "done": "",
    }
