"""Views the indicator queries share (指标共享视图), built once per run.

Of the rules' shared views (`queries/shared_views.py`) the indicators read only the scoped
base views `p_<table>`, created with a range of settlement months instead of one (a year
is its twelve months), and `p_stays`; never the rules' fee-line aggregates with their
evidence lists (`p_fee_lines`, `p_fee_daily`, `p_fee_net`). Their own views:

- `i_charged`: one row per encounter and item: `item_type`, `net_quantity`, `net_amount`
  (refunds included) and the item's knowledge-base flags (`antibiotic_grade`, `ddd`,
  `high_value`, `key_monitored`, `tag_list` = `|tag1|tag2|` for `LIKE '%|ct|%'` tests); read from
  `p_fee_items`. `i_charged_flagged`: its rows of antibiotics and TCM non-drug techniques
  only (what the DDDs and the count of techniques read).
- `i_charge_flags`: per encounter, the charge flags and sums below (the sums add line
  amounts by each line's own item_type in one read of the fee lines; the flags, in another,
  group only the lines that can set one); `i_ordered_antibiotic`: the encounters with an antibiotic order.
- `i_encounters`: the period's encounters (`encounter_id`, `institution_id`, `department`,
  `attending_doctor_id`, `encounter_type`, `total_amount`) with 0/1 flags `has_antibiotic`
  (ordered or charged with net quantity > 0), `has_tcm_nondrug`, `has_tcm_drug` (Chinese
  patent drug or herbal pieces), `has_herbal_pieces`, and the amounts `high_value_amount`,
  `drug_cost` (drug_western + drug_chinese_patent + herbal_pieces), `key_monitored_drug_cost`
  (the part of `drug_cost` whose item is `key_monitored`, 重点监控药品: a key-monitored item
  charged on a non-drug line counts in neither), `material_cost`.
- `i_stays`: `p_stays` joined with those flags and the institution's `inst_level`.
- `i_ddds`: antibiotic DDDs per inpatient stay (`ddds`).
- `i_oe`: stays with LOS and their expected LOS/cost/drug cost/material cost (regional
  mean of the DRG, else of the 3-character main diagnosis at the same institution
  level), and `time_ratio`, `cost_ratio` (LOS or cost ÷ the DRG's regional mean).

On DuckDB every view but `p_<table>` and `i_charged` is a table computed once per
run (`materialised`, see `engines.duckdb`) and read by several indicators; before, each of about fifteen
indicators aggregated the month's fee lines again through plain views.

Every quotient is computed in integers, because DuckDB divides decimals in floating
point and Spark in decimals: integer arithmetic gives both engines the same digits.
The per-stay ratios and expected values of `i_oe` (the DRG indices and O/E) are
DECIMAL(38,12), rounded half-up to 12 decimals by integer long division (`exact_div`),
so that an index summed over thousands of stays stays within ~1e-12 of the exact
fraction (at 4 decimals the error reached 2e-5 relative); the DDDs of `i_ddds` keep
4 decimals (`rounded_div`).
"""

from __future__ import annotations

from sanjianguan.contract.schema import DRUG_ITEM_TYPES
from sanjianguan.queries.shared_views import RANGE_FILTER, SCOPED_TABLES, shared_view_declarations
from sanjianguan.queries.views import View

# Multiplier that turns a DECIMAL(18,4) value into whole units of 0.0001.
UNITS = 10000


def div4(x: str, s: str, m: int = UNITS) -> str:
    """SQL for round-half-up(x × m ÷ s) as BIGINT, for BIGINT `x` (any sign) and `s` > 0.

    Split into quotient and remainder so that no intermediate product overflows BIGINT
    for realistic money sums (x up to about 10^15 units). sign() returns a DOUBLE on
    Spark, so the sign is a CASE to keep integer arithmetic on both engines.
    """
    ax = f"abs({x})"
    magnitude = f"(({ax} // ({s})) * {m} + (({ax} % ({s})) * {2 * m} + ({s})) // (2 * ({s})))"
    sign = f"(CASE WHEN ({x}) < 0 THEN -1 ELSE 1 END)"
    return f"(CASE WHEN ({s}) > 0 THEN {sign} * {magnitude} END)"


