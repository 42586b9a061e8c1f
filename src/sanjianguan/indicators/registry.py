"""Discovery of the indicator declarations (指标目录): `indicators/catalogue/<id>.toml`.

Each file declares one indicator; the file name is its id. Every problem is an
IndicatorError naming the file and the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sanjianguan.contract.schema import REF_TABLES, TABLES
from sanjianguan.indicators.model import BUILTIN_PARAMS, Group, Indicator, IndicatorError
from sanjianguan.queries.compile import output_columns, parse
from sanjianguan.queries.declared import file_name, packaged, read_toml, validate
from sanjianguan.queries.params import check_placeholders

KNOWN_TABLES = frozenset(TABLES) | frozenset(REF_TABLES)
CATALOGUE_PACKAGE = "sanjianguan.indicators.catalogue"


def parse_indicator(text: str, source: str) -> Indicator:
    """One indicator from the text of its TOML file, fully validated."""
    data = read_toml(text, source, IndicatorError)
    what = "指标定义无效 / invalid indicator:"
    indicator = validate(Indicator, {**data, "source": source}, source, IndicatorError, what)
    _check(indicator)
    return indicator


def builtin_indicators() -> list[Indicator]:
    """Every indicator shipped with the platform, sorted by group then id."""
    found = [parse_indicator(text, source) for source, text in packaged(CATALOGUE_PACKAGE)]
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
    if file_name(indicator.source) != f"{indicator.id}.toml":
        raise IndicatorError(f"{indicator.source}: 文件名须为 / file must be named {indicator.id}.toml")
    unknown = set(indicator.needs) - KNOWN_TABLES
    if unknown:
        raise IndicatorError(f"{indicator.source}: needs 含未知表 / unknown tables {sorted(unknown)}")
    tree = parse(indicator.query, where=f"{indicator.source}: query", error=IndicatorError)
    check_placeholders(tree, indicator.params, BUILTIN_PARAMS, indicator.source, IndicatorError)
    check_columns(indicator, output_columns(tree))


def check_columns(indicator: Indicator, columns: Sequence[str] | None) -> None:
    """The query returns exactly the measure's columns, in order."""
    if columns is not None and tuple(columns) != indicator.columns:
        raise IndicatorError(
            f"{indicator.source}: 查询输出列应为 / query must return {', '.join(indicator.columns)}; "
            f"got {', '.join(columns)}"
        )
