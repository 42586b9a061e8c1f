"""Benchmark: how long the CLI takes to start (启动时间).

Times, each in a fresh process and in alternation (these machines are noisy), the
baseline `python -c pass`, `python -c "import typer"` (the CLI toolkit alone), and
and `sjg --help`, `sjg status --help`, ... (or the command lines given with --command). Prints and writes (JSON) the best and median seconds of each, and each
command's ratio to the baseline measured in the same run.

    .venv/bin/python bench/startup.py [--rounds N] [--command "status --help"]... [--src DIR]

--src times another checkout's src/ (e.g. an older commit from `git archive`); its
figures are written to startup-<name of DIR's parent>.json instead.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from resultfile import write_result

SRC = Path(__file__).resolve().parent.parent / "src"
DEFAULT_COMMANDS = ("--help", "status --help", "ingest --help", "cases --help")


def _cases(commands: list[str]) -> dict[str, list[str]]:
    sjg = [sys.executable, "-c", "from sanjianguan.cli import main; main()"]
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "import typer": [sys.executable, "-c", "import typer"],
    }
    for command in commands:
        cases[f"sjg {command}"] = [*sjg, *command.split()]
    return cases


def _time(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode()}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--command", action="append", help="an sjg command line to time (repeatable)")
    parser.add_argument("--src", type=Path, default=SRC, help="the src/ folder to time (default: this one)")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(args.src.resolve())}
    cases = _cases(args.command or list(DEFAULT_COMMANDS))
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.rounds):
        for name, argv in cases.items():
            times[name].append(_time(argv, env))
    base = min(times["python -c pass"])
    results: dict[str, Any] = {}
    for name, values in times.items():
        best = min(values)
        results[name] = {
            "best_s": round(best, 4),
            "median_s": round(statistics.median(values), 4),
            "ratio_to_python": round(best / base, 1),
        }
        print(f"{name:<24} best {best:.3f} s  median {statistics.median(values):.3f} s  × {best / base:.1f}")
    record = {
        "src": str(args.src),
        "python": sys.version.split()[0],
        "rounds": args.rounds,
        "load_average": os.getloadavg()[0],
        "results": results,
    }
    name = "startup" if args.src == SRC else f"startup-{args.src.resolve().parent.name}"
    print(f"→ {write_result(name, record)}")


if __name__ == "__main__":
    main()
