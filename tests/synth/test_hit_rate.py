"""`sjg synth --hit-rate`: positives planted at a realistic rate, and still exactly the truth.

A small region (12 institutions, two months) at a 3 % hit rate, run through the DuckDB catalogue: the
hits are exactly truth.csv's positives, about 3 % of the encounters have one, and they
are spread over rules, institutions and both months.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from sanjianguan.context import Context
from sanjianguan.errors import ConfigError
from sanjianguan.kb.loader import load_kb
from sanjianguan.pipeline import collect_one
from sanjianguan.rules.hits import Hit
from sanjianguan.rules.registry import load_catalogue
from sanjianguan.rules.runner import compute
from sanjianguan.synth import generate

RATE = 0.03
# The share of encounters with a hit lands within this (relative) tolerance of the rate:
# the last plant of a month may overshoot it, and one of every plant comes first.
TOLERANCE = 0.2
MIN_RULES = 45  # of the 50 level-1 rules; every one the plants can plant has hits at this size
MONTHS = ("2025-01", "2025-02")
SEED = 21
PATIENT_KEYED = {"C12", "T06", "T13"}


@dataclass
class Run:
    out: Path
    hits: list[Hit]
    encounters: int
    truth: dict[str, dict[str, set[str]]]  # rule → kind → keys
    periods: dict[str, str]  # hit id → period of the run that found it


INSTITUTIONS = 12  # a little more than tiny: about 2 600 encounters a month


def _generate(out: Path) -> None:
    generate(out, "tiny", len(MONTHS), SEED, start=MONTHS[0], hit_rate=RATE, institutions=INSTITUTIONS)


def catalogue_run(out: Path, home: Path, months: tuple[str, ...]) -> Run:
    """Load a generated region into a fresh store and run the DuckDB catalogue on each month."""
    truth: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    with (out / "truth.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            truth[row["rule_id"]][row["kind"]].add(row["key"])
    ctx = Context.open(home)
    with ctx.store() as con:
        load_kb(con, out / "ref")
        for batch in sorted((out / "batches").iterdir()):
            assert collect_one(ctx, con, batch).status == "accepted"
        from sanjianguan.engines.duckdb import DuckDBEngine

        engine = DuckDBEngine(con)
        rules = load_catalogue(ctx.home)
        hits, periods = [], {}
        for period in months:
            for result in compute(engine, rules, period):
                for hit in result.hits:
                    hits.append(hit)
                    periods[hit.hit_id] = period
        row = con.execute("SELECT count(*) FROM encounters").fetchone()
        assert row is not None
        return Run(out, hits, int(row[0]), truth, periods)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("rate")
    out = root / "region"
    _generate(out)
    return catalogue_run(out, root / "home", MONTHS)


def mismatches(run: Run) -> dict[str, dict[str, list[str]]]:
    """Per rule: truth positives missed, hits not in the truth, near misses hit (empty: exact)."""
    found: dict[str, set[str]] = defaultdict(set)
    for hit in run.hits:
        found[hit.rule_id].add(_truth_key(hit))
    problems = {}
    for rule_id in sorted(set(found) | set(run.truth)):
        expected, near = run.truth[rule_id]["positive"], run.truth[rule_id]["negative"]
        got = found.get(rule_id, set())
        if got != expected:
            problems[rule_id] = {
                "missed": sorted(expected - got)[:5],
                "false positives": sorted(got - expected)[:5],
                "near misses hit": sorted(got & near)[:5],
            }
    return problems


def _truth_key(hit: Hit) -> str:
    if hit.rule_id in PATIENT_KEYED:
        return str(hit.patient_id)
    if hit.rule_id == "T09":
        return hit.hit_key
    return str(hit.encounter_id)


def test_hits_are_exactly_the_truth(run: Run) -> None:
    assert mismatches(run) == {}


def test_share_of_encounters_with_a_hit_is_the_rate(run: Run) -> None:
    units = {h.encounter_id or h.hit_key for h in run.hits}
    share = len(units) / run.encounters
    assert abs(share - RATE) <= TOLERANCE * RATE, share


def test_hits_spread_over_rules_institutions_and_months(run: Run) -> None:
    assert len({h.rule_id for h in run.hits}) >= MIN_RULES
    assert len({h.institution_id for h in run.hits if h.institution_id}) >= 2
    for period in MONTHS:
        in_month = [h for h in run.hits if run.periods[h.hit_id] == period]
        assert len({h.rule_id for h in in_month}) >= 10, period


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes(run: Run, tmp_path: Path) -> None:
    _generate(tmp_path / "again")
    assert _files(tmp_path / "again") == _files(run.out)


def test_rate_zero_plants_nothing(tmp_path: Path) -> None:
    generate(tmp_path / "clean", "tiny", 1, 3, hit_rate=0)
    lines = (tmp_path / "clean/truth.csv").read_text(encoding="utf-8").splitlines()
    assert lines == ["rule_id,key,kind"]


@pytest.mark.parametrize("rate", [-0.01, 0.21])
def test_rate_out_of_range_is_refused(rate: float, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="hit-rate"):
        generate(tmp_path / "bad", "tiny", 1, 3, hit_rate=rate)
    assert not (tmp_path / "bad").exists()


def test_small_row_groups_keep_every_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stamped plant rows written in many small row groups are the same rows as in one."""
    import importlib

    import duckdb

    gen = importlib.import_module("sanjianguan.synth.generate")  # the module, not the function
    whole = generate(tmp_path / "whole", "tiny", 2, 5, hit_rate=0.05)
    monkeypatch.setattr(gen, "FLUSH_ROWS", 7)
    parts = generate(tmp_path / "parts", "tiny", 2, 5, hit_rate=0.05)
    assert parts.rows == whole.rows
    assert (tmp_path / "parts/truth.csv").read_bytes() == (tmp_path / "whole/truth.csv").read_bytes()
    for table in ("encounters", "fee_items", "orders", "patients"):
        for month in MONTHS:
            files = [tmp_path / run / "batches" / month / f"{table}.parquet" for run in ("whole", "parts")]
            a, b = (duckdb.sql(f"SELECT * FROM read_parquet('{f}') ORDER BY ALL").fetchall() for f in files)
            assert a == b, (table, month)
