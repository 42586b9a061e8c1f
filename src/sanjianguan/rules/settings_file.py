"""改写地区规则配置 (editing `<home>/rules.toml`): set or remove one parameter, keeping the rest.

The region's file is written by hand too, with comments, so a change made from the web
page edits the text line by line: the entry `name = value` of table `[<rule>.params]` is
replaced (its trailing comment kept), added at the end of that table, or the table is
added at the end of the file; every other line stays as it was. A layout this editor
does not know (inline tables, dotted keys, quoted rule ids) gives None, and the caller
writes the whole file anew from its settings (`render`), losing the comments; the caller
checks either text by loading it as `sjg analyze` does.
"""

from __future__ import annotations

import json
import re
import tomllib
from decimal import Decimal

from sanjianguan.queries.params import ParamValue
from sanjianguan.rules.model import RuleSetting

RENDERED_HEAD = "# 地区规则配置（由网页改写：原文件的写法无法逐行修改，注释未能保留）\n"


def toml_value(value: ParamValue) -> str:
    """A parameter value as TOML (a decimal always with a point, so it reads back as a number)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text if "." in text else f"{text}.0"
    if isinstance(value, list):
        return "[" + ", ".join(_string(v) for v in value) + "]"
    return _string(value)


def _string(text: str) -> str:
    # JSON's escapes are TOML's basic-string escapes; TOML also forbids a raw DEL.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _parses(text: str) -> dict[str, object] | None:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None


def _header(rule_id: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*\[\s*{re.escape(rule_id)}\s*\.\s*params\s*\]\s*(#.*)?$")


def _extent(lines: list[str], start: int) -> int | None:
    """The last line of the key/value entry that starts at `start` (a value may span lines)."""
    for end in range(start, len(lines)):
        if _parses("".join(lines[start : end + 1])) is not None:
            return end
    return None


def _entries(lines: list[str], header: int) -> tuple[dict[str, tuple[int, int]], int] | None:
    """{key: (first, last line)} of the table under `header`, and the line after its last entry."""
    entries: dict[str, tuple[int, int]] = {}
    after, i = header + 1, header + 1
    while i < len(lines):
        stripped = lines[i].strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        if stripped.startswith("["):
            break
        end = _extent(lines, i)
        parsed = _parses("".join(lines[i : end + 1])) if end is not None else None
        if end is None or parsed is None or len(parsed) != 1:
            return None
        entries[next(iter(parsed))] = (i, end)
        after = i = end + 1
    return entries, after


def _find_tables(lines: list[str], rule_id: str) -> list[int]:
    """The lines of the header `[rule_id.params]` (one, if the file is valid TOML)."""
    pattern = _header(rule_id)
    return [n for n, line in enumerate(lines) if pattern.match(line.rstrip("\r\n"))]


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _replace_line(line: str, name: str, value: str, nl: str) -> str:
    """`name = value`, with the indent and trailing comment of the single-line entry `line`."""
    body = line.rstrip("\r\n")
    indent = body[: len(body) - len(body.lstrip())]
    for at in (n for n, char in enumerate(body) if char == "#"):
        if _parses(body[:at]) is not None:
            head = body[:at]
            gap = head[len(head.rstrip()) :]
            return f"{indent}{name} = {value}{gap}{body[at:]}{nl}"
    return f"{indent}{name} = {value}{nl}"


def set_param(text: str, rule_id: str, name: str, value: ParamValue) -> str | None:
    """`text` with `[rule_id.params] name = value`; None: a layout this editor does not know."""
    lines, nl = text.splitlines(keepends=True), _newline(text)
    written = toml_value(value)
    headers = _find_tables(lines, rule_id)
    if len(headers) > 1:
        return None
    if not headers:  # a new table at the end (the caller's check refuses a clash with another form)
        tail = "" if not text or text.endswith(("\n", "\r")) else nl
        gap = nl if text.strip() else ""
        return f"{text}{tail}{gap}[{rule_id}.params]{nl}{name} = {written}{nl}"
    header = headers[0]
    found = _entries(lines, header)
    if found is None:
        return None
    entries, after = found
    if name in entries:
        first, last = entries[name]
        new_line = (
            _replace_line(lines[first], name, written, nl) if first == last else f"{name} = {written}{nl}"
        )
        lines[first : last + 1] = [new_line]
    else:
        if after > 0 and not lines[after - 1].endswith(("\n", "\r")):
            lines[after - 1] += nl
        lines.insert(after, f"{name} = {written}{nl}")
    return "".join(lines)


def remove_param(text: str, rule_id: str, name: str) -> str | None:
    """`text` without `[rule_id.params] name`; None: a layout this editor does not know."""
    lines = text.splitlines(keepends=True)
    headers = _find_tables(lines, rule_id)
    found = _entries(lines, headers[0]) if len(headers) == 1 else None
    if found is None or name not in found[0]:
        return None
    header = headers[0]
    first, last = found[0][name]
    del lines[first : last + 1]
    body = lines[header + 1 :]
    end = next((n for n, line in enumerate(body) if line.lstrip().startswith("[")), len(body))
    if all(not line.strip() for line in body[:end]):
        del lines[header]  # nothing left in the table: no empty [rule.params] behind
    return "".join(lines)


def render(settings: dict[str, RuleSetting]) -> str:
    """A whole `rules.toml` for these settings (the fallback: comments are not kept)."""
    out = [RENDERED_HEAD]
    for rule_id, setting in sorted(settings.items()):
        if not setting.enabled:
            out.append(f"\n[{rule_id}]\nenabled = false\n")
        if setting.params:
            out.append(f"\n[{rule_id}.params]\n")
            out.extend(f"{name} = {toml_value(value)}\n" for name, value in setting.params.items())
    return "".join(out)
