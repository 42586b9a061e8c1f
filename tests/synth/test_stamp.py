"""Stamped plants (synth/plants/stamp.py) where placements crowd: one tertiary hospital, 20 %.

The smallest region at the highest rate puts hundreds of planted stays of one diagnosis
into one hospital's month and rotates its plant doctors many times, the density a city
month has per institution. The catalogue still finds exactly the truth (no template
billing, workload or cluster that nobody planted), and the item-set guard speaks up
when the signature labs cannot keep the stays apart.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sanjianguan.errors import ConfigError
from sanjianguan.synth import generate
from sanjianguan.synth.plants import stamp
from tests.synth.test_hit_rate import Run, catalogue_run, mismatches

MONTHS = ("2025-03", "2025-04")
RATE = 0.2


@pytest.fixture(scope="module")
def dense(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("dense")
    generate(root / "region", "tiny", len(MONTHS), 4, start=MONTHS[0], hit_rate=RATE)
    return catalogue_run(root / "region", root / "home", MONTHS)


def test_crowded_plants_are_exactly_the_truth(dense: Run) -> None:
    assert mismatches(dense) == {}


def test_crowded_plants_reach_the_rate(dense: Run) -> None:
    units = {h.encounter_id or h.hit_key for h in dense.hits}
    assert abs(len(units) / dense.encounters - RATE) <= 0.2 * RATE


def test_one_institution_holds_many_planted_stays_of_a_diagnosis(dense: Run) -> None:
    """The density the test is about: more planted stays per hospital, month and diagnosis than
    one placement makes, and more plant doctors than one everyday doctor per hospital."""
    import duckdb

    folder = dense.out / "batches" / MONTHS[-1]
    most = duckdb.sql(
        f"SELECT max(n) FROM (SELECT count(*) n FROM read_parquet('{folder}/encounters.parquet') "
        "WHERE encounter_type = 'inpatient' AND encounter_id LIKE 'E______9%' "
        "GROUP BY institution_id, main_diagnosis)"
    ).fetchone()
    assert most is not None
    # One placement plants a handful; here the rate's share left after the 51 rules' plants
    # (C14 and T14 joined) still puts some 100 of one diagnosis into one hospital's month.
    assert most[0] >= 80
    with (dense.out / "truth.csv").open(encoding="utf-8") as fh:
        assert sum(row["rule_id"] == "T07" for row in csv.DictReader(fh)) >= 10


def test_too_many_stays_to_tell_apart_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stamp, "SIGNATURES", 8)
    with pytest.raises(ConfigError, match="T07"):
        generate(tmp_path / "crowded", "tiny", 1, 4, hit_rate=RATE)
    assert not (tmp_path / "crowded" / "batches").exists()  # refused before any batch is written
