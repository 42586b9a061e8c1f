"""DDL of the analytic store, derived from the contract schema.

Store tables are the contract tables plus lineage columns:
- every row carries `batch_id` (the batch that brought it);
- encounters and their child tables carry `period` (settlement month, from the
  batch manifest) and `institution_id` (children: from their encounter), so that a
  `full` batch can replace one institution's period and scans can be partitioned;
- fee_items carries `item_code_source` (`reported` | `mapped` | NULL = unmapped);
- patients carry `id_card_hash` (salted SHA-256) instead of any ID-card number.
Reference tables carry `kb_version`; views `ref_*` show the current version.
Fee lines are stored in table `fee_lines` and, for clean Parquet batches, as Parquet
segments; `fee_items` is the view readers use over both (`store/segments.py`).
"""

from __future__ import annotations

import duckdb

from sanjianguan.contract.schema import REF_TABLES, TABLES, Table

# Contract columns that never reach the store.
DROPPED_COLUMNS = {("patients", "id_card_no")}
# Contract tables stored under another name (the contract name is then a view).
NATIVE_TABLES = {"fee_items": "fee_lines"}


def native_table(name: str) -> str:
    """The table that stores a contract table's rows written by the loader."""
    return NATIVE_TABLES.get(name, name)


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Does the store hold a table `name` (its own schema, not a temporary one)?"""
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() "
        "WHERE table_name = ? AND schema_name = 'main' AND NOT temporary",
        [name],
    ).fetchone()
    return bool(row and row[0])


def store_columns(table: Table) -> list[tuple[str, str]]:
    """(name, SQL type) of a store table, in order."""
    cols = [(c.name, c.type.sql) for c in table.columns if (table.name, c.name) not in DROPPED_COLUMNS]
    names = {n for n, _ in cols}
    if table.encounter_child and "institution_id" not in names:
        cols.insert(0, ("institution_id", "VARCHAR"))
    if table.name == "encounters" or table.encounter_child:
        cols.append(("period", "VARCHAR"))
    if table.name == "fee_items":
        cols.append(("item_code_source", "VARCHAR"))
    if table.name == "patients":
        cols.append(("id_card_hash", "VARCHAR"))
    cols.append(("batch_id", "VARCHAR"))
    return cols


def _create_table(name: str, cols: list[tuple[str, str]]) -> str:
    body = ",\n  ".join(f"{n} {t}" for n, t in cols)
    return f"CREATE TABLE IF NOT EXISTS {name} (\n  {body}\n)"


SYSTEM_DDL = [
    """CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)""",
    # One row per batch attempt (accepted or rejected). batch_id = content hash.
    """CREATE TABLE IF NOT EXISTS batches (
  batch_id VARCHAR,
  institution_id VARCHAR,
  period VARCHAR,
  kind VARCHAR,
  contract_version VARCHAR,
  produced_at TIMESTAMP,
  received_at TIMESTAMP,
  source VARCHAR,
  status VARCHAR,            -- accepted | rejected
  message VARCHAR,
  rows_read BIGINT,
  rows_accepted BIGINT,
  rows_quarantined BIGINT
)""",
    # What an accepted batch put in the store (批次内容): encounters per institution and period.
    # A re-sent batch is "unchanged" only while these are all still there (not replaced since).
    """CREATE TABLE IF NOT EXISTS batch_content (
  batch_id VARCHAR,
  institution_id VARCHAR,
  period VARCHAR,
  encounters BIGINT
)""",
    # Rows that could not be stored faithfully, with where and why (隔离区).
    """CREATE TABLE IF NOT EXISTS quarantine (
  batch_id VARCHAR,
  table_name VARCHAR,
  file VARCHAR,
  row_number BIGINT,
  field VARCHAR,
  reason VARCHAR,
  raw VARCHAR                -- the row as read, JSON
)""",
    # Unknown extra columns, kept aside (contract: not an error).
    """CREATE TABLE IF NOT EXISTS extra_columns (
  batch_id VARCHAR,
  table_name VARCHAR,
  file VARCHAR,
  row_number BIGINT,
  column_name VARCHAR,
  value VARCHAR
)""",
    # 对码: per-institution local code → national code.
    """CREATE TABLE IF NOT EXISTS code_map (
  institution_id VARCHAR,
  local_code VARCHAR,
  item_code VARCHAR,
  source VARCHAR,
  loaded_at TIMESTAMP,
  PRIMARY KEY (institution_id, local_code)
)""",
    # 数据质控: one row per institution, period and measure.
    """CREATE TABLE IF NOT EXISTS quality (
  institution_id VARCHAR,
  period VARCHAR,
  measure VARCHAR,
  numerator DECIMAL(18,4),
  denominator DECIMAL(18,4),
  value DOUBLE,
  detail VARCHAR,
  computed_at TIMESTAMP
)""",
    # Reporting-duty events of art. 24 (not connected, missing, late, low quality).
    """CREATE TABLE IF NOT EXISTS reporting_events (
  institution_id VARCHAR,
  period VARCHAR,
  event VARCHAR,
  event_date DATE,
  detail VARCHAR,
  recorded_at TIMESTAMP
)""",
    """CREATE TABLE IF NOT EXISTS kb_versions (
  kb_version INTEGER PRIMARY KEY,
  loaded_at TIMESTAMP,
  source VARCHAR,
  checksum VARCHAR,
  note VARCHAR
)""",
    # Columns of a reference file the platform does not know, kept aside per version (not loaded).
    """CREATE TABLE IF NOT EXISTS kb_extra_columns (
  kb_version INTEGER,
  table_name VARCHAR,
  file VARCHAR,
  row_number BIGINT,
  column_name VARCHAR,
  value VARCHAR
)""",
]


def all_ddl() -> list[str]:
    """Every CREATE statement of the store, idempotent."""
    statements = list(SYSTEM_DDL)
    for table in TABLES.values():
        statements.append(_create_table(native_table(table.name), store_columns(table)))
    for ref in REF_TABLES.values():
        cols = [(c.name, c.type.sql) for c in ref.columns] + [("kb_version", "INTEGER")]
        statements.append(_create_table(f"kb_{ref.name}", cols))
        statements.append(
            f"CREATE OR REPLACE VIEW {ref.name} AS SELECT * EXCLUDE (kb_version) FROM kb_{ref.name} "
            f"WHERE kb_version = (SELECT max(kb_version) FROM kb_versions)"
        )
    return statements
