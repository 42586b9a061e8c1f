"""Discovery of the indicator declarations (指标目录): `indicators/catalogue/<id>.toml`.

Each file declares one indicator; the file name is its id. Every problem is an
IndicatorError naming the file and the field.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from importlib import resources

from pydantic import ValidationError

from sanjianguan.contract.schema import REF_TABLES, TABLES
from sanjianguan.errors import RuleError
from sanjianguan.indicators.model import BUILTIN_PARAMS, Group, Indicator, IndicatorError
from sanjianguan.rules.compile import output_columns, parse, placeholders
from sanjianguan.rules.registry import _exact, _explain

KNOWN_TABLES = frozenset(TABLES) | frozenset(REF_TABLES)


def parse_indicator(text: str, source: str) -> Indicator:
    """One indicator from the text of its TOML file, fully validated."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise IndicatorError(f"{source}: TOML 无法解析 / cannot parse TOML: {exc}") from exc
    try:
        indicator = Indicator.model_validate({**_exact(data), "source": source})
    except ValidationError as exc:
        raise IndicatorError(f"{source}: 指标定义无效 / invalid indicator: {_explain(exc)}") from exc
    _check(indicator)
    return indicator


def builtin_indicators() -> list[Indicator]:
    """Every indicator shipped with the platform, sorted by group then id."""
    folder = resources.files("sanjianguan.indicators.catalogue")
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)
    found = [parse_indicator(f.read_text(encoding="utf-8"), f"builtin:{f.name}") for f in files]
    return sorted(found, key=lambda i: (list(Group).index(i.group), i.id))


def select(indicators: Sequence[Indicator], ids: Iterable[str] | None) -> list[Indicator]:
    """All indicators, or the listed ids (which must exist), in catalogue order."""
    if ids is None:
        return list(indicators)
    wanted = [i.strip() for i in ids if i.strip()]
    known = {i.id for i in indicators}
    unknown = [i for i in wanted if i not in known]
    if unknown:
        raise IndicatorError(f"未知指标 / unknown indicator: {', '.join(unknown)}")
    return [i for i in indicators if i.id in wanted]


def _check(indicator: Indicator) -> None:
    """File name = id, known tables, parameters used exactly, contract output columns."""
    name = indicator.source.rsplit("/", 1)[-1].removeprefix("builtin:")
    if name != f"{indicator.id}.toml":
        raise IndicatorError(f"{indicator.source}: 文件名须为 / file must be named {indicator.id}.toml")
    unknown = set(indicator.needs) - KNOWN_TABLES
    if unknown:
        raise IndicatorError(f"{indicator.source}: needs 含未知表 / unknown tables {sorted(unknown)}")
    try:
        tree = parse(indicator.query, where=f"{indicator.source}: query")
    except RuleError as exc:
        raise IndicatorError(str(exc)) from exc
    used = placeholders(tree)
    undeclared = used - set(indicator.params) - set(BUILTIN_PARAMS)
    unused = set(indicator.params) - used
    if undeclared or unused:
        raise IndicatorError(
            f"{indicator.source}: 参数不一致 / parameters: "
            f"undeclared {sorted(undeclared)}, unused {sorted(unused)}"
        )
    check_columns(indicator, output_columns(tree))


def check_columns(indicator: Indicator, columns: Sequence[str] | None) -> None:
    """The query returns exactly the measure's columns, in order."""
    if columns is not None and tuple(columns) != indicator.columns:
        raise IndicatorError(
            f"{indicator.source}: 查询输出列应为 / query must return {', '.join(indicator.columns)}; "
            f"got {', '.join(columns)}"
        )
