"""Writing a benchmark's figures: `bench/results/<name>.json`, UTF-8, Chinese kept as written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def write_result(name: str, result: dict[str, Any], *, indent: int = 2) -> Path:
    """Write `result` to `bench/results/<name>.json`; its path."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=indent, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
