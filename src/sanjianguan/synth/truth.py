"""The answer key: `truth.csv` with rule_id, key, kind (positive / negative)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path


def write_truth(path: Path, rows: Iterable[tuple[str, str, str]]) -> int:
    """Write sorted, de-duplicated truth rows; a key planted both ways counts as positive."""
    kinds: dict[tuple[str, str], str] = {}
    for rule, key, kind in rows:
        if kinds.get((rule, key)) != "positive":
            kinds[(rule, key)] = kind
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["rule_id", "key", "kind"])
        for (rule, key), kind in sorted(kinds.items()):
            writer.writerow([rule, key, kind])
    return len(kinds)
