"""Which institutions a `full` batch replaces, and how many encounters it brings each:
one answer for the replacement guard and for the deletion (`load_replace.py`)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from sanjianguan.analytic_store.load_replace import batch_institutions, brought
from sanjianguan.analytic_store.load_report import LoadReport
from sanjianguan.analytic_store.load_stage import (
    StagedTable,
    count_of,
    drop_staged,
    stage_all,
    staged_encounters,
)
from sanjianguan.contract.batch import batch_files
from sanjianguan.contract.files import FileLimits
from sanjianguan.contract.manifest import Manifest
from tests.contract.batchkit import INSTITUTION, PERIOD, valid_rows, write_batch

OTHER = "H51150200002"
LIMITS = FileLimits()


def stage(con: duckdb.DuckDBPyConnection, folder: Path) -> list[StagedTable]:
    report = LoadReport(batch_id="b", source=str(folder))
    return stage_all(con, batch_files(folder), [], report, LIMITS)


def region_batch(tmp_path: Path) -> Path:
    """Encounters of two institutions, one padded with spaces, one with no institution at all."""
    template = valid_rows()["encounters"][0]
    ids = [OTHER, f"  {INSTITUTION} ", OTHER, "", "   "]
    encounters = [{**template, "encounter_id": f"E{n}", "institution_id": i} for n, i in enumerate(ids)]
    return write_batch(tmp_path / "b", rows={"encounters": encounters}, manifest={"institution_id": None})


def manifest(institution: str | None) -> Manifest:
    return Manifest(contract_version="1", period=PERIOD, kind="full", institution_id=institution)


def test_a_region_batch_brings_each_named_institution_trimmed(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    staged = stage(con, region_batch(tmp_path))
    try:
        counts = brought(con, manifest(None), staged)
        assert counts == {INSTITUTION: 1, OTHER: 2}
        assert batch_institutions(manifest(None), counts) == sorted([INSTITUTION, OTHER])
    finally:
        drop_staged(con, staged)


def test_a_one_institution_batch_replaces_its_own_institution_only(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    staged = stage(con, region_batch(tmp_path))
    try:
        counts = brought(con, manifest(INSTITUTION), staged)
        assert counts == {INSTITUTION: 5}  # every encounter row counts for the manifest's institution
        assert batch_institutions(manifest(INSTITUTION), counts) == [INSTITUTION]
        assert batch_institutions(manifest(INSTITUTION), {}) == [INSTITUTION]
    finally:
        drop_staged(con, staged)


def test_a_batch_without_encounters_brings_none(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    staged = stage(con, write_batch(tmp_path / "b", drop=["encounters"], manifest={"institution_id": None}))
    try:
        assert staged_encounters(staged) is None
        assert brought(con, manifest(None), staged) == {}
        assert batch_institutions(manifest(None), {}) == []
    finally:
        drop_staged(con, staged)


def test_count_of_a_query_without_rows_is_zero(con: duckdb.DuckDBPyConnection) -> None:
    assert count_of(con, "SELECT 1 WHERE false") == 0
    assert count_of(con, "SELECT count(*) FROM batches WHERE batch_id = ?", ["none"]) == 0
    assert count_of(con, "SELECT ?::INTEGER + 1", [41]) == 42