def as_decimal(units: str) -> str:
    """A BIGINT count of 0.0001 units as an exact DECIMAL(18,4)."""
    return f"CAST(CAST({units} AS DECIMAL(18,0)) * 0.0001 AS DECIMAL(18,4))"


def rounded_div(x: str, s: str, m: int = UNITS) -> str:
    """DECIMAL(18,4) of x × m ÷ s ÷ 10000 (see `div4`), as SQL."""
    return as_decimal(div4(x, s, m))


# Decimals of the ratios of `i_oe`: 12, produced as three long-division steps of 4 digits.
EXACT_SCALE = 12
_STEP = 10**4


def div12(x: str, s: str) -> str:
    """SQL for round-half-up(x × 10^12 ÷ s) as BIGINT, for BIGINT `x` (any sign) and `s` > 0.

    Long division in BIGINT: the integer part, then three steps of 4 digits, the last one
    rounded; every intermediate product stays below 2 × 10^4 × s, so `s` may reach about
    4 × 10^14 (money in 0.0001 units: 4 × 10^10 yuan) and the quotient about 9 × 10^6.
    """
    ax = f"abs({x})"
    r0 = f"({ax} % ({s}))"
    r1 = f"(({r0} * {_STEP}) % ({s}))"
    r2 = f"(({r1} * {_STEP}) % ({s}))"
    digits = (
        f"({ax} // ({s})) * {10**EXACT_SCALE}"
        f" + (({r0} * {_STEP}) // ({s})) * {_STEP**2}"
        f" + (({r1} * {_STEP}) // ({s})) * {_STEP}"
        f" + ({r2} * {2 * _STEP} + ({s})) // (2 * ({s}))"
    )
    sign = f"(CASE WHEN ({x}) < 0 THEN -1 ELSE 1 END)"
    return f"(CASE WHEN ({s}) > 0 THEN {sign} * ({digits}) END)"


def exact_div(x: str, s: str) -> str:
    """DECIMAL(38,12) of x ÷ s rounded half-up to 12 decimals (see `div12`), as SQL."""
    scale = f"0.{'0' * (EXACT_SCALE - 1)}1"
    return f"CAST(CAST({div12(x, s)} AS DECIMAL(19,0)) * {scale} AS DECIMAL(38,{EXACT_SCALE}))"


def _units(decimal_sql: str) -> str:
    return f"CAST(({decimal_sql}) * {UNITS} AS BIGINT)"


_DRUGS = ", ".join(f"'{t}'" for t in DRUG_ITEM_TYPES)


def _codes_of(items: str) -> str:
    """SQL selecting the codes of the `ref_items` rows (alias `k`) meeting the condition `items`."""
    return f"SELECT k.item_code FROM ref_items AS k WHERE {items}"


def _charged_sql(items: str | None = None) -> str:
    """One row per encounter and item: net quantity and amount, and the item's KB flags.

    Read from the fee lines themselves (`p_fee_items`), not from the rules' `p_fee_lines`:
    nothing here needs the line's doctor or department, and every reader joins the rows to
    the period's encounters or stays by `encounter_id`. `items`, a condition on
    `ref_items` (alias `k`), keeps only the lines of the items it holds before grouping:
    exact, since an item's lines all fall in its own groups.
    """
    only = "" if items is None else f"\n  WHERE item_code IN ({_codes_of(items)})"
    return f"""
SELECT c.*, r.antibiotic_grade, r.ddd, coalesce(r.high_value, false) AS high_value,
  coalesce(r.key_monitored, false) AS key_monitored,
  concat('|', coalesce(r.tags, ''), '|') AS tag_list
FROM (
  SELECT institution_id, encounter_id, item_code, min(item_type) AS item_type,
    CAST(sum(quantity) AS DECIMAL(18,4)) AS net_quantity,
    CAST(sum(amount) AS DECIMAL(18,4)) AS net_amount
  FROM p_fee_items{only}
  GROUP BY institution_id, encounter_id, item_code
) AS c
LEFT JOIN ref_items AS r ON r.item_code = c.item_code
"""


def _antibiotic(items: str) -> str:
    """Whether a `ref_items` row (alias `items`) is an antibiotic, as SQL."""
    return f"{items}.antibiotic_grade IS NOT NULL"


def _tcm_nondrug(items: str) -> str:
    """Whether a `ref_items` row (alias `items`) is a TCM non-drug technique, as SQL."""
    return f"concat('|', coalesce({items}.tags, ''), '|') LIKE '%|tcm_nondrug|%'"


