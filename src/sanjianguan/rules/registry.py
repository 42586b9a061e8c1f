"""Discovery and configuration of rules (规则注册): built-ins, regional files, overrides.

- Built-in rules: `sanjianguan/rules/catalogue/*.toml`, one file per rule.
- Regional rules (地方自定义规则, art. 35): `<home>/rules/*.toml`, the same format.
- Regional configuration: `<home>/rules.toml`, one table per rule id::

      [C01]
      enabled = false

      [C02.params]
      tolerance = 0.05

Every problem is a RuleError naming the file and the field.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sanjianguan.errors import RuleError
from sanjianguan.rules.compile import output_columns, parse, placeholders
from sanjianguan.rules.model import (
    BUILTIN_PARAMS,
    EVIDENCE_PREFIX,
    STANDARD_COLUMNS,
    ConfiguredRule,
    ParamValue,
    Rule,
    RuleSetting,
)

REGIONAL_DIR = "rules"
SETTINGS_FILE = "rules.toml"


def parse_rule(text: str, source: str, *, builtin: bool = False) -> Rule:
    """One rule from the text of its TOML file, fully validated."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{source}: TOML 无法解析 / cannot parse TOML: {exc}") from exc
    try:
        rule = Rule.model_validate({**_exact(data), "source": source, "builtin": builtin})
    except ValidationError as exc:
        raise RuleError(f"{source}: 规则定义无效 / invalid rule: {_explain(exc)}") from exc
    _check_query(rule)
    return rule


def builtin_rules() -> list[Rule]:
    """The rules shipped with the platform."""
    folder = resources.files("sanjianguan.rules.catalogue")
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)
    return [parse_rule(f.read_text(encoding="utf-8"), f"builtin:{f.name}", builtin=True) for f in files]


def regional_rules(home: Path) -> list[Rule]:
    """The region's own rules in `<home>/rules/*.toml`."""
    folder = home / REGIONAL_DIR
    if not folder.is_dir():
        return []
    return [parse_rule(p.read_text(encoding="utf-8"), str(p)) for p in sorted(folder.glob("*.toml"))]


def all_rules(home: Path | None = None) -> list[Rule]:
    """Built-in and regional rules, sorted by id; an id may be declared only once."""
    rules = builtin_rules() + (regional_rules(home) if home else [])
    seen: dict[str, str] = {}
    for rule in rules:
        if rule.id in seen:
            raise RuleError(
                f"{rule.source}: 规则编号重复 / rule id {rule.id} already declared in {seen[rule.id]}"
            )
        seen[rule.id] = rule.source
    return sorted(rules, key=lambda r: r.id)


def load_settings(home: Path | None) -> dict[str, RuleSetting]:
    """The region's `<home>/rules.toml` (empty when absent)."""
    path = (home / SETTINGS_FILE) if home else None
    if path is None or not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{path}: TOML 无法解析 / cannot parse TOML: {exc}") from exc
    settings: dict[str, RuleSetting] = {}
    for rule_id, table in data.items():
        if not isinstance(table, dict) or set(table) - {"enabled", "params"}:
            raise RuleError(f"{path}: [{rule_id}] 只允许 enabled 与 [params] / only `enabled` and `[params]`")
        try:
            settings[rule_id] = RuleSetting.model_validate(_exact(table))
        except ValidationError as exc:
            raise RuleError(f"{path}: [{rule_id}] {_explain(exc)}") from exc
    return settings


def configure(rules: Sequence[Rule], settings: Mapping[str, RuleSetting], where: str) -> list[ConfiguredRule]:
    """Apply the region's settings to the rules; unknown rules or parameters are errors."""
    by_id = {r.id: r for r in rules}
    for rule_id in settings:
        if rule_id not in by_id:
            raise RuleError(f"{where}: 未知规则 / unknown rule [{rule_id}]")
    configured = []
    for rule in rules:
        setting = settings.get(rule.id, RuleSetting())
        values = rule.defaults()
        for name, value in setting.params.items():
            values[name] = coerce_param(rule, name, value, where)
        configured.append(ConfiguredRule(rule=rule, enabled=setting.enabled, values=values))
    return configured


