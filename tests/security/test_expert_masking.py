"""Issue 10 item 4: what an expert reads carries no identity, for every rule's evidence.

The synthetic region plants a case for every catalogue rule; each hit becomes a clue, and
its expert evidence must hold no institution, doctor, patient, encounter, fee-line or order
id (other than the package's pseudonyms), no birth or death date and no address code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from sanjianguan.clues.anonymise import FIELDS, expert_evidence
from sanjianguan.context import Context
from sanjianguan.engines.duckdb import DuckDBEngine
from sanjianguan.kb.loader import load_kb
from sanjianguan.pipeline import collect_one
from sanjianguan.rules.hits import Hit
from sanjianguan.rules.registry import load_catalogue
from sanjianguan.rules.runner import compute
from sanjianguan.synth import generate
from sanjianguan.workflow_db.models import Clue

MONTHS = ("2025-01", "2025-02")
IDENTITY_SQL = {
    "institution": "SELECT institution_id FROM institutions UNION SELECT name FROM institutions",
    "staff": "SELECT staff_id FROM staff",
    "patient": "SELECT patient_id FROM patients",
    "encounter": "SELECT encounter_id FROM encounters",
    "fee line": "SELECT line_id FROM fee_items",
    "order": "SELECT order_id FROM orders",
    "address": "SELECT address_code FROM patients WHERE address_code IS NOT NULL",
}
TOKEN = re.compile(r"[0-9A-Za-z][0-9A-Za-z\-]*")


@dataclass
class Region:
    home: Path
    hits: list[Hit]
    identities: dict[str, str]  # lower-case value → what it is


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Region]:
    root = tmp_path_factory.mktemp("masking")
    generate(root / "region", "tiny", len(MONTHS), 11, start=MONTHS[0])
    ctx = Context.open(root / "home")
    with ctx.store() as con:
        load_kb(con, root / "region" / "ref")
        for batch in sorted((root / "region" / "batches").iterdir()):
            assert collect_one(ctx, con, batch).status == "accepted"
        engine = DuckDBEngine(con)
        rules = load_catalogue(ctx.home)
        hits = [h for period in MONTHS for r in compute(engine, rules, period) for h in r.hits]
        yield Region(ctx.home, hits, _identities(con))


def _identities(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    found: dict[str, str] = {}
    for what, sql in IDENTITY_SQL.items():
        for (value,) in con.execute(sql).fetchall():
            if value:
                found[str(value).lower()] = what
    return found


def _clue(hit: Hit) -> Clue:
    evidence = json.loads(hit.evidence)
    if hit.related_encounter_id:
        evidence["related_encounter_id"] = hit.related_encounter_id
    return Clue(
        id=f"hit-{hit.hit_id}",
        rule_id=hit.rule_id,
        period=hit.event_date.strftime("%Y-%m") if hit.event_date else MONTHS[0],
        institution_id=hit.institution_id or "",
        department=hit.department,
        doctor_id=hit.doctor_id,
        patient_id=hit.patient_id,
        encounter_id=hit.encounter_id,
        event_date=hit.event_date,
        evidence=evidence,
    )


def _leaks(shown: object, identities: dict[str, str]) -> list[str]:
    text = json.dumps(shown, ensure_ascii=False, default=str)
    leaks = [f"{identities[t.lower()]} {t}" for t in TOKEN.findall(text) if t.lower() in identities]
    names = [v for v, what in identities.items() if what == "institution" and not v.isascii()]
    return leaks + [f"institution name {n}" for n in names if n in text]


def test_every_rule_declares_only_allow_listed_fields(region: Region) -> None:
    undeclared = {
        (c.rule.id, f) for c in load_catalogue(region.home) for f in c.rule.evidence if f not in FIELDS
    }
    assert undeclared == set()


def test_no_identity_survives_in_any_rules_evidence(region: Region) -> None:
    rule_ids = {c.rule.id for c in load_catalogue(region.home)}
    seen: set[str] = set()
    problems: dict[str, list[str]] = {}
    for hit in region.hits:
        clue = _clue(hit)
        shown = expert_evidence(clue)
        seen.add(hit.rule_id)
        leaks = _leaks(shown, region.identities)
        leaks += [f"{key} shown" for key in ("birth_date", "death_date") if key in shown]
        if "birth_date" in clue.evidence and str(clue.evidence["birth_date"]) in json.dumps(shown):
            leaks.append(f"birth date {clue.evidence['birth_date']}")
        if leaks:
            problems.setdefault(hit.rule_id, []).extend(leaks)
    assert seen == rule_ids, "every rule must be tested on at least one hit"
    assert problems == {}


def test_evidence_keeps_what_the_expert_needs(region: Region) -> None:
    by_rule = {h.rule_id: h for h in region.hits}
    t07 = expert_evidence(_clue(by_rule["T07"]))
    assert "本次就诊" in t07["similar_encounters"]
    assert all(e == "本次就诊" or e.startswith("就诊#") for e in t07["similar_encounters"])
    c07 = expert_evidence(_clue(by_rule["C07"]))
    assert "birth_date" not in c07
    assert isinstance(c07["age_at_event"], int)
    assert c07["item_code"] == json.loads(by_rule["C07"].evidence)["item_code"]
    t11 = expert_evidence(_clue(by_rule["T11"]))
    assert "death_date" not in t11
    assert t11["event_days_after_death"] >= 0
    assert expert_evidence(_clue(by_rule["T05"]))["address_code"] == "〔已遮蔽〕"
