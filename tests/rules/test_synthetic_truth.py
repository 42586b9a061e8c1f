"""The whole catalogue on the synthetic region: every planted positive found, nothing else.

The generator plants cases for every level-1 rule in a background that is clean by
construction and writes their truth (rule_id, key, kind). A correct catalogue finds
every `positive`, no `negative`, and no hit that is not planted.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pytest

from sanjianguan.analytic_store.parquet import export_parquet
from sanjianguan.context import Context
from sanjianguan.engines.duckdb import DuckDBEngine
from sanjianguan.kb.loader import load_kb
from sanjianguan.pipeline import collect_one
from sanjianguan.queries.shared_views import shared_view_declarations
from sanjianguan.rules.hits import Hit
from sanjianguan.rules.registry import load_catalogue
from sanjianguan.rules.runner import compute, prepare, run_rule
from sanjianguan.synth import generate

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

PATIENT_KEYED = {"C12", "T06", "T13"}
MONTHS = ("2025-01", "2025-02")


@dataclass
class Region:
    home: Path
    truth: dict[str, dict[str, set[str]]]  # rule → kind → keys
    con: duckdb.DuckDBPyConnection


def truth_key(hit: Hit) -> str:
    """The key truth.csv uses for a hit (rules.md's keys)."""
    if hit.rule_id in PATIENT_KEYED:
        return str(hit.patient_id)
    if hit.rule_id == "T09":
        return hit.hit_key
    return str(hit.encounter_id)


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Region]:
    root = tmp_path_factory.mktemp("truth")
    out = root / "region"
    generate(out, "tiny", len(MONTHS), 11, start=MONTHS[0])
    ctx = Context.open(root / "home")
    truth: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    with (out / "truth.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            truth[row["rule_id"]][row["kind"]].add(row["key"])
    with ctx.store() as con:
        load_kb(con, out / "ref")
        for batch in sorted((out / "batches").iterdir()):
            assert collect_one(ctx, con, batch).status == "accepted"
        yield Region(ctx.home, truth, con)


def _found(engine_hits: list[Hit]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for hit in engine_hits:
        found[hit.rule_id].add(truth_key(hit))
    return found


@pytest.fixture(scope="module")
def duckdb_hits(region: Region) -> list[Hit]:
    rules = load_catalogue(region.home)
    engine = DuckDBEngine(region.con)
    return [h for period in MONTHS for r in compute(engine, rules, period) for h in r.hits]


def test_every_catalogue_rule_has_planted_truth(region: Region) -> None:
    rule_ids = {c.rule.id for c in load_catalogue(region.home)}
    missing = sorted(r for r in rule_ids if not region.truth[r]["positive"])
    assert missing == []


def test_catalogue_finds_exactly_the_planted_cases(region: Region, duckdb_hits: list[Hit]) -> None:
    found = _found(duckdb_hits)
    problems = {}
    for rule_id in sorted({c.rule.id for c in load_catalogue(region.home)}):
        expected, near_misses = region.truth[rule_id]["positive"], region.truth[rule_id]["negative"]
        got = found.get(rule_id, set())
        missed, extra = expected - got, got - expected
        if missed or extra:
            problems[rule_id] = {
                "missed": sorted(missed),
                "false positives": sorted(extra),
                "near misses hit": sorted(got & near_misses),
            }
    assert problems == {}


@pytest.mark.spark
def test_spark_finds_the_same_hits(
    region: Region, duckdb_hits: list[Hit], spark_session: SparkSession, tmp_path: Path
) -> None:
    from sanjianguan.engines.spark import SparkEngine

    export_parquet(region.con, tmp_path / "parquet")
    engine = SparkEngine(str(tmp_path / "parquet"), session=spark_session)
    rules = load_catalogue(region.home)
    spark_hits = [h for period in MONTHS for r in compute(engine, rules, period) for h in r.hits]
    assert sorted(spark_hits, key=lambda h: h.hit_id) == sorted(duckdb_hits, key=lambda h: h.hit_id)


def test_aggregates_built_in_slices_give_the_same_hits(region: Region, duckdb_hits: list[Hit]) -> None:
    # Every view built whole (all columns, as for a rule of the region's own that reads the
    # line-id lists), with a tiny slice size: each month's p_fee_daily / p_fee_net collects
    # lists, so it is built from several hash slices of the fee lines, as a city-month is.
    engine = DuckDBEngine(region.con, rows_per_partition=500)
    rules = load_catalogue(region.home)
    sliced: list[Hit] = []
    for period in MONTHS:
        prepare(engine, period)
        sliced += [h for c in rules for h in run_rule(engine, c, period)]
        lines = region.con.execute("SELECT count(*) FROM p_fee_lines").fetchone()
        assert lines is not None
        assert lines[0] > 2 * 500, "the month must need several slices"
        # The sliced tables hold exactly the rows of the aggregates computed in one go
        # (line-id lists compared sorted: a slice collects them in no particular order).
        sliced_views = {v.name: v.sql for v in shared_view_declarations() if v.partitioned_by}
        assert set(sliced_views) == {"p_fee_daily", "p_fee_net"}
        for view, whole in sliced_views.items():
            rows = "SELECT * REPLACE (list_sort(line_ids) AS line_ids) FROM ({})"
            built, expected = rows.format(f"FROM {view}"), rows.format(whole)
            diff = region.con.execute(
                f"SELECT count(*) FROM (({built} EXCEPT ALL {expected}) "
                f"UNION ALL ({expected} EXCEPT ALL {built}))"
            ).fetchone()
            assert diff == (0,), view
    assert sorted(sliced, key=lambda h: h.hit_id) == sorted(duckdb_hits, key=lambda h: h.hit_id)
