"""Shared views every rule and indicator can read (共享视图), created before the queries run.

Written once in DuckDB SQL and compiled for each engine like the rules. Rules share
work through them (one daily aggregate of fee lines serves C01, C03, C04, D08, T02 ...).
The base views `p_<table>` read one settlement month (`:period`) for the rules, or a
range of months (`:first_period`..`:last_period`) for the indicators, where a year is
its twelve months; every other view is the same for both.

- `p_<table>`: the rows of an encounter table settled in the period (`period = :period`).
- `p_fee_lines`: the period's fee lines with `charge_day`, the encounter's patient, type,
  `discharge_day` and `settlement_day` (of `settled_at`, else discharge, else admission:
  C08 and C13 compare each line with them, and joining a city month's 52 M lines to the
  encounters again took half of each rule), and the responsible `doctor_id` /
  `department` of the line (ordering doctor and department, else the encounter's
  attending doctor and department). A group's doctor is
  `coalesce(min(ordering_doctor_id), min(doctor_id))`: the lowest ordering doctor, else
  (no line has one, so every line's `doctor_id` is the encounter's attending doctor) the
  attending doctor, and its department likewise, without reading the encounter's own
  columns: a city month's lines are written two text columns narrower (docs/benchmarks.md).
- `p_fee_daily`: one row per encounter, item and charge day: `net_quantity` and
  `net_amount` (refunds included), `max_unit_price` (highest price of the day's positive lines), `line_ids`
  (in no particular order: hits sort evidence lists, and Spark never kept an order;
  DuckDB's ordered `list` sorted every group and tripled the view's cost).
- `p_fee_net`: one row per encounter and item over the whole encounter: the same
  measures plus `first_day` / `last_day`. `net_quantity > 0` means "charged".
- `p_fee_uncharged` (退费冲减后未收费): the encounter and item pairs that are not charged,
  whose net quantity is not above 0. Only a pair with a refund line (`quantity <= 0`) can
  be one, so the view sums those few pairs' lines alone: a rule asks "does the line's item
  stay charged" as `NOT EXISTS` in it, and a catalogue run that asks nothing else of the
  nets never builds `p_fee_net` (a city month's 33 M groups; docs/benchmarks.md).
- `p_stays`: the period's inpatient stays with `admit_day`, `discharge_day` and
  `los` = max(1, discharge day − admission day) (NULL without a discharge time).
"""

from __future__ import annotations

from sanjianguan.contract.schema import ENCOUNTER_CHILD_TABLES
from sanjianguan.queries.views import View

# The encounter tables whose rows a base view `p_<table>` scopes to the period.
SCOPED_TABLES = ("encounters", *ENCOUNTER_CHILD_TABLES)
MONTH_FILTER = "period = :period"
RANGE_FILTER = "period BETWEEN :first_period AND :last_period"

# Sums are cast back to the store's DECIMAL(18,4): Spark and DuckDB widen sums
# differently, and a fixed type keeps every later product identical on both.
_AGGREGATES = """
  CAST(sum(quantity) AS DECIMAL(18,4)) AS net_quantity,
  CAST(sum(amount) AS DECIMAL(18,4)) AS net_amount,
  max(unit_price) FILTER (WHERE quantity > 0) AS max_unit_price,
  list(line_id) AS line_ids,
  coalesce(min(ordering_doctor_id), min(doctor_id)) AS doctor_id,
  coalesce(min(line_department), min(department)) AS department"""

_FEE_LINES = """
SELECT
  f.institution_id, f.encounter_id, f.line_id, f.item_code, f.local_code, f.item_name,
  f.item_type, f.charged_at, CAST(f.charged_at AS DATE) AS charge_day,
  f.quantity, f.unit_price, f.amount, f.ordering_doctor_id, f.insurance_class, f.period,
  f.department AS line_department, e.department AS encounter_department,
  e.attending_doctor_id, e.patient_id, e.encounter_type,
  coalesce(f.ordering_doctor_id, e.attending_doctor_id) AS doctor_id,
  coalesce(f.department, e.department) AS department,
  CAST(e.discharge_time AS DATE) AS discharge_day,
  coalesce(CAST(e.settled_at AS DATE), CAST(e.discharge_time AS DATE), CAST(e.admit_time AS DATE))
    AS settlement_day
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

# A pair is charged when one of its `p_fee_net` groups has `net_quantity > 0`; the net
# groups by institution and patient too, so the pair is uncharged only when none of its
# groups is (the same answer however the lines' institution and patient are recorded).
# A NULL quantity (never stored: the contract requires it) is taken for a refund, so
# that such a pair, whose net is NULL, is summed here like the net does.
# No CTE here: written with one, the view's Spark cache did not serve T07's readings (66 s
# against 25 s on a tenth of the city month), probably because Spark gives a CTE a new id
# each time a query resolves the view, so the cached plan no longer matches.
_FEE_UNCHARGED = """
SELECT n.encounter_id, n.item_code
FROM (
  SELECT l.encounter_id, l.item_code, CAST(sum(l.quantity) AS DECIMAL(18,4)) AS net_quantity
  FROM p_fee_lines AS l
  JOIN (
    SELECT DISTINCT encounter_id, item_code
    FROM p_fee_lines
    WHERE quantity <= 0 OR quantity IS NULL
  ) AS r ON r.encounter_id = l.encounter_id AND r.item_code = l.item_code
  GROUP BY l.institution_id, l.encounter_id, l.patient_id, l.item_code
) AS n
GROUP BY n.encounter_id, n.item_code
HAVING NOT bool_or(coalesce(n.net_quantity > 0, false))
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


# The fee-line views and the stays are read by most rules: an engine computes them once
# per run instead of once per reading rule, which would cost the catalogue one pass over
# the month's fee lines per rule. The two aggregates may be built slice by slice of
# their grouping key (every group lies in one slice of the key's hash, so the slices'
# union is exact): a city's month of line-id lists does not fit a few GB of memory. A
# run that reads no list builds them in one pass (see `engines.duckdb`).
_DERIVED = (
    View("p_fee_lines", _FEE_LINES, materialised=True),
    View("p_fee_daily", _FEE_DAILY, materialised=True, partitioned_by=("p_fee_lines", "encounter_id")),
    View("p_fee_net", _FEE_NET, materialised=True, partitioned_by=("p_fee_lines", "encounter_id")),
    View("p_fee_uncharged", _FEE_UNCHARGED, materialised=True),
    View("p_stays", _STAYS, materialised=True),
)


def shared_view_declarations(base_filter: str = MONTH_FILTER) -> list[View]:
    """The shared views in dependency order; `p_<table>` keeps the rows meeting `base_filter`."""
    scoped = [View(f"p_{table}", f"SELECT * FROM {table} WHERE {base_filter}") for table in SCOPED_TABLES]
    return [*scoped, *_DERIVED]


def shared_views() -> list[tuple[str, str]]:
    """(name, DuckDB SQL) of the rules' shared views, for readers that need only the SQL."""
    return [(v.name, v.sql) for v in shared_view_declarations()]
