"""Reading declarations (声明文件) from TOML: discovery, exact numbers, errors naming file and key.

Rules, indicators and the region's settings files are TOML. They are read the same way:
floats become exact decimals (0.01 stays 0.01), a file that is not TOML is an error
naming it, and a declaration that breaks its model is an error naming file and key. The
error class is the caller's (RuleError, IndicatorError), so messages stay theirs.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from sanjianguan.errors import SjgError

BUILTIN_PREFIX = "builtin:"
M = TypeVar("M", bound=BaseModel)


def read_toml(text: str, where: str, error: type[SjgError]) -> dict[str, Any]:
    """The TOML document `text` (from `where`) with exact decimals, or `error` naming `where`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{where}: TOML 无法解析 / cannot parse TOML: {exc}") from exc
    exact_data: dict[str, Any] = exact(data)
    return exact_data


def validate(model: type[M], data: Mapping[str, Any], where: str, error: type[SjgError], what: str) -> M:
    """`data` as a `model`, or `error` "<where>: <what> <key>: <problem>; ..."."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise error(f"{where}: {what} {explain(exc)}") from exc


def packaged(package: str) -> list[tuple[str, str]]:
    """(`builtin:<file>`, text) of every `*.toml` shipped in `package`, by file name."""
    folder = resources.files(package)
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)
    return [(f"{BUILTIN_PREFIX}{f.name}", f.read_text(encoding="utf-8")) for f in files]


def in_folder(folder: Path) -> list[tuple[str, str]]:
    """(path, text) of every `*.toml` in `folder` (none when it does not exist), by name."""
    if not folder.is_dir():
        return []
    return [(str(p), p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.toml"))]


def file_name(source: str) -> str:
    """The file name of a declaration's source (`builtin:x.toml` or a path)."""
    return source.rsplit("/", 1)[-1].removeprefix(BUILTIN_PREFIX)


def exact(value: Any) -> Any:
    """TOML floats become exact decimals (0.01 stays 0.01), recursively."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: exact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [exact(v) for v in value]
    return value


def explain(exc: ValidationError) -> str:
    """A validation error as `key.path: message; ...`."""
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '-'}: {e['msg']}" for e in exc.errors())
