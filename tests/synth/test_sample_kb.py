"""The sample knowledge base: exactly the contract's reference columns, valid values."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from sanjianguan.contract.schema import LIST_COLUMNS, REF_TABLES, ROUTES, ColType
from sanjianguan.kb import sample
from sanjianguan.synth.templates import STAYS

FILES = (
    "ref_items",
    "ref_item_relations",
    "ref_drg",
    "ref_minor_diagnoses",
    "ref_tcm_advantage_diseases",
    "ref_icd10",
)


def _rows(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with (sample.path() / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


@pytest.mark.parametrize("name", FILES)
def test_columns_are_the_contract_columns(name: str) -> None:
    header, rows = _rows(name)
    assert tuple(header) == REF_TABLES[name].column_names
    assert rows


@pytest.mark.parametrize("name", FILES)
def test_values_are_valid(name: str) -> None:
    table = REF_TABLES[name]
    _, rows = _rows(name)
    keys = [tuple(r[k] for k in table.key) for r in rows]
    assert len(keys) == len(set(keys))
    for row in rows:
        for col in table.columns:
            value = row[col.name]
            if col.required:
                assert value, (name, col.name, row)
            if not value:
                continue
            if (name, col.name) in LIST_COLUMNS:
                assert all(part.strip() for part in value.split("|"))
            elif col.choices:
                assert value in col.choices, (name, col.name, value)
            if col.type is ColType.DECIMAL:
                assert Decimal(value) >= 0
            elif col.type is ColType.INT:
                int(value)
            elif col.type is ColType.BOOL:
                assert value in ("0", "1")


def test_items_cover_what_the_rules_need() -> None:
    _, items = _rows("ref_items")
    has = {c: [r for r in items if r[c]] for c in REF_TABLES["ref_items"].column_names}
    for column in (
        "price_cap_l3",
        "max_per_day",
        "per_day_billing",
        "sex_limit",
        "age_max",
        "indication_icd",
        "min_level",
        "antibiotic_grade",
        "ddd",
        "max_daily_dose",
        "routes",
        "mutual_recognition",
        "requires_consent",
        "repeat_window_days",
        "max_days",
        "max_per_encounter",
        "setting",
        "freq_limit",
        "tags",
        "key_monitored",
    ):
        assert has[column], column
    assert {r["antibiotic_grade"] for r in has["antibiotic_grade"]} == {
        "非限制使用级",
        "限制使用级",
        "特殊使用级",
    }
    assert {r["setting"] for r in has["setting"]} == {"inpatient", "outpatient"}
    tags = {t for r in has["tags"] for t in r["tags"].split("|")}
    assert {"dialysis", "ct", "mri", "dr", "cr", "tcm_nondrug"} <= tags
    ingredients = [r["ingredient"] for r in items if r["ingredient"]]
    assert len(ingredients) > len(set(ingredients))  # two products share an ingredient
    for r in has["routes"]:
        assert set(r["routes"].split("|")) <= set(ROUTES)
    service_codes = [r["item_code"] for r in items if r["kind"] == "service"]
    assert all(len(c) == 15 and c.isdigit() for c in service_codes)


def test_relations_and_drg() -> None:
    _, relations = _rows("ref_item_relations")
    assert {r["relation"] for r in relations} == {"includes", "excludes", "incompatible", "requires"}
    _, drg = _rows("ref_drg")
    assert "low" in {r["risk_group"] for r in drg}
    _, minor = _rows("ref_minor_diagnoses")
    assert {"J00", "J06", "K29.7"} <= {r["icd10_prefix"] for r in minor}


def test_exam_modalities_let_c14_fire() -> None:
    """C14 串换收费 needs, within a modality, a dear exam X and a cheaper Y: two level-3 caps."""
    _, items = _rows("ref_items")
    exams = [r for r in items if r["item_type"] == "exam" and r["tags"]]
    for modality in ("ct", "mri", "us"):
        caps = {
            Decimal(r["price_cap_l3"])
            for r in exams
            if modality in r["tags"].split("|") and r["price_cap_l3"]
        }
        assert len(caps) >= 2, modality
    for modality in ("dr", "cr"):
        assert any(modality in r["tags"].split("|") for r in exams), modality


def test_tcm_advantage_diseases_cover_the_synthetic_stays() -> None:
    """The sample list names the NATCM-style diseases with Chinese names, and the synthetic
    region's inpatient diagnoses (templates.STAYS) include some, so the indicator has values."""
    _, rows = _rows("ref_tcm_advantage_diseases")
    prefixes = {r["icd10_prefix"] for r in rows}
    assert {"I63", "M17", "M51", "E11", "I25", "R42", "K29"} <= prefixes
    assert all(r["name"] for r in rows)
    covered = {s.dx for s in STAYS if any(s.dx.startswith(p) for p in prefixes)}
    assert {"I63.900", "E11.900", "I25.103"} <= covered
    assert len(covered) < len({s.dx for s in STAYS})  # not every inpatient: a ratio below 1