def load_catalogue(home: Path | None = None) -> list[ConfiguredRule]:
    """Every rule with the region's configuration applied."""
    where = str(home / SETTINGS_FILE) if home else SETTINGS_FILE
    return configure(all_rules(home), load_settings(home), where)


def select(catalogue: Sequence[ConfiguredRule], ids: Iterable[str] | None) -> list[ConfiguredRule]:
    """The enabled rules to run: all of them, or the listed ids (which must exist and be on)."""
    if ids is None:
        return [c for c in catalogue if c.enabled]
    by_id = {c.rule.id: c for c in catalogue}
    chosen = []
    for rule_id in dict.fromkeys(i.strip() for i in ids if i.strip()):
        if rule_id not in by_id:
            raise RuleError(f"未知规则 / unknown rule {rule_id}")
        if not by_id[rule_id].enabled:
            raise RuleError(f"规则已停用 / rule {rule_id} is disabled in {SETTINGS_FILE}")
        chosen.append(by_id[rule_id])
    return sorted(chosen, key=lambda c: c.rule.id)


def coerce_param(rule: Rule, name: str, value: ParamValue, where: str) -> ParamValue:
    """A configured value checked against the type of the parameter's default."""
    if name not in rule.params:
        raise RuleError(f"{where}: [{rule.id}.params] 未知参数 / unknown parameter {name!r}")
    default = rule.params[name].default
    if isinstance(default, bool) or isinstance(value, bool):
        ok = isinstance(default, bool) and isinstance(value, bool)
    elif isinstance(default, Decimal) and isinstance(value, int):
        value, ok = Decimal(value), True
    elif isinstance(default, list):
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    else:
        ok = type(value) is type(default)
    if not ok:
        raise RuleError(
            f"{where}: [{rule.id}.params] {name} 类型应为 / must be {_type_name(default)}, got {value!r}"
        )
    return value


def _check_query(rule: Rule) -> None:
    """The query parses, uses exactly its declared parameters and returns the contract columns."""
    tree = parse(rule.query, where=f"{rule.source}: query")
    used = placeholders(tree)
    undeclared = used - set(rule.params) - set(BUILTIN_PARAMS)
    unused = set(rule.params) - used
    if undeclared or unused:
        raise RuleError(
            f"{rule.source}: 参数不一致 / parameters: "
            f"undeclared {sorted(undeclared)}, unused {sorted(unused)}"
        )
    columns = output_columns(tree)
    if columns is not None:
        check_columns(rule, columns)


def check_columns(rule: Rule, columns: Sequence[str]) -> None:
    """The query's output columns are the standard ones plus `ev_<name>` for each evidence."""
    expected = set(STANDARD_COLUMNS) | {EVIDENCE_PREFIX + e for e in rule.evidence}
    missing, extra = expected - set(columns), set(columns) - expected
    if missing or extra or len(columns) != len(set(columns)):
        raise RuleError(
            f"{rule.source}: 查询输出列不符 / query columns: missing {sorted(missing)}, "
            f"unexpected {sorted(extra)} (evidence columns are ev_<name> for each name in `evidence`)"
        )


def _exact(value: Any) -> Any:
    """TOML floats become exact decimals (0.01 stays 0.01), recursively."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: _exact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_exact(v) for v in value]
    return value


def _explain(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '-'}: {e['msg']}" for e in exc.errors())


def _type_name(default: ParamValue) -> str:
    if isinstance(default, bool):
        return "true/false"
    if isinstance(default, int):
        return "integer"
    if isinstance(default, Decimal):
        return "number"
    if isinstance(default, list):
        return "list of strings"
    return "string"
