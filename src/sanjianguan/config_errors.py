"""配置错误说明: a pydantic ValidationError of the settings tree as bilingual lines.

One line per problem, naming the key (`quality.due_day`), the value, what is expected,
and the source (the file `sjg.toml` or the variable `SJG__QUALITY__DUE_DAY`). A key the
tree does not have is reported with the nearest valid key (`difflib.get_close_matches`).
"""

from __future__ import annotations

import difflib
import json
import types
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

TYPE_NAMES: dict[type, tuple[str, str]] = {
    bool: (" true 或 false", "true or false"),
    int: ("整数", "an integer"),
    float: ("数字", "a number"),
    str: ("文本", "text"),
}


def describe(
    exc: ValidationError, model: type[BaseModel], path: Path, env_names: Mapping[tuple[str, ...], str]
) -> str:
    """Every error of `exc` as one bilingual line; the lines joined by newlines."""
    paths = sorted(_paths(model))
    lines = [_line(error, model, path, env_names, paths) for error in exc.errors()]
    return "\n".join(dict.fromkeys(lines))  # the same problem once, in order


def _line(
    error: ErrorDetails,
    model: type[BaseModel],
    path: Path,
    env_names: Mapping[tuple[str, ...], str],
    paths: list[str],
) -> str:
    loc = tuple(str(part) for part in error["loc"])
    key = ".".join(loc)
    env = env_names.get(loc)
    if env is not None:
        where_zh, where_en = f"环境变量 {env}", f"environment variable {env}"
    else:
        where_zh, where_en = f"文件 {path}", f"file {path}"
    if error["type"] == "extra_forbidden":
        return _unknown(key, paths, where_zh, where_en, env is not None)
    value = _show(error.get("input"))
    field = _field(model, loc)
    if field is None:  # a whole section given as a plain value
        zh, en = f"应为配置节 [{key}]", f"must be a table [{key}]"
    else:
        zh, en = _expected(field, error)
    return (
        f"配置项 {key} 的值 {value} 无效：{zh}（{where_zh}） / "
        f"setting {key}: value {value} is invalid: {en} ({where_en})"
    )


def _unknown(key: str, paths: list[str], where_zh: str, where_en: str, from_env: bool) -> str:
    near = difflib.get_close_matches(key, paths, n=1, cutoff=0.6)
    if not near:
        return f"未知配置项 {key}（{where_zh}） / unknown setting {key} ({where_en})"
    hint = near[0]
    if from_env:
        hint = f"{hint}（{env_name(hint)}）"
    hint_en = hint.replace("（", " (").replace("）", ")")
    return (
        f"未知配置项 {key}（{where_zh}），是否应为 {hint}？ / "
        f"unknown setting {key} ({where_en}), did you mean {hint_en}?"
    )


def env_name(key: str) -> str:
    """The environment variable of a dotted key: `quality.due_day` → `SJG__QUALITY__DUE_DAY`."""
    return "SJG__" + "__".join(part.upper() for part in key.split("."))


def _paths(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    """Every valid dotted key: sections and their fields."""
    for name, field in model.model_fields.items():
        yield prefix + name
        sub = _submodel(field)
        if sub is not None:
            yield from _paths(sub, f"{prefix}{name}.")


def _submodel(field: FieldInfo) -> type[BaseModel] | None:
    annotation = field.annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _field(model: type[BaseModel], loc: tuple[str, ...]) -> FieldInfo | None:
    """The leaf field at `loc`, None for a section (or a path the tree does not have)."""
    current: type[BaseModel] | None = model
    field: FieldInfo | None = None
    for part in loc:
        if current is None or part not in current.model_fields:
            return None
        field = current.model_fields[part]
        current = _submodel(field)
    return None if current is not None else field


def _expected(field: FieldInfo, error: ErrorDetails) -> tuple[str, str]:
    """What the field accepts: its type and its bounds, in both languages."""
    kind = _base_type(field.annotation)
    if kind is None:
        return "取值不符合要求", str(error.get("msg", "invalid value"))
    type_zh, type_en = TYPE_NAMES[kind]
    bounds = _bounds(field)
    if kind is bool or bounds is None:
        return f"应为{type_zh}", f"must be {type_en}"
    bound_zh, bound_en = bounds
    return f"应为{bound_zh}的{type_zh}", f"must be {type_en} {bound_en}"


def _base_type(annotation: Any) -> type | None:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        annotation = args[0] if len(args) == 1 else None
    return annotation if annotation in TYPE_NAMES else None


def _bounds(field: FieldInfo) -> tuple[str, str] | None:
    low: tuple[Any, bool] | None = None  # (value, inclusive)
    high: tuple[Any, bool] | None = None
    for item in field.metadata:
        if isinstance(item, Ge):
            low = (item.ge, True)
        elif isinstance(item, Gt):
            low = (item.gt, False)
        elif isinstance(item, Le):
            high = (item.le, True)
        elif isinstance(item, Lt):
            high = (item.lt, False)
    if low and high and low[1] and high[1]:
        return f" {low[0]} 到 {high[0]} 之间", f"between {low[0]} and {high[0]}"
    parts_zh, parts_en = [], []
    if low:
        parts_zh.append(f"{'不小于' if low[1] else '大于'} {low[0]}")
        parts_en.append(f"{'at least' if low[1] else 'greater than'} {low[0]}")
    if high:
        parts_zh.append(f"{'不大于' if high[1] else '小于'} {high[0]}")
        parts_en.append(f"{'at most' if high[1] else 'less than'} {high[0]}")
    if not parts_zh:
        return None
    return "、".join(parts_zh) + " ", " and ".join(parts_en)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{…}"
    return str(value)
