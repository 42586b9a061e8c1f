"""One mapping by hand (`map_one`, the 数据采集 page's form) acts as a mapping file row would."""

from __future__ import annotations

import duckdb

from sanjianguan.analytic_store.codemap import map_one, mapped_code, unmapped_queue
from tests.rules.builder import StoreBuilder


def test_map_one_upserts_and_remaps_only_unmapped_lines(con: duckdb.DuckDBPyConnection) -> None:
    build = StoreBuilder(con)
    build.institution().patient().encounter("E1")
    build.fee("E1", None, "2025-03-02 09:00:00", local_code="L1")
    build.fee("E1", None, "2025-03-03 09:00:00", local_code="L1")
    build.fee("E1", "OWN", "2025-03-03 09:00:00", local_code="L1", item_code_source="reported")
    assert mapped_code(con, "H1", "L1") is None
    assert map_one(con, "H1", "L1", "N1", "web:analyst") == 2
    assert mapped_code(con, "H1", "L1") == "N1"
    assert unmapped_queue(con, "H1") == []
    rows = con.execute("SELECT item_code, item_code_source FROM fee_items ORDER BY line_id").fetchall()
    assert rows == [("N1", "mapped"), ("N1", "mapped"), ("OWN", "reported")]
    source = con.execute("SELECT source FROM code_map").fetchone()
    assert source == ("web:analyst",)
