"""CSV exports for Chinese offices (导出文件): one convention for every command.

- A CSV written to a file is UTF-8 **with a BOM** (`utf-8-sig`), so Excel opens the
  Chinese text correctly; a CSV written to standard output has no BOM (it is a stream
  for pipes and scripts).
- Column names are the stable English ids by default (`--headers en`, what outside
  scripts rely on); `--headers zh` writes the Chinese labels of the export's one label
  table instead (same columns, same order).
- Cells keep full precision: a decimal is written exactly in its shortest form
  (`0.5`, not `0.500000`), a float by `repr` (round-trips), a boolean as `true`/`false`,
  a missing value as an empty cell. Only terminal tables round for display.

This module is neutral (standard library only), so contract, rules, indicators and
the CLI can all use it without breaking the layering rule.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

BOM = "\ufeff"
ENCODING = "utf-8-sig"


class Headers(StrEnum):
    """表头语言 / header language of a CSV export."""

    EN = "en"  # stable English ids (default)
    ZH = "zh"  # Chinese labels, for people


def header_row(columns: Sequence[str], labels: Mapping[str, str], headers: Headers) -> list[str]:
    """The header line: the ids, or their Chinese labels (every column must have one)."""
    if headers is Headers.EN:
        return list(columns)
    missing = [c for c in columns if c not in labels]
    if missing:
        raise KeyError(f"no Chinese label for column(s) {', '.join(missing)}")
    return [labels[c] for c in columns]


def cell(value: Any) -> str:
    """One CSV cell at full precision (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return exact(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def exact(value: Decimal) -> str:
    """A decimal's exact value in plain notation without trailing zeros (`0.500000` → `0.5`)."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def csv_text(
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    labels: Mapping[str, str],
    headers: Headers = Headers.EN,
) -> str:
    """The CSV as text, without a BOM (for standard output)."""
    buffer = io.StringIO()
    _write(buffer, columns, rows, labels, headers)
    return buffer.getvalue()


def write_csv(
    path: Path,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    labels: Mapping[str, str],
    headers: Headers = Headers.EN,
) -> int:
    """Write the rows to `path` as UTF-8 with a BOM, streaming; returns the row count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=ENCODING, newline="") as handle:
        return _write(handle, columns, rows, labels, headers)


def _write(
    handle: Any,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    labels: Mapping[str, str],
    headers: Headers,
) -> int:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(header_row(columns, labels, headers))
    count = 0
    for row in rows:
        writer.writerow([cell(row.get(c)) for c in columns])
        count += 1
    return count
