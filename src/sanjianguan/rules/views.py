"""Shared views every rule can read (共享视图), created by the runner before the rules run.

Written once in DuckDB SQL with the run's `:period`, `:period_start` and `:period_end`
placeholders, and compiled for each engine like the rules. Rules share work through
them (one daily aggregate of fee lines serves C01, C03, C04, D08, T02 ...); an engine
may later materialise them instead of recomputing them per rule.

- `p_<table>`: the rows of an encounter table settled in the period (`period = :period`).
- `p_fee_lines`: the period's fee lines with `charge_day`, the encounter's patient and
  type, and the responsible `doctor_id` / `department` of the line (ordering doctor and
  department, else the encounter's attending doctor and department).
- `p_fee_daily`: one row per encounter, item and charge day: `net_quantity` (refunds
  included), `max_unit_price` (highest price of the day's positive lines), `line_ids`.
- `p_fee_net`: one row per encounter and item over the whole encounter: the same
  measures plus `first_day` / `last_day`. `net_quantity > 0` means "charged".
- `p_stays`: the period's inpatient stays with `admit_day`, `discharge_day` and
  `los` = max(1, discharge day − admission day) (NULL without a discharge time).
"""

from __future__ import annotations

from sanjianguan.contract.schema import ENCOUNTER_CHILD_TABLES

# Sums are cast back to the store's DECIMAL(18,4): Spark and DuckDB widen sums
# differently, and a fixed type keeps every later product identical on both.
_AGGREGATES = """
  CAST(sum(quantity) AS DECIMAL(18,4)) AS net_quantity,
  max(unit_price) FILTER (WHERE quantity > 0) AS max_unit_price,
  list(line_id ORDER BY line_id) AS line_ids,
  coalesce(min(ordering_doctor_id), min(attending_doctor_id)) AS doctor_id,
  coalesce(min(line_department), min(encounter_department)) AS department"""

_FEE_LINES = """
SELECT
  f.institution_id, f.encounter_id, f.line_id, f.item_code, f.local_code, f.item_name,
  f.item_type, f.charged_at, CAST(f.charged_at AS DATE) AS charge_day,
  f.quantity, f.unit_price, f.amount, f.ordering_doctor_id, f.insurance_class, f.period,
  f.department AS line_department, e.department AS encounter_department,
  e.attending_doctor_id, e.patient_id, e.encounter_type,
  coalesce(f.ordering_doctor_id, e.attending_doctor_id) AS doctor_id,
  coalesce(f.department, e.department) AS department
FROM p_fee_items AS f
JOIN p_encounters AS e ON e.encounter_id = f.encounter_id
"""

_FEE_DAILY = f"""
SELECT institution_id, encounter_id, patient_id, item_code, charge_day,{_AGGREGATES}
FROM p_fee_lines
GROUP BY institution_id, encounter_id, patient_id, item_code, charge_day
"""

_FEE_NET = f"""
SELECT institution_id, encounter_id, patient_id, item_code,{_AGGREGATES},
  min(charge_day) AS first_day,
  max(charge_day) AS last_day
FROM p_fee_lines
GROUP BY institution_id, encounter_id, patient_id, item_code
"""

_STAYS = """
SELECT s.*,
  -- greatest() skips NULLs on both engines, so a missing discharge must stay NULL explicitly.
  CASE WHEN s.discharge_day IS NOT NULL
    THEN greatest(1, date_diff('day', s.admit_day, s.discharge_day))
  END AS los
FROM (
  SELECT e.*, CAST(e.admit_time AS DATE) AS admit_day, CAST(e.discharge_time AS DATE) AS discharge_day
  FROM p_encounters AS e
  WHERE e.encounter_type = 'inpatient'
) AS s
"""


def shared_views() -> list[tuple[str, str]]:
    """(name, DuckDB SQL) of the shared views, in dependency order."""
    scoped = [
        (f"p_{table}", f"SELECT * FROM {table} WHERE period = :period")
        for table in ("encounters", *ENCOUNTER_CHILD_TABLES)
    ]
    return [
        *scoped,
        ("p_fee_lines", _FEE_LINES),
        ("p_fee_daily", _FEE_DAILY),
        ("p_fee_net", _FEE_NET),
        ("p_stays", _STAYS),
    ]


# The views an engine may compute once per run instead of once per reading rule: most
# rules read the fee-line views, and recomputing their join and aggregates per rule
# would cost the catalogue one pass over the month's fee lines per rule.
MATERIALISED = frozenset({"p_fee_lines", "p_fee_daily", "p_fee_net", "p_stays"})

# Aggregate views an engine may build slice by slice: (the view they read, their grouping
# key). Every group lies in one slice of the key's hash, so the slices' union is exact.
PARTITIONED = {"p_fee_daily": ("p_fee_lines", "encounter_id"), "p_fee_net": ("p_fee_lines", "encounter_id")}
