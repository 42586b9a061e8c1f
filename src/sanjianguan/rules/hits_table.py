"""Tables of rule results in the DuckDB store: `hits` (疑似问题) and `analysis_runs`."""

from __future__ import annotations

import duckdb

from sanjianguan.rules.model import STANDARD_COLUMNS

HITS_DDL = """CREATE TABLE IF NOT EXISTS hits (
  hit_id VARCHAR,              -- stable: hash of rule_id and hit_key
  run_id VARCHAR,              -- the run that last produced it
  rule_id VARCHAR,
  rule_name VARCHAR,
  category VARCHAR,
  grade VARCHAR,
  period VARCHAR,
  hit_key VARCHAR,
  institution_id VARCHAR,
  department VARCHAR,
  doctor_id VARCHAR,
  patient_id VARCHAR,
  encounter_id VARCHAR,
  related_encounter_id VARCHAR,
  event_date DATE,
  amount_involved DECIMAL(18,2),
  evidence VARCHAR             -- JSON: sorted keys, decimals as strings, lists sorted
)"""

RUNS_DDL = """CREATE TABLE IF NOT EXISTS analysis_runs (
  run_id VARCHAR PRIMARY KEY,
  period VARCHAR,
  engine VARCHAR,
  rules VARCHAR,               -- JSON list of rule ids
  kb_version INTEGER,
  params VARCHAR,              -- JSON: rule id -> parameter values used
  started_at TIMESTAMP,
  finished_at TIMESTAMP,
  hit_counts VARCHAR           -- JSON: rule id -> {hits, amount, seconds}
)"""

# The hits table's columns: the run's identity, the rule's, then what every rule query returns.
HIT_COLUMNS = (
    "hit_id",
    "run_id",
    "rule_id",
    "rule_name",
    "category",
    "grade",
    "period",
    *STANDARD_COLUMNS,
    "evidence",
)


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the result tables if missing (idempotent)."""
    con.execute(HITS_DDL)
    con.execute(RUNS_DDL)


def has_hits_table(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether any analysis created the hits table yet (works on read-only stores)."""
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'hits' AND table_schema = 'main'"
    ).fetchone()
    return bool(row and row[0])