# The items whose single (encounter, item) rows an indicator reads: antibiotics (DDDs) and
# TCM non-drug techniques (the count of techniques); every other reader needs only sums.
_FLAGGED_ITEMS = f"{_antibiotic('k')} OR {_tcm_nondrug('k')}"

# Per encounter over the period's fee lines, each line with its item's KB flags. The sums
# are line amounts by the line's own item_type (indicators.md: "drug_western,
# drug_chinese_patent, herbal_pieces line amounts"), net of refunds since refund lines are
# negative. A flag needs an item whose lines' net quantity in the encounter is > 0, so only
# the lines that can set one (antibiotics, TCM techniques, TCM drugs) are grouped by item:
# grouping every line by (encounter, item) first took 48–67 s on a city month.
# The sums and the flags each read the lines themselves, not one CTE: DuckDB computes a CTE
# read twice once, as a table of all the month's lines with their flags: the view took
# 27.9–29.3 s of a city month against 17.7–21.0 s with two reads (docs/benchmarks.md).
_TCM_DRUGS = "'drug_chinese_patent', 'herbal_pieces'"


def _flagged_lines(columns: str, where: str = "") -> str:
    """The period's fee lines joined to their item's KB flags, as a subquery."""
    return f"""(
    SELECT {columns}
    FROM p_fee_items AS f
    LEFT JOIN ref_items AS r ON r.item_code = f.item_code{where}
  )"""


_ITEM_FLAGS = f"{_antibiotic('r')} AS antibiotic, {_tcm_nondrug('r')} AS tcm_nondrug"
_SUM_LINES = _flagged_lines(
    "f.encounter_id, f.item_type, f.amount, coalesce(r.high_value, false) AS high_value, "
    "coalesce(r.key_monitored, false) AS key_monitored"
)
# The flagged items are asked by code (`item_code IN`, as for `i_charged_flagged`), not
# through the joined `ref_items` row: the same lines, and a city month's flags took 5.8–6.5 s
# instead of 7.5 s (docs/benchmarks.md).
_FLAG_LINES = _flagged_lines(
    f"f.encounter_id, f.item_code, f.item_type, f.quantity, {_ITEM_FLAGS}",
    f"\n    WHERE f.item_type IN ({_TCM_DRUGS})\n      OR f.item_code IN ({_codes_of(_FLAGGED_ITEMS)})",
)

_CHARGE_FLAGS = f"""
WITH sums AS (
  SELECT encounter_id,
    CAST(sum(CASE WHEN high_value THEN amount ELSE 0 END) AS DECIMAL(18,4)) AS high_value_amount,
    CAST(sum(CASE WHEN item_type IN ({_DRUGS}) THEN amount ELSE 0 END) AS DECIMAL(18,4)) AS drug_cost,
    CAST(sum(CASE WHEN key_monitored AND item_type IN ({_DRUGS}) THEN amount ELSE 0 END)
      AS DECIMAL(18,4)) AS key_monitored_drug_cost,
    CAST(sum(CASE WHEN item_type = 'material' THEN amount ELSE 0 END) AS DECIMAL(18,4)) AS material_cost
  FROM {_SUM_LINES} AS lines
  GROUP BY encounter_id
),
charged AS (
  SELECT encounter_id,
    max(CASE WHEN antibiotic THEN 1 ELSE 0 END) AS antibiotic_charged,
    max(CASE WHEN tcm_nondrug THEN 1 ELSE 0 END) AS tcm_nondrug,
    max(CASE WHEN item_type IN ({_TCM_DRUGS}) THEN 1 ELSE 0 END) AS tcm_drug,
    max(CASE WHEN item_type = 'herbal_pieces' THEN 1 ELSE 0 END) AS herbal_pieces
  FROM (
    -- antibiotic and tcm_nondrug are the item's: the same on all its lines.
    SELECT encounter_id, item_code, item_type, antibiotic, tcm_nondrug
    FROM {_FLAG_LINES} AS lines
    GROUP BY encounter_id, item_code, item_type, antibiotic, tcm_nondrug
    HAVING sum(quantity) > 0
  ) AS items
  GROUP BY encounter_id
)
SELECT s.encounter_id,
  coalesce(c.antibiotic_charged, 0) AS antibiotic_charged,
  coalesce(c.tcm_nondrug, 0) AS tcm_nondrug,
  coalesce(c.tcm_drug, 0) AS tcm_drug,
  coalesce(c.herbal_pieces, 0) AS herbal_pieces,
  s.high_value_amount, s.drug_cost, s.key_monitored_drug_cost, s.material_cost
FROM sums AS s
LEFT JOIN charged AS c ON c.encounter_id = s.encounter_id
"""

