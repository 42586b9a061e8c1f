"""The background is clean: an independent SQL reading of every rule finds exactly the planted cases."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from sanjianguan.synth import SynthSummary
from tests.synth import rulecheck


@pytest.fixture(scope="module")
def found(tiny: tuple[Path, SynthSummary]) -> dict[str, set[str]]:
    return rulecheck.hits(rulecheck.connect(tiny[0]))


@pytest.fixture(scope="module")
def truth(tiny: tuple[Path, SynthSummary]) -> dict[str, dict[str, str]]:
    rows: dict[str, dict[str, str]] = {}
    with (tiny[0] / "truth.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            rows.setdefault(r["rule_id"], {})[r["key"]] = r["kind"]
    return rows


@pytest.mark.parametrize("rule", [*sorted(rulecheck.RULES), "S01", "S02", "S03", "S04"])
def test_hits_are_exactly_the_planted_positives(
    rule: str, found: dict[str, set[str]], truth: dict[str, dict[str, str]]
) -> None:
    positives = {k for k, v in truth.get(rule, {}).items() if v == "positive"}
    negatives = {k for k, v in truth.get(rule, {}).items() if v == "negative"}
    assert found[rule] == positives
    assert not found[rule] & negatives


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def test_background_patients_have_one_encounter_a_day(tiny: tuple[Path, SynthSummary]) -> None:
    con = rulecheck.connect(tiny[0])
    planted = "SELECT encounter_id FROM e WHERE substr(encounter_id, 8, 1) = '9'"
    assert (
        _one(
            con,
            f"SELECT count(*) FROM (SELECT patient_id, ad FROM e WHERE encounter_id NOT IN ({planted}) "
            "GROUP BY ALL HAVING count(*) > 1)",
        )
        == 0
    )


def test_background_prices_within_caps(tiny: tuple[Path, SynthSummary]) -> None:
    con = rulecheck.connect(tiny[0])
    assert (
        _one(
            con,
            """SELECT count(*) FROM fee_items f JOIN e USING (encounter_id) JOIN institutions i
        USING (institution_id) JOIN ref_items r USING (item_code)
        WHERE f.unit_price > CASE i.level WHEN 3 THEN
        r.price_cap_l3 WHEN 2 THEN r.price_cap_l2 ELSE r.price_cap_l1 END
        AND substr(f.encounter_id, 8, 1) <> '9'""",
        )
        == 0
    )


def test_high_value_quantity_is_one_outside_plants(tiny: tuple[Path, SynthSummary]) -> None:
    con = rulecheck.connect(tiny[0])
    assert (
        _one(
            con,
            """SELECT count(*) FROM fee_items f JOIN ref_items r USING (item_code) WHERE r.high_value
        AND f.quantity <> 1 AND substr(f.encounter_id, 8, 1) <> '9'""",
        )
        == 0
    )


def test_background_stays_are_short_and_grouped(tiny: tuple[Path, SynthSummary]) -> None:
    con = rulecheck.connect(tiny[0])
    assert (
        _one(
            con,
            """SELECT count(*) FROM e JOIN los USING (encounter_id) WHERE substr(encounter_id, 8, 1) <> '9'
        AND (los.los >= 28 OR drg_code IS NULL)""",
        )
        == 0
    )
