"""Parameters of a declared query (查询参数): declaration, configured values, placeholder checks.

A query names its parameters as `:name` placeholders and declares each one with a
default (`[params.name]`); the runner binds the built-in ones (the period's bounds).
A declaration must use exactly the parameters it declares, and a region's value for
a parameter must have the type of its default.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from pydantic import BaseModel, ConfigDict
from sqlglot import exp

from sanjianguan.errors import SjgError
from sanjianguan.queries.compile import literal, placeholders

# A parameter value: TOML integers stay int, TOML floats become exact decimals.
ParamValue = int | Decimal | str | bool | list[str]

PARAM_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


class Param(BaseModel):
    """One declared parameter (参数) with its default and meaning."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    default: ParamValue
    description: str = ""


def check_names(names: Iterable[str], builtins: Iterable[str]) -> None:
    """Parameter names are lower-case identifiers and not built-in placeholders (ValueError)."""
    reserved = set(builtins)
    for name in names:
        if not PARAM_NAME.match(name) or name in reserved:
            raise ValueError(f"parameter name {name!r} is invalid or reserved")


def check_placeholders(
    tree: exp.Expr, declared: Iterable[str], builtins: Iterable[str], where: str, error: type[SjgError]
) -> set[str]:
    """The placeholders of `tree`, which must be exactly the declared ones (built-ins allowed)."""
    used = placeholders(tree)
    declared = set(declared)
    undeclared = used - declared - set(builtins)
    unused = declared - used
    if undeclared or unused:
        raise error(
            f"{where}: 参数不一致 / parameters: undeclared {sorted(undeclared)}, unused {sorted(unused)}"
        )
    return used


def same_type(default: ParamValue, value: object) -> bool:
    """Whether a configured value fits a default's type (an integer fits a decimal)."""
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, list):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if isinstance(default, Decimal):
        return isinstance(value, int | Decimal)
    return type(value) is type(default)


def type_name(default: ParamValue) -> str:
    """How a default's type reads in an error message."""
    if isinstance(default, bool):
        return "true/false"
    if isinstance(default, int):
        return "integer"
    if isinstance(default, Decimal):
        return "number"
    if isinstance(default, list):
        return "list of strings"
    return "string"


def params_table(params: dict[str, Param]) -> list[str]:
    """The parameters of a declared query as a Markdown table (the rule and indicator docs)."""
    if not params:
        return []
    lines = ["", "| 参数 parameter | 默认 default | 说明 description |", "|---|---|---|"]
    for name, param in params.items():
        default = literal(param.default).sql(dialect="duckdb")
        lines.append(f"| `{name}` | `{default}` | {param.description} |")
    return lines