_ORDERED_ANTIBIOTIC = """
SELECT DISTINCT o.encounter_id
FROM p_orders AS o
JOIN ref_items AS r ON r.item_code = o.drug_code
WHERE r.antibiotic_grade IS NOT NULL
"""

# Materialised once per run and read by the outpatient and stay indicators, so it carries
# only the encounter columns they read (a city's month has about 8 million encounters):
# an indicator needing another encounter column joins `p_encounters` by `encounter_id`.
_ENCOUNTERS = """
SELECT e.encounter_id, e.institution_id, e.department, e.attending_doctor_id, e.encounter_type,
  e.total_amount,
  CASE WHEN coalesce(c.antibiotic_charged, 0) = 1 OR o.encounter_id IS NOT NULL THEN 1 ELSE 0 END
    AS has_antibiotic,
  coalesce(c.tcm_nondrug, 0) AS has_tcm_nondrug,
  coalesce(c.tcm_drug, 0) AS has_tcm_drug,
  coalesce(c.herbal_pieces, 0) AS has_herbal_pieces,
  coalesce(c.high_value_amount, CAST(0 AS DECIMAL(18,4))) AS high_value_amount,
  coalesce(c.drug_cost, CAST(0 AS DECIMAL(18,4))) AS drug_cost,
  coalesce(c.key_monitored_drug_cost, CAST(0 AS DECIMAL(18,4))) AS key_monitored_drug_cost,
  coalesce(c.material_cost, CAST(0 AS DECIMAL(18,4))) AS material_cost
FROM p_encounters AS e
LEFT JOIN i_charge_flags AS c ON c.encounter_id = e.encounter_id
LEFT JOIN i_ordered_antibiotic AS o ON o.encounter_id = e.encounter_id
"""

_STAYS = """
SELECT s.*, f.has_antibiotic, f.has_tcm_nondrug, f.has_tcm_drug, f.has_herbal_pieces,
  f.high_value_amount, f.drug_cost, f.material_cost, i.level AS inst_level
FROM p_stays AS s
JOIN i_encounters AS f ON f.encounter_id = s.encounter_id
LEFT JOIN institutions AS i ON i.institution_id = s.institution_id
"""


def _ddds_sql() -> str:
    # An order's days: days_supply, else start day to end day (end_at, else discharge) inclusive;
    # greatest() also turns a missing end into 0 days on both engines.
    days = (
        "greatest(coalesce(o.days_supply, date_diff('day', CAST(o.start_at AS DATE), "
        "coalesce(CAST(o.end_at AS DATE), s.discharge_day)) + 1), 0)"
    )
    ordered_x = f"{_units('o.dose')} * {_units('o.times_per_day')} * {days}"
    ordered = rounded_div(f"({ordered_x})", f"({_units('r.ddd')} * {UNITS})")
    charged = rounded_div(_units("c.net_quantity"), _units("c.ddd"))
    return f"""
SELECT encounter_id, CAST(sum(ddds) AS DECIMAL(18,4)) AS ddds
FROM (
  SELECT o.encounter_id, {ordered} AS ddds
  FROM p_orders AS o
  JOIN p_stays AS s ON s.encounter_id = o.encounter_id
  JOIN ref_items AS r ON r.item_code = o.drug_code
  WHERE r.antibiotic_grade IS NOT NULL AND r.ddd > 0
  UNION ALL
  SELECT c.encounter_id, {charged} AS ddds
  FROM i_charged_flagged AS c
  JOIN p_stays AS s ON s.encounter_id = c.encounter_id
  LEFT JOIN (SELECT DISTINCT encounter_id, drug_code FROM p_orders) AS o
    ON o.encounter_id = c.encounter_id AND o.drug_code = c.item_code
  WHERE c.antibiotic_grade IS NOT NULL AND c.ddd > 0 AND c.net_quantity > 0 AND o.encounter_id IS NULL
) AS d
GROUP BY encounter_id
"""


