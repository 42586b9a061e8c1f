"""The benchmarks' data: one synthetic month at a size and a realistic hit rate.

Every benchmark that generates its data through `sjg synth` takes the same options:
`--scale` or `--institutions N` (any size from tiny to city) and `--hit-rate R`
(default 0.03: about 3 % of the encounters fall under some rule, as in real data,
so that evidence, hits and clues cost what they would). Every figure states the run's
hit count, and result files are named by size and rate.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import time
from pathlib import Path
from typing import Any

HIT_RATE = 0.03
SEED = 7


def add_options(parser: argparse.ArgumentParser, default_scale: str, scales: list[str]) -> None:
    """--scale / --institutions / --hit-rate, as `sjg synth` has them."""
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--scale", default=None, choices=scales, help=f"preset size (default {default_scale})")
    size.add_argument(
        "--institutions", type=int, metavar="N", help="institutions of the region (9 tiny … 892 city)"
    )
    parser.add_argument(
        "--hit-rate",
        type=float,
        default=HIT_RATE,
        metavar="R",
        help=f"share of encounters with a hit, 0–0.2 (default {HIT_RATE})",
    )
    parser.set_defaults(default_scale=default_scale)


def spec(args: argparse.Namespace) -> dict[str, Any]:
    """What to generate, from the parsed options."""
    return {
        "scale": args.scale or args.default_scale,
        "institutions": args.institutions,
        "hit_rate": args.hit_rate,
    }


def label(data: dict[str, Any]) -> str:
    """The data's name in folders and result files: size and hit rate (rules-county-r0.03.json)."""
    size = f"n{data['institutions']}" if data["institutions"] else data["scale"]
    return f"{size}-r{data['hit_rate']:g}"


def generate_month(out: Path, data: dict[str, Any], start: str = "2025-01", months: int = 1) -> float:
    """Generate the data into `out` once (reused when complete and of the same spec); seconds taken."""
    done = out / ".complete"
    if done.exists() and json.loads(done.read_text(encoding="utf-8")).get("spec") == data:
        return 0.0
    from sanjianguan.synth import generate

    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    generate(
        out,
        data["scale"],
        months,
        SEED,
        start=start,
        hit_rate=data["hit_rate"],
        institutions=data["institutions"],
    )
    seconds = time.perf_counter() - started
    done.write_text(json.dumps({"spec": data, "seconds": seconds}), encoding="utf-8")
    return seconds


def planted_positives(out: Path) -> int:
    """Positive rows of the data's truth.csv: the hits a correct catalogue finds."""
    with (out / "truth.csv").open(encoding="utf-8") as fh:
        return sum(1 for row in csv.DictReader(fh) if row["kind"] == "positive")
