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

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from sanjianguan.errors import RuleError
from sanjianguan.queries.compile import output_columns, parsed
from sanjianguan.queries.declared import in_folder, packaged, read_toml, validate
from sanjianguan.queries.params import ParamValue, check_placeholders, same_type, type_name
from sanjianguan.rules.model import (
    BUILTIN_PARAMS,
    EVIDENCE_PREFIX,
    STANDARD_COLUMNS,
    ConfiguredRule,
    Rule,
    RuleSetting,
)

REGIONAL_DIR = "rules"
SETTINGS_FILE = "rules.toml"
CATALOGUE_PACKAGE = "sanjianguan.rules.catalogue"


def parse_rule(text: str, source: str, *, builtin: bool = False) -> Rule:
    """One rule from the text of its TOML file, fully validated."""
    data = read_toml(text, source, RuleError)
    rule = validate(
        Rule,
        {**data, "source": source, "builtin": builtin},
        source,
        RuleError,
        "规则定义无效 / invalid rule:",
    )
    _check_query(rule)
    return rule


def builtin_rules() -> list[Rule]:
    """The rules shipped with the platform."""
    return [parse_rule(text, source, builtin=True) for source, text in packaged(CATALOGUE_PACKAGE)]


def regional_rules(home: Path) -> list[Rule]:
    """The region's own rules in `<home>/rules/*.toml`."""
    return [parse_rule(text, source) for source, text in in_folder(home / REGIONAL_DIR)]


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
    return parse_settings(path.read_text(encoding="utf-8"), str(path))


def parse_settings(text: str, where: str) -> dict[str, RuleSetting]:
    """The settings in the text of a `rules.toml` (read from `where`), shape checked."""
    data = read_toml(text, where, RuleError)
    settings: dict[str, RuleSetting] = {}
    for rule_id, table in data.items():
        if not isinstance(table, dict) or set(table) - {"enabled", "params"}:
            raise RuleError(
                f"{where}: [{rule_id}] 只允许 enabled 与 [params] / only `enabled` and `[params]`"
            )
        settings[rule_id] = validate(RuleSetting, table, where, RuleError, f"[{rule_id}]")
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
    if not same_type(default, value):
        raise RuleError(
            f"{where}: [{rule.id}.params] {name} 类型应为 / must be {type_name(default)}, got {value!r}"
        )
    # An integer given for a decimal parameter is that decimal.
    if isinstance(default, Decimal) and isinstance(value, int):
        return Decimal(value)
    return value


def _check_query(rule: Rule) -> None:
    """The query parses, uses exactly its declared parameters and returns the contract columns."""
    # Read only: the shared tree the run's compilation starts from.
    tree = parsed(rule.query, where=f"{rule.source}: query")
    check_placeholders(tree, rule.params, BUILTIN_PARAMS, rule.source, RuleError)
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