_MEASURES = {"los": "los", "cost": "total_amount", "drug": "drug_cost", "material": "material_cost"}


def _sums(keys: str, where: str) -> str:
    """Count and BIGINT sums (LOS in days, money in 0.0001 units) of the stays per `keys`."""
    sums = ", ".join(
        f"CAST(sum({col if name == 'los' else _units(col)}) AS BIGINT) AS s_{name}"
        for name, col in _MEASURES.items()
    )
    return f"SELECT {keys}, CAST(count(*) AS BIGINT) AS n, {sums} FROM b WHERE {where} GROUP BY {keys}"


def _expected(name: str) -> str:
    """Expected value of one measure: the DRG's regional mean, else the diagnosis group's mean.

    LOS sums are days, money sums 0.0001 units: a money mean divides by n × 10000.
    """
    per = "" if name == "los" else f" * {UNITS}"
    drg = exact_div(f"g.s_{name}", f"g.n{per}")
    dx = exact_div(f"x.s_{name}", f"x.n{per}")
    return f"CASE WHEN g.n IS NOT NULL THEN {drg} WHEN x.n IS NOT NULL THEN {dx} END AS exp_{name}"


def _oe_sql() -> str:
    time_ratio = exact_div("b.los * g.n", "g.s_los")
    cost_ratio = exact_div(f"{_units('b.total_amount')} * g.n", "g.s_cost")
    expected = ",\n  ".join(_expected(name) for name in _MEASURES)
    return f"""
WITH b AS (
  SELECT s.institution_id, s.department, s.attending_doctor_id AS doctor_id, s.encounter_id,
    s.drg_code, upper(substr(s.main_diagnosis, 1, 3)) AS dx3, s.inst_level,
    s.los, s.total_amount, s.drug_cost, s.material_cost
  FROM i_stays AS s
  WHERE s.los IS NOT NULL
),
g AS ({_sums("drg_code", "drg_code IS NOT NULL")}),
x AS ({_sums("inst_level, dx3", "length(dx3) = 3")})
SELECT b.*,
  CASE WHEN g.n IS NOT NULL THEN 'drg' WHEN x.n IS NOT NULL THEN 'dx3' END AS basis,
  {expected},
  CASE WHEN g.n IS NOT NULL THEN {time_ratio} END AS time_ratio,
  CASE WHEN g.n IS NOT NULL THEN {cost_ratio} END AS cost_ratio
FROM b
LEFT JOIN g ON g.drg_code = b.drg_code
LEFT JOIN x ON b.drg_code IS NULL AND x.inst_level = b.inst_level AND x.dx3 = b.dx3
"""


# The shared views the indicators read: the scoped base tables and the stays. The rules'
# fee-line aggregates (`p_fee_lines`, `p_fee_daily`, `p_fee_net`, with their line-id lists)
# are not built for the indicators: no indicator reads them.
_SHARED = frozenset({*(f"p_{table}" for table in SCOPED_TABLES), "p_stays"})


def scoped_views() -> list[View]:
    """The shared views the indicators read, with `p_<table>` over `:first_period`..`:last_period`."""
    return [v for v in shared_view_declarations(RANGE_FILTER) if v.name in _SHARED]


def indicator_views() -> list[View]:
    """Every view an indicator query may read, in dependency order.

    On DuckDB the `materialised` ones are computed once per run (tables) and read by
    several indicators, each in one pass: they hold sums, not lists, so DuckDB spills their
    hash tables beyond its memory limit (the charge flags of a city's month: 67 s in 13
    slices, 48 s in one; see docs/benchmarks.md). Spark plans each query whole from the views.
    """
    return [
        *scoped_views(),
        View("i_charged", _charged_sql()),
        View("i_charged_flagged", _charged_sql(_FLAGGED_ITEMS), materialised=True),
        View("i_charge_flags", _CHARGE_FLAGS, materialised=True),
        View("i_ordered_antibiotic", _ORDERED_ANTIBIOTIC, materialised=True),
        View("i_encounters", _ENCOUNTERS, materialised=True),
        View("i_stays", _STAYS, materialised=True),
        View("i_ddds", _ddds_sql(), materialised=True),
        View("i_oe", _oe_sql(), materialised=True),
    ]
