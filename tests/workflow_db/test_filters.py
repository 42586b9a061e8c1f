"""where_given: a None criterion is no filter; every given one narrows the query (AND)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    SQLColumnExpression,
    String,
    Table,
    create_engine,
    insert,
    select,
)

from sanjianguan.workflow_db.filters import where_given

metadata = MetaData()
rows = Table(
    "rows", metadata, Column("id", Integer, primary_key=True), Column("kind", String), Column("year", Integer)
)
DATA = [(1, "staff", 2025), (2, "staff", 2026), (3, "institution", 2025), (4, "institution", None)]


def _ids(*criteria: tuple[SQLColumnExpression[Any], object]) -> list[int]:
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(rows), [{"id": i, "kind": k, "year": y} for i, k, y in DATA])
        query = where_given(select(rows.c.id), *criteria).order_by(rows.c.id)
        return list(conn.execute(query).scalars())


def test_none_adds_no_filter() -> None:
    assert _ids((rows.c.kind, None), (rows.c.year, None)) == [1, 2, 3, 4]
    query = where_given(select(rows.c.id), (rows.c.kind, None))
    assert query.whereclause is None


def test_given_values_narrow_together() -> None:
    assert _ids((rows.c.kind, "staff"), (rows.c.year, None)) == [1, 2]
    assert _ids((rows.c.kind, "staff"), (rows.c.year, 2025)) == [1]
    assert _ids((rows.c.kind, "institution"), (rows.c.year, 2026)) == []


def test_falsy_values_still_filter() -> None:
    # 0 and "" are values, not "no filter": only None leaves a criterion out.
    assert _ids((rows.c.year, 0)) == []
    assert _ids((rows.c.kind, "")) == []
